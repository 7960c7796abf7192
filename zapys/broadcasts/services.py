"""Writes of broadcasts: create (checked and counted), run in batches, finish; settings.

`broadcast_queue_batch` is the set-based step: one transaction that locks the broadcast,
reads the next `BATCH_SIZE` clients after its cursor, their messengers and opt-outs,
inserts their outbox rows in one statement and moves the cursor: a constant number of
queries per batch whatever the audience's size (asserted in the tests and measured by
`bench/broadcast.py`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.broadcasts.events import BROADCAST
from zapys.broadcasts.models import Broadcast, BroadcastSettings, first_line
from zapys.broadcasts.selectors import (
    RELATED_TYPE,
    VARIABLE_NAMES,
    AudienceSpec,
    Progress,
    audience_clients,
    broadcast_messages,
    broadcast_progress,
    broadcast_templates,
    broadcast_text,
    channels_for,
    estimate,
)
from zapys.clients.models import Client, Tag
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import unscoped
from zapys.core.text import strip_control
from zapys.messaging.events import CHANNELS, get_event
from zapys.messaging.models import ClientMessenger, MarketingOptOut, Message
from zapys.messaging.routing import active_accounts, first_route
from zapys.messaging.services import placeholders_error, staff_notify

if TYPE_CHECKING:
    from zapys.accounts.models import Organization

logger = logging.getLogger(__name__)

#: What the finished broadcast's notification was titled before it named the broadcast by
#: its first words: rows stored then keep these msgids (the catalogue keeps them, marked
#: here for `makemessages`), so old notifications still read in each language.
FORMER_TEXTS = (
    gettext_noop("Broadcast #%(id)s of %(time)s finished in test mode"),
    gettext_noop("Broadcast #%(id)s of %(time)s sent"),
)

BATCH_SIZE = 1000
MAX_TEXT = 4000
MAX_DAYS = 3650
#: A time in the past this close to now is "now" (the form was open for a while).
PAST_GRACE = timedelta(minutes=5)


def broadcast_create(
    *,
    organization: Organization,
    spec: AudienceSpec,
    channel: str,
    text: str,
    send_at: datetime | None,
    actor: Actor,
    now: datetime | None = None,
) -> Broadcast:
    """A broadcast, refused with field errors when it cannot go anywhere: an empty or too
    long text, a variable the text cannot fill (the template editor's rule: 422), an unknown
    channel, tags or clients not of this organization, an audience of nobody, or nobody in
    it reachable. Sent at once (after the commit) when `send_at` is empty or now; otherwise
    the job starts it at its time."""
    now = now or timezone.now()
    text = strip_control(text or "").strip()
    errors: list[dict[str, str]] = []
    if not text:
        errors.append({"field": "text", "message": _("Enter the text of the broadcast.")})
    elif len(text) > MAX_TEXT:
        errors.append(
            {
                "field": "text",
                "message": _("The text is too long: at most %(n)s characters.") % {"n": MAX_TEXT},
            }
        )
    unknown = placeholders_error(text, VARIABLE_NAMES)
    if unknown:
        errors.append({"field": "text", "message": unknown})
    if channel and channel not in CHANNELS:
        errors.append({"field": "channel", "message": _("Unknown channel.")})
    if send_at is not None and send_at < now - PAST_GRACE:
        errors.append({"field": "send_at", "message": _("This time has already passed.")})
    errors += _audience_errors(organization, spec)
    if errors:
        # a variable the text cannot fill is the schema's kind of refusal (422), as the
        # template editor's; the others stay the service's 400
        raise DomainError(errors[0]["message"], errors=errors, status=422 if unknown else None)
    found = estimate(organization=organization, spec=spec, channel=channel, text=text, now=now)
    if found.total == 0:
        raise DomainError(_("Nobody is in this audience."), field="audience")
    if found.reachable == 0:
        raise DomainError(
            _("None of these clients can be reached on this channel, or all unsubscribed."),
            field="channel" if channel else "audience",
        )
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            organization=organization,
            audience=spec.audience,
            tag_ids=sorted(set(spec.tag_ids)),
            client_ids=sorted(set(spec.client_ids)),
            days=spec.days,
            channel=channel,
            text=text,
            send_at=max(send_at or now, now),
            total=found.total,
            created_by=actor.user,
        )
        audit_record(
            organization=organization,
            actor=actor,
            action="broadcast.create",
            obj=broadcast,
            changes={"audience": spec.audience, "channel": channel, "recipients": found.total},
        )
        if broadcast.send_at <= now:
            broadcast_id = broadcast.pk
            transaction.on_commit(lambda: _enqueue(broadcast_id))
    return broadcast


def _audience_errors(organization: Organization, spec: AudienceSpec) -> list[dict[str, str]]:
    kind = spec.audience
    if kind not in Broadcast.Audience.values:
        return [{"field": "audience", "message": _("Choose who gets the broadcast.")}]
    if kind == Broadcast.Audience.TAGS:
        ids = set(spec.tag_ids)
        if not ids:
            return [{"field": "tags", "message": _("Choose at least one tag.")}]
        if Tag.objects.for_org(organization).filter(pk__in=ids).count() != len(ids):
            return [{"field": "tags", "message": _("Unknown tag.")}]
    if kind == Broadcast.Audience.CLIENTS:
        ids = set(spec.client_ids)
        if not ids:
            return [{"field": "client_ids", "message": _("Choose at least one client.")}]
        if len(ids) > 1000:
            return [{"field": "client_ids", "message": _("At most 1,000 chosen clients.")}]
        found = Client.objects.for_org(organization).alive().filter(pk__in=ids).count()
        if found != len(ids):
            return [{"field": "client_ids", "message": _("Unknown client.")}]
    if kind == Broadcast.Audience.LAST_VISIT_BEFORE and not (
        spec.days is not None and 1 <= spec.days <= MAX_DAYS
    ):
        return [
            {
                "field": "days",
                "message": _("Enter a number of days from 1 to %(n)s.") % {"n": MAX_DAYS},
            }
        ]
    return []


def _enqueue(broadcast_id: int) -> None:
    from zapys.broadcasts.tasks import broadcast_send_task

    try:
        broadcast_send_task(broadcast_id)
    except Exception:
        logger.exception("could not enqueue broadcast %s", broadcast_id)


def broadcast_start(*, broadcast_id: int, now: datetime) -> Broadcast | None:
    """Turn a due scheduled broadcast into a sending one and count its audience (`total`).
    None when it is not due or already started (the job and the task may both try)."""
    with unscoped(), transaction.atomic():
        broadcast = (
            Broadcast.objects.select_for_update()
            .select_related("organization")
            .filter(pk=broadcast_id)
            .first()
        )
        if broadcast is None or broadcast.status != Broadcast.Status.SCHEDULED:
            return broadcast
        if broadcast.send_at > now:
            return None
        broadcast.status = Broadcast.Status.SENDING
        broadcast.started_at = now
        broadcast.total = audience_clients(
            organization=broadcast.organization, spec=AudienceSpec.of(broadcast), now=now
        ).count()
        broadcast.save(update_fields=["status", "started_at", "total"])
        audit_record(
            organization=broadcast.organization,
            actor=Actor.scheduler("broadcasts"),
            action="broadcast.start",
            obj=broadcast,
            changes={"recipients": broadcast.total},
        )
    return broadcast


def broadcast_queue_batch(
    *, broadcast_id: int, now: datetime, batch_size: int = BATCH_SIZE
) -> int | None:
    """Queue the next batch of a sending broadcast; returns how many clients it covered
    (0 when the audience is exhausted, None when there is nothing to do)."""
    with unscoped(), transaction.atomic():
        broadcast = (
            Broadcast.objects.select_for_update()
            .select_related("organization")
            .filter(pk=broadcast_id, status=Broadcast.Status.SENDING, queued_all_at__isnull=True)
            .first()
        )
        if broadcast is None:
            return None
        organization = broadcast.organization
        clients = list(
            audience_clients(
                organization=organization,
                spec=AudienceSpec.of(broadcast),
                now=broadcast.started_at or now,
            )
            .filter(pk__gt=broadcast.cursor)
            .order_by("pk")[:batch_size]
        )
        if not clients:
            broadcast.queued_all_at = now
            broadcast.queued = broadcast_messages(broadcast).count()
            broadcast.save(update_fields=["queued_all_at", "queued"])
            return 0
        rows = _messages_for(broadcast, clients, now)
        Message.objects.bulk_create(rows, ignore_conflicts=True)
        broadcast.cursor = clients[-1].pk
        broadcast.queued += len(rows)
        broadcast.skipped += len(clients) - len(rows)
        broadcast.save(update_fields=["cursor", "queued", "skipped"])
    return len(clients)


def _messages_for(broadcast: Broadcast, clients: list[Client], now: datetime) -> list[Message]:
    """The outbox rows of one batch (unsaved): each client's first reachable channel they
    did not unsubscribe from; nobody else."""
    organization = broadcast.organization
    ids = [c.pk for c in clients]
    messengers: dict[int, dict[str, str]] = {}
    for client_id, channel, external_id in (
        ClientMessenger.objects.for_org(organization)
        .filter(client_id__in=ids)
        .values_list("client_id", "channel", "external_id")
    ):
        messengers.setdefault(client_id, {})[channel] = external_id
    opted_out: dict[int, set[str]] = {}
    for client_id, channel in (
        MarketingOptOut.objects.for_org(organization)
        .filter(client_id__in=ids)
        .values_list("client_id", "channel")
    ):
        opted_out.setdefault(client_id, set()).add(channel)
    accounts = active_accounts(organization=organization)
    order = channels_for(organization, broadcast.channel)
    templates = broadcast_templates(organization=organization)
    event = get_event(BROADCAST)
    related_id = str(broadcast.pk)
    rows = []
    for client in clients:
        refused = opted_out.get(client.pk, set())
        if "" in refused:
            continue
        route = first_route(
            client,
            [c for c in order if c not in refused],
            accounts,
            templates,  # a channel whose template is switched off is skipped
            messengers.get(client.pk, {}),
            event,
        )
        if route is None:
            continue
        text, subject = broadcast_text(
            organization=organization,
            text=broadcast.text,
            client=client,
            channel=route.channel,
            templates=templates,
        )
        rows.append(
            Message(
                organization=organization,
                client=client,
                recipient=route.recipient,
                channel=route.channel,
                transport_account=route.account,
                transport_code=route.account.code,
                event=BROADCAST,
                subject=subject[:300],
                text=text,
                related_type=RELATED_TYPE,
                related_id=related_id,
                idempotency_key=f"broadcast:{broadcast.pk}:{client.pk}",
                status=Message.Status.QUEUED,
                next_attempt_at=now,
            )
        )
    return rows


def broadcast_finish(*, broadcast_id: int, now: datetime) -> bool:
    """Mark a fully queued broadcast done once none of its messages waits; staff are told."""
    with unscoped(), transaction.atomic():
        broadcast = (
            Broadcast.objects.select_for_update()
            .select_related("organization")
            .filter(pk=broadcast_id, status=Broadcast.Status.SENDING, queued_all_at__isnull=False)
            .first()
        )
        if broadcast is None:
            return False
        progress = broadcast_progress(broadcast)
        if progress.waiting:
            return False
        broadcast.status = Broadcast.Status.DONE
        broadcast.finished_at = now
        broadcast.save(update_fields=["status", "finished_at"])
        organization = broadcast.organization
        audit_record(
            organization=organization,
            actor=Actor.scheduler("broadcasts"),
            action="broadcast.finish",
            obj=broadcast,
            changes={
                "sent": progress.sent,
                "failed": progress.failed,
                # what the test mode "sent" reached no one: its own figure, not "sent"
                **({"test_mode": progress.test_mode} if progress.test_mode else {}),
            },
        )
        with translation.override(organization.language or None):
            staff_notify(
                organization=organization,
                # A sentence naming the broadcast, never its text: the text is a template,
                # and "[Client's first name], on Friday…" in a notification (and in the
                # audit log, which names the notification by its title) read as if clients
                # got the brackets. What one client got is in the body, labelled.
                # Named by its first words with the variables it opens with left out
                # (`Broadcast.title`), not «Розсилку №1 від 04.12.2026 19:30» (fifth tour).
                title=StoredText(
                    gettext_noop("Broadcast “%(title)s”: test mode, nothing was sent")
                    if progress.only_test_mode
                    else gettext_noop("Broadcast “%(title)s” finished, partly in test mode")
                    if progress.test_mode
                    else gettext_noop("Broadcast “%(title)s” sent"),
                    title=broadcast.title,
                ),
                body=_finish_body(progress, _sample_message(broadcast)),
                url=reverse("broadcasts:detail", args=[broadcast.pk]),
                level="warning" if progress.failed or progress.test_mode else "success",
                related=broadcast,
            )
    return True


#: How much of the sample message a notification quotes: its first line, cut on a word.
SAMPLE_LENGTH = 100


def _sample_message(broadcast: Broadcast) -> Message | None:
    """The first client's message, as the outbox holds it: what was actually sent."""
    return broadcast_messages(broadcast).select_related("client").order_by("pk").first()


def _finish_body(progress: Progress, sample: Message | None) -> StoredText:
    """The figures, then what one client got ("The message to Maria Polishchuk: “Maria, on
    Friday…”"): the text as rendered for them, with their name filled in, not the template."""
    figures = _finish_text(progress)
    if sample is None:  # nobody was reachable: nothing was written for anyone
        return figures
    return StoredText(
        gettext_noop("%(figures)s\nThe message to %(client)s: “%(text)s”"),
        figures=figures,
        client=sample.client.name if sample.client else sample.recipient,
        text=first_line(sample.text, SAMPLE_LENGTH),
    )


def _finish_text(progress: Progress) -> StoredText:
    """The finished broadcast's figures; what the test mode "sent" (nothing reached anyone)
    is its own figure, as the single message's badge says, never counted as sent."""
    if progress.test_mode:
        return StoredText(
            gettext_noop(
                "Sent %(sent)s, test mode (not sent to anyone) %(test_mode)s, not delivered "
                "%(failed)s, not reachable %(skipped)s."
            ),
            sent=progress.sent,
            test_mode=progress.test_mode,
            failed=progress.failed,
            skipped=progress.skipped,
        )
    return StoredText(
        gettext_noop("Sent %(sent)s, not delivered %(failed)s, not reachable %(skipped)s."),
        sent=progress.sent,
        failed=progress.failed,
        skipped=progress.skipped,
    )


def broadcast_run(*, broadcast_id: int, now: datetime, max_batches: int | None = None) -> int:
    """Start (if due) and queue a broadcast batch by batch; returns the batches written.
    Safe to run twice at once and to run again after a killed worker: it goes on from
    the cursor."""
    started = broadcast_start(broadcast_id=broadcast_id, now=now)
    if started is None or started.status != Broadcast.Status.SENDING:
        return 0
    batches = 0
    while max_batches is None or batches < max_batches:
        covered = broadcast_queue_batch(broadcast_id=broadcast_id, now=now)
        if not covered:
            break
        batches += 1
    return batches


def broadcasts_due(*, now: datetime) -> list[int]:
    """Ids of broadcasts to work on: scheduled and due, or sending (maybe left by a killed
    worker)."""
    with unscoped():
        return list(
            Broadcast.objects.filter(
                status__in=[Broadcast.Status.SCHEDULED, Broadcast.Status.SENDING]
            )
            .filter(send_at__lte=now)
            .order_by("send_at", "pk")
            .values_list("pk", flat=True)
        )


@transaction.atomic
def broadcast_settings_save(
    *, organization: Organization, sms_price: int, actor: Actor
) -> BroadcastSettings:
    if sms_price < 0 or sms_price > 100_000:
        raise DomainError(_("Enter a price from 0 to 1 000,00."), field="sms_price")
    row, _created = BroadcastSettings.objects.for_org(organization).get_or_create(
        organization=organization
    )
    before = row.sms_price
    row.sms_price = sms_price
    row.save(update_fields=["sms_price", "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        action="broadcast_settings.update",
        obj=row,
        changes={"sms_price": [before, sms_price]},
    )
    return row
