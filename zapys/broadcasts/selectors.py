"""Reads of broadcasts: the audience as one query, what it costs, a preview, the progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import translation
from django.utils.translation import gettext as _

from zapys.broadcasts.events import BROADCAST, TEXT_START, VARIABLES
from zapys.broadcasts.gsm import sms_footer
from zapys.broadcasts.models import Broadcast, BroadcastSettings
from zapys.clients.models import Client, Tag
from zapys.ledger.models import Entry
from zapys.ledger.selectors import SIGNED_AMOUNT
from zapys.memberships.models import ClientMembership
from zapys.messaging.events import CLIENT_CHANNELS, get_event
from zapys.messaging.models import ClientMessenger, MarketingOptOut, Message, MessageTemplate
from zapys.messaging.rendering import render_template
from zapys.messaging.routing import active_accounts, channel_order
from zapys.messaging.selectors import StatusCounts, message_renderer, status_counts
from zapys.messaging.sms import sms_parts
from zapys.messaging.unsubscribe import unsubscribe_url
from zapys.schedule.models import Attendance

if TYPE_CHECKING:
    from zapys.accounts.models import Organization

RELATED_TYPE = "broadcasts.broadcast"
VARIABLE_NAMES = [name for name, _label in VARIABLES]

#: How much of the text an e-mail's subject quotes: what an inbox shows beside the sender.
SUBJECT_START_LENGTH = 60


@dataclass(frozen=True)
class AudienceSpec:
    """Who a broadcast goes to (the form's and the API's answer, before it is saved)."""

    audience: str
    tag_ids: tuple[int, ...] = ()
    client_ids: tuple[int, ...] = ()
    days: int | None = None

    @classmethod
    def of(cls, broadcast: Broadcast) -> AudienceSpec:
        return cls(
            broadcast.audience,
            tuple(broadcast.tag_ids or ()),
            tuple(broadcast.client_ids or ()),
            broadcast.days,
        )


def audience_clients(
    *, organization: Organization, spec: AudienceSpec, now: datetime
) -> QuerySet[Client]:
    """The audience as one queryset of living clients (segments are subqueries, no loop)."""
    qs = Client.objects.for_org(organization).alive()
    kind = spec.audience
    if kind == Broadcast.Audience.TAGS:
        qs = qs.filter(
            Exists(
                Client.tags.through.objects.filter(
                    client_id=OuterRef("pk"), tag_id__in=list(spec.tag_ids)
                )
            )
        )
    elif kind == Broadcast.Audience.CLIENTS:
        qs = qs.filter(pk__in=list(spec.client_ids))
    elif kind == Broadcast.Audience.ACTIVE_MEMBERSHIP:
        today = now.date()
        qs = qs.filter(
            Exists(
                ClientMembership.objects.filter(
                    client_id=OuterRef("pk"),
                    status=ClientMembership.Status.ACTIVE,
                    starts_on__lte=today,
                    ends_on__gte=today,
                )
            )
        )
    elif kind == Broadcast.Audience.NEGATIVE_BALANCE:
        balance = (
            Entry.objects.filter(client_id=OuterRef("pk"), status=Entry.Status.ACTIVE)
            .values("client_id")
            .annotate(balance=Sum(SIGNED_AMOUNT))
            .values("balance")
        )
        qs = qs.annotate(balance=Subquery(balance)).filter(balance__lt=0)
    elif kind == Broadcast.Audience.LAST_VISIT_BEFORE:
        cutoff = now - timedelta(days=spec.days or 0)
        attended = Attendance.objects.filter(
            client_id=OuterRef("pk"), state=Attendance.State.ATTENDED
        )
        qs = qs.filter(Exists(attended.filter(visit__starts_at__lt=cutoff))).exclude(
            Exists(attended.filter(visit__starts_at__gte=cutoff))
        )
    return qs


def audience_count(*, organization: Organization, spec: AudienceSpec, now: datetime) -> int:
    return audience_clients(organization=organization, spec=spec, now=now).count()


def channels_for(organization: Organization, channel: str) -> list[str]:
    """The channels a broadcast tries per client, in order: the chosen one, or the
    organization's default order (its fallback: messenger, then SMS, then e-mail)."""
    if channel:
        return [channel]
    return channel_order(organization=organization, event=BROADCAST) or list(CLIENT_CHANNELS)


def broadcast_templates(*, organization: Organization) -> dict[str, MessageTemplate]:
    """The organization's own texts of the broadcast event by channel, in one query. The
    template editor offers them (Settings → Message templates → Broadcast) and a broadcast's
    messages are written with them: the broadcast's text goes in as `{text}`, an e-mail's
    subject is the template's (by default «{organization.name}: {text_start}»), and a
    channel whose template is switched off carries no broadcast (`messaging.routing`)."""
    return {
        template.channel: template
        for template in MessageTemplate.objects.for_org(organization).filter(event=BROADCAST)
    }


def broadcast_text(
    *,
    organization: Organization,
    text: str,
    client: Client,
    channel: str,
    templates: Mapping[str, MessageTemplate] | None = None,
) -> tuple[str, str]:
    """The text one client gets on one channel, with the unsubscribe line; and its subject.
    `templates`: `broadcast_templates`, read once for many clients (else read here)."""
    if templates is None:
        templates = broadcast_templates(organization=organization)
    template = templates.get(channel)
    # In the organization's language, as every client message: the greeting that stands in
    # for a company's name («Вітаємо!», `messaging.rendering`) is written in it too.
    with translation.override(organization.language or None):
        body = render_template(
            text, {"client": client, "organization": organization}, allowed=VARIABLE_NAMES
        ).strip()
        start = subject_start(body)
        framed, subject = message_renderer(
            organization=organization,
            event=get_event(BROADCAST),
            channel=channel,
            template=template,
        )({"text": body, TEXT_START: start}, client)
        body = framed.strip()
        if channel in ("sms", "email"):
            footer = _("Unsubscribe: %(url)s") % {"url": unsubscribe_url(client)}
        else:
            footer = _("Reply STOP to unsubscribe.")
        if channel == "email" and not start and not (template and template.subject):
            subject = organization.name  # the default subject, with no words to quote
        subject = subject.strip()
    if channel == "sms":
        # A GSM-7 body stays GSM-7: the line in Latin letters (the same line is counted by
        # `estimate`, which renders the sample through this function).
        footer = sms_footer(body, footer)
    return f"{body}\n\n{footer}" if channel == "email" else f"{body}\n{footer}", subject


def subject_start(body: str, length: int = SUBJECT_START_LENGTH) -> str:
    """The text's first line, cut after a whole word with "…" when longer than `length`:
    "Знижка 20% на манікюр до неділі, запишіться…"."""
    line = next((line.strip() for line in body.splitlines() if line.strip()), "")
    if len(line) <= length:
        return line
    cut = line[: length + 1].rsplit(" ", 1)[0] if " " in line[:length] else line[:length]
    return cut.rstrip(" ,.;:!?—-") + "…"


@dataclass
class Estimate:
    """What the broadcast will be, before it is sent: counted in one grouped query."""

    total: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0
    opted_out: int = 0
    sms_parts: int = 0
    sms_parts_each: int = 0
    sms_encoding: str = ""
    sms_cost: int = 0
    sample: Client | None = None
    preview: dict[str, str] = field(default_factory=dict)

    @property
    def reachable(self) -> int:
        return sum(self.by_channel.values())


def estimate(
    *, organization: Organization, spec: AudienceSpec, channel: str, text: str, now: datetime
) -> Estimate:
    """Recipients per channel with the fallback applied, the SMS parts and their cost, and
    the text as the first recipient will read it. The audience is grouped by what can reach
    each client (linked messengers, phone, e-mail, opt-outs) in one query; the channel
    choice is then made per group, not per client."""
    qs = audience_clients(organization=organization, spec=spec, now=now)
    templates = broadcast_templates(organization=organization)
    # a channel whose broadcast template is switched off carries none (as when sending)
    order = [
        candidate
        for candidate in channels_for(organization, channel)
        if candidate not in templates or templates[candidate].is_enabled
    ]
    accounts = active_accounts(organization=organization)
    flags: dict[str, Any] = {
        "out_all": Exists(MarketingOptOut.objects.filter(client_id=OuterRef("pk"), channel="")),
        "sms_ok": ExpressionWrapper(~Q(phone=""), output_field=BooleanField()),
        "email_ok": ExpressionWrapper(~Q(email=""), output_field=BooleanField()),
    }
    for candidate in order:
        flags[f"out_{candidate}"] = Exists(
            MarketingOptOut.objects.filter(client_id=OuterRef("pk"), channel=candidate)
        )
        if candidate in ("telegram", "viber"):
            flags[f"has_{candidate}"] = Exists(
                ClientMessenger.objects.filter(client_id=OuterRef("pk"), channel=candidate)
            )
    result = Estimate()
    groups = qs.annotate(**flags).values(*flags).annotate(n=Count("pk")).order_by()
    sms_groups: list[Q] = []
    for row in groups:
        n = row["n"]
        result.total += n
        if row["out_all"]:
            result.opted_out += n
            continue
        chosen = ""
        for candidate in order:
            if candidate not in accounts or row.get(f"out_{candidate}"):
                continue
            reachable = {
                "telegram": row.get("has_telegram"),
                "viber": row.get("has_viber"),
                "sms": row["sms_ok"],
                "email": row["email_ok"],
            }.get(candidate)
            if reachable:
                chosen = candidate
                break
        if chosen == "sms":
            sms_groups.append(Q(**{name: row[name] for name in flags}))
        if chosen:
            result.by_channel[chosen] = result.by_channel.get(chosen, 0) + n
        else:
            result.unreachable += n
    result.sample = qs.order_by("pk").first()
    if result.sample is not None and text.strip():
        # The text on each channel that will carry it (the sample's own channel may differ).
        for candidate in [c for c in order if c in result.by_channel]:
            result.preview[candidate] = broadcast_text(
                organization=organization,
                text=text,
                client=result.sample,
                channel=candidate,
                templates=templates,
            )[0]
        sms_text = (
            result.preview.get("sms")
            or broadcast_text(
                organization=organization,
                text=text,
                client=result.sample,
                channel="sms",
                templates=templates,
            )[0]
        )
        info = sms_parts(sms_text)
        result.sms_parts_each = info.parts
        result.sms_encoding = info.encoding
        result.sms_parts = info.parts * result.by_channel.get("sms", 0)
        if sms_groups:
            result.sms_parts, encodings = _sms_parts_sent(
                organization, qs.annotate(**flags), sms_groups, text, templates
            )
            if encodings:
                result.sms_encoding = "UCS-2" if "UCS-2" in encodings else "GSM-7"
        result.sms_cost = result.sms_parts * sms_price(organization=organization)
    return result


#: What of a client a broadcast's text may show (`VARIABLES`): the names, and the type
#: (a company is greeted by its name).
_NAME_FIELDS = ("name", "first_name", "last_name", "middle_name", "client_type")


def _sms_parts_sent(
    organization: Organization,
    annotated: Any,
    sms_groups: list[Q],
    text: str,
    templates: Mapping[str, MessageTemplate],
) -> tuple[int, set[str]]:
    """The SMS parts of the texts actually queued: each recipient's own text differs only
    by their names (a Cyrillic name in a Latin text makes it UCS-2, a long one may add a
    part) and by their unsubscribe link's id, so the recipients are counted by distinct
    names in one query, and each name's text is rendered once with the longest id among
    them (never fewer parts than sent)."""
    condition = sms_groups[0]
    for extra in sms_groups[1:]:
        condition |= extra
    rows = (
        annotated.filter(condition)
        .values(*_NAME_FIELDS)
        .annotate(n=Count("pk"), longest_id=Max("pk"))
        .order_by()
    )
    parts = 0
    encodings: set[str] = set()
    for row in rows:
        n, pk = row.pop("n"), row.pop("longest_id")
        client = Client(pk=pk, organization=organization, **row)
        # (the client's other fields are defaults: a cabinet link's token is as long as theirs)
        info = sms_parts(
            broadcast_text(
                organization=organization,
                text=text,
                client=client,
                channel="sms",
                templates=templates,
            )[0]
        )
        parts += info.parts * n
        encodings.add(info.encoding)
    return parts, encodings


def sms_price(*, organization: Organization) -> int:
    row = BroadcastSettings.objects.for_org(organization).first()
    return row.sms_price if row is not None else 0


def broadcast_settings_get(*, organization: Organization) -> BroadcastSettings:
    return BroadcastSettings.objects.for_org(organization).first() or BroadcastSettings(
        organization=organization
    )


@dataclass(frozen=True)
class Progress:
    """A broadcast's rows counted by what happened to them (`messaging.selectors.StatusCounts`):
    `sent` is what a real transport took; what the test mode "sent" reached no one and is its
    own figure, `test_mode`, never part of `sent`."""

    total: int
    queued: int
    sent: int
    failed: int
    waiting: int
    skipped: int
    test_mode: int = 0

    @property
    def percent(self) -> int:
        if not self.total:
            return 100
        done = self.sent + self.test_mode + self.failed + self.skipped
        return min(100, round(100 * done / self.total))

    @property
    def only_test_mode(self) -> bool:
        """Nothing reached anyone: every message handed over so far went to the test mode
        (the page says so on a grey bar instead of a blue "Done 100%")."""
        return self.test_mode > 0 and self.sent == 0


def broadcast_messages(broadcast: Broadcast) -> QuerySet[Message]:
    """The broadcast's outbox rows: its per-recipient delivery log."""
    return Message.objects.for_org(broadcast.organization).filter(
        related_type=RELATED_TYPE, related_id=str(broadcast.pk)
    )


def _progress(broadcast: Broadcast, counts: StatusCounts) -> Progress:
    return Progress(
        total=broadcast.total,
        queued=broadcast.queued,
        sent=counts.sent,
        failed=counts.failed,
        waiting=counts.waiting,
        skipped=broadcast.skipped,
        test_mode=counts.test_mode,
    )


def broadcast_progress(broadcast: Broadcast) -> Progress:
    """Sent, test-mode, failed and waiting rows of the broadcast in one grouped query."""
    return _progress(broadcast, status_counts(broadcast_messages(broadcast)))


def broadcasts_progress(broadcasts: list[Broadcast]) -> dict[int, Progress]:
    """`broadcast_progress` of a page of broadcasts (the list) in one grouped query."""
    if not broadcasts:
        return {}
    rows: dict[str, list[tuple[str, str, int]]] = {}
    for related_id, status, transport_code, n in (
        Message.objects.for_org(broadcasts[0].organization)
        .filter(related_type=RELATED_TYPE, related_id__in=[str(b.pk) for b in broadcasts])
        .order_by()
        .values_list("related_id", "status", "transport_code")
        .annotate(n=Count("pk"))
        .values_list("related_id", "status", "transport_code", "n")
    ):
        rows.setdefault(related_id, []).append((status, transport_code, n))
    return {b.pk: _progress(b, StatusCounts.of(rows.get(str(b.pk), []))) for b in broadcasts}


def broadcast_list(*, organization: Organization) -> QuerySet[Broadcast]:
    return Broadcast.objects.for_org(organization).order_by("-created_at", "-id")


def audience_label(broadcast: Broadcast) -> str:
    """Who the broadcast went to, in words ("Clients with a tag: VIP, New")."""
    label = str(broadcast.get_audience_display())
    if broadcast.audience == Broadcast.Audience.TAGS:
        names = Tag.objects.for_org(broadcast.organization).filter(pk__in=broadcast.tag_ids)
        return f"{label}: {', '.join(sorted(t.name for t in names))}"
    if broadcast.audience == Broadcast.Audience.CLIENTS:
        return f"{label}: {len(broadcast.client_ids)}"
    if broadcast.audience == Broadcast.Audience.LAST_VISIT_BEFORE:
        return _("%(label)s %(days)s days") % {"label": label, "days": broadcast.days}
    return label


def tag_ids_by_name(*, organization: Organization, names: list[str]) -> list[int] | None:
    """The ids of these tag names (case as stored), or None when one is unknown."""
    wanted = {n.strip() for n in names if n.strip()}
    found = dict(
        Tag.objects.for_org(organization).filter(name__in=wanted).values_list("name", "pk")
    )
    if not wanted or set(found) != wanted:
        return None
    return sorted(found.values())
