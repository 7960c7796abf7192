"""Visit confirmations and reminders: the settings, the confirmation a booking gets and the
periodic reminder sweep.

A confirmation answers a booking just made (the schedule's hooks, after the commit): the
client is there, so the quiet hours do not hold it back. A reminder is the sweep's
(`jobs.py`, every minute): set-based, a constant number of queries per batch of visits and
organization, and never twice — a `VisitNotice` row per visit, client, kind and start,
inserted with ON CONFLICT DO NOTHING and claimed by the run's token, so two workers never
send the same reminder. A visit moved to another time has no row for its new start and is
reminded of it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.clients.phones import display_phone
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.dates import moment_relative, quiet_until
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import org_scope, organization_zone, unscoped
from zapys.messaging.models import Message
from zapys.messaging.services import Outgoing, message_send, message_send_many
from zapys.schedule.models import Visit
from zapys.visit_messages import events
from zapys.visit_messages.models import (
    LEAD_HOURS,
    QUIET_FROM_DEFAULT,
    QUIET_TO_DEFAULT,
    REMINDER_HOURS_DEFAULT,
    VisitMessageSettings,
    VisitNotice,
)

#: A visit starting sooner than this gets neither a confirmation (a walk-in entered at the
#: desk is sitting in the chair) nor a reminder (too late to be of use).
MIN_NOTICE = timedelta(minutes=30)
BATCH = 500
MAX_BATCHES = 20

Kind = VisitNotice.Kind
Outcome = VisitNotice.Outcome


# --- settings ------------------------------------------------------------------------------


def settings_get(organization: Organization) -> VisitMessageSettings:
    """The organization's settings (unsaved defaults when it has none)."""
    found = VisitMessageSettings.objects.for_org(organization).first()
    return found or VisitMessageSettings(organization=organization)


SETTINGS_FIELDS = (
    "confirm_online",
    "confirm_staff",
    "remind",
    "reminder_hours",
    "second_reminder_hours",
    "quiet_from",
    "quiet_to",
)


def settings_update(
    *, organization: Organization, actor: Actor, **fields: Any
) -> VisitMessageSettings:
    """Change the given fields (audited); a lead time not offered, or a second reminder not
    later than the first, is a field error and nothing is saved."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    with transaction.atomic():
        current = VisitMessageSettings.objects.for_org(
            organization
        ).select_for_update().first() or VisitMessageSettings(organization=organization)
        before = {name: getattr(current, name) for name in SETTINGS_FIELDS}
        for name, value in fields.items():
            if name in ("quiet_from", "quiet_to") and isinstance(value, time):
                value = value.replace(second=0, microsecond=0)
            setattr(current, name, value)
        if current.reminder_hours not in LEAD_HOURS:
            raise DomainError(_("Choose one of the offered times."), field="reminder_hours")
        second = current.second_reminder_hours or 0
        if second and second not in LEAD_HOURS:
            raise DomainError(_("Choose one of the offered times."), field="second_reminder_hours")
        if second and second >= current.reminder_hours:
            raise DomainError(
                _(
                    "The second reminder goes closer to the visit than the first: choose fewer hours."
                ),
                field="second_reminder_hours",
            )
        current.second_reminder_hours = second
        after = {name: getattr(current, name) for name in SETTINGS_FIELDS}
        if current.pk and before == after:
            return current
        current.save()
        audit_record(
            organization=organization,
            actor=actor,
            action="visit_messages.settings",
            obj=current,
            changes=changes_between(
                {k: _plain(v) for k, v in before.items()}, {k: _plain(v) for k, v in after.items()}
            ),
        )
    return current


def _plain(value: Any) -> Any:
    return value.strftime("%H:%M") if isinstance(value, time) else value


# --- what a message says ---------------------------------------------------------------------


class When:
    """The visit's start as a person says it, in the language the message is written in:
    «завтра о 15:00» / "tomorrow at 15:00" near the visit, «7 грудня о 15:00» further."""

    def __init__(self, local: datetime, today: date) -> None:
        self.local, self.today = local, today

    def __str__(self) -> str:
        return moment_relative(self.local, today=self.today)


def message_variables(visit: Visit, now: datetime) -> dict[str, Any]:
    """The variables of `events.VARIABLES` for a visit (its branch, service and staff loaded)."""
    organization = visit.organization
    tz = organization_zone(organization)
    local = visit.starts_at.astimezone(tz)
    branch = visit.branch
    staff = visit.staff
    return {
        "client": visit.client,
        "service": visit.title,
        "specialist": staff.get_full_name() or staff.username,
        "when": When(local, now.astimezone(tz).date()),
        "date": local.date(),  # words in the message's language (messaging.rendering)
        "time": local.strftime("%H:%M"),
        "branch": branch.name,
        "address": branch.address or organization.address or branch.name,
        "phone": display_phone(branch.phone or organization.phone),
    }


def _key(kind: str, visit: Visit) -> str:
    return f"visit-{kind}:{visit.pk}:{int(visit.starts_at.timestamp())}"


# --- the confirmation ----------------------------------------------------------------------


def confirmation_send(visit: Visit, *, now: datetime | None = None) -> VisitNotice | None:
    """Tell the client their visit is booked, once per visit and start, if the organization
    confirms bookings made this way (online, or by staff and the API). Nothing for a visit
    cancelled meanwhile, one starting within `MIN_NOTICE`, a group lesson, or one waiting
    for a prepayment (the payment link and then «we received…» tell the client)."""
    now = now or timezone.now()
    organization = visit.organization
    settings = settings_get(organization)
    online = visit.source == Visit.Source.ONLINE
    if not (settings.confirm_online if online else settings.confirm_staff):
        return None
    fresh = (
        Visit.objects.for_org(organization)
        .select_related("organization", "client", "service", "staff", "branch")
        .filter(pk=visit.pk)
        .first()
    )
    if fresh is None or not _confirmable(fresh, now):
        return None
    with transaction.atomic():
        notice, created = VisitNotice.objects.for_org(organization).get_or_create(
            visit=fresh,
            client=fresh.client,
            kind=Kind.CONFIRMATION,
            starts_at=fresh.starts_at,
            defaults={"organization": organization},
        )
        if not created:
            return notice
        try:
            message = message_send(
                organization=organization,
                event=events.CONFIRMATION,
                variables=message_variables(fresh, now),
                actor=Actor.system("visit confirmation"),
                client=fresh.client,
                related=fresh,
                idempotency_key=_key(Kind.CONFIRMATION, fresh),
            )
        except DomainError:
            message = None
        if message is None:
            notice.outcome = Outcome.NOT_SENT
            notice.save(update_fields=["outcome"])
    return notice


def _confirmable(visit: Visit, now: datetime) -> bool:
    return (
        visit.kind == Visit.Kind.INDIVIDUAL
        and visit.blocks_time
        and visit.client is not None
        and visit.client.deleted_at is None
        and visit.booking_state == Visit.BookingState.NONE
        and visit.starts_at > now + MIN_NOTICE
    )


# --- the reminders -------------------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    not_needed: int = 0
    not_sent: int = 0
    waiting_for_morning: int = 0

    def summary(self) -> str:
        return (
            f"reminded {self.reminded}, not needed {self.not_needed}, "
            f"no channel {self.not_sent}, organizations in quiet hours {self.waiting_for_morning}"
        )


@dataclass(frozen=True)
class _Rules:
    first: timedelta | None
    second: timedelta | None
    quiet_from: time
    quiet_to: time


_DEFAULT_RULES = _Rules(
    timedelta(hours=REMINDER_HOURS_DEFAULT), None, QUIET_FROM_DEFAULT, QUIET_TO_DEFAULT
)


def _rules_of(row: VisitMessageSettings) -> _Rules:
    if not row.remind:
        return _Rules(None, None, row.quiet_from, row.quiet_to)
    second = timedelta(hours=row.second_reminder_hours) if row.second_reminder_hours else None
    return _Rules(timedelta(hours=row.reminder_hours), second, row.quiet_from, row.quiet_to)


def _lead(rules: _Rules, kind: str) -> timedelta | None:
    return rules.first if kind == Kind.REMINDER else rules.second


def reminders_sweep(
    now: datetime, *, batch: int = BATCH, max_batches: int = MAX_BATCHES
) -> SweepResult:
    """Send the reminders whose time has come (each organization's lead time before the
    visit), outside the organization's quiet hours: a reminder due at night goes when they
    end, if the visit is still more than `MIN_NOTICE` ahead, else not at all."""
    result = SweepResult()
    with unscoped():
        rows = {row.organization_id: _rules_of(row) for row in VisitMessageSettings.objects.all()}
    for kind in (Kind.SECOND_REMINDER, Kind.REMINDER):
        _sweep_kind(kind, now, rows, result, batch, max_batches)
    return result


def _due(kind: str, now: datetime, rows: dict[int, _Rules]) -> Q | None:
    """Visits whose `kind` of reminder is due: one window per lead time (a few choices)."""
    by_lead: dict[timedelta, list[int]] = defaultdict(list)
    for org_id, rules in rows.items():
        lead = _lead(rules, kind)
        if lead is not None:
            by_lead[lead].append(org_id)
    due = [Q(organization_id__in=ids, starts_at__lte=now + lead) for lead, ids in by_lead.items()]
    default = _lead(_DEFAULT_RULES, kind)
    if default is not None:
        due.append(~Q(organization_id__in=list(rows)) & Q(starts_at__lte=now + default))
    if not due:
        return None
    found = due[0]
    for more in due[1:]:
        found |= more
    return found


def _sweep_kind(
    kind: str,
    now: datetime,
    rows: dict[int, _Rules],
    result: SweepResult,
    batch: int,
    max_batches: int,
) -> None:
    due = _due(kind, now, rows)
    if due is None:
        return
    with unscoped():
        told = VisitNotice.objects.filter(
            visit_id=OuterRef("pk"), kind=kind, starts_at=OuterRef("starts_at")
        )
        candidates = (
            Visit.objects.filter(
                due,
                kind=Visit.Kind.INDIVIDUAL,
                blocks_time=True,
                client__isnull=False,
                client__deleted_at__isnull=True,
                starts_at__gt=now + MIN_NOTICE,
            )
            .exclude(booking_state=Visit.BookingState.PENDING)
            .exclude(Exists(told))
            .select_related("organization", "client", "service", "staff", "branch")
            .order_by("starts_at", "id")
        )
    quiet: set[int] = set()
    for _round in range(max_batches):
        with unscoped():
            visits = list(candidates.exclude(organization_id__in=quiet)[:batch])
        if not visits:
            break
        awake = []
        for visit in visits:
            org = visit.organization
            rules = rows.get(org.pk, _DEFAULT_RULES)
            if org.pk in quiet:
                continue
            if quiet_until(now, organization_zone(org), rules.quiet_from, rules.quiet_to):
                quiet.add(org.pk)
                result.waiting_for_morning += 1
                continue
            awake.append(visit)
        if awake:
            _remind(kind, now, awake, rows, result)
        if len(visits) < batch:
            break


def _remind(
    kind: str, now: datetime, visits: list[Visit], rows: dict[int, _Rules], result: SweepResult
) -> None:
    """One batch: decide, claim (insert the notices; ours are those with our token), queue."""
    token = uuid.uuid4().hex
    with unscoped(), transaction.atomic():
        confirmed = {
            (visit_id, starts_at): created_at
            for visit_id, starts_at, created_at in VisitNotice.objects.filter(
                visit_id__in=[v.pk for v in visits], kind=Kind.CONFIRMATION
            ).values_list("visit_id", "starts_at", "created_at")
        }
        notices = []
        for visit in visits:
            rules = rows.get(visit.organization_id, _DEFAULT_RULES)
            outcome = (
                Outcome.NOT_NEEDED
                if _not_needed(kind, visit, rules, now, confirmed)
                else Outcome.QUEUED
            )
            notices.append(
                VisitNotice(
                    organization_id=visit.organization_id,
                    visit=visit,
                    client=visit.client,
                    kind=kind,
                    starts_at=visit.starts_at,
                    outcome=outcome,
                    claim=token,
                )
            )
        VisitNotice.objects.bulk_create(notices, ignore_conflicts=True)
        claimed = dict(VisitNotice.objects.filter(claim=token).values_list("visit_id", "outcome"))
        ours = [v for v in visits if claimed.get(v.pk) == Outcome.QUEUED]
        result.not_needed += sum(1 for o in claimed.values() if o == Outcome.NOT_NEEDED)
        by_org: dict[int, list[Visit]] = defaultdict(list)
        for visit in ours:
            by_org[visit.organization_id].append(visit)
        keys: dict[str, int] = {}
        for group in by_org.values():
            org = group[0].organization
            with org_scope(org):
                message_send_many(
                    organization=org,
                    event=events.REMINDER,
                    messages=[
                        Outgoing(
                            client=visit.client,  # type: ignore[arg-type]  # the query's
                            variables=message_variables(visit, now),
                            idempotency_key=_key(kind, visit),
                            related=visit,
                        )
                        for visit in group
                    ],
                    now=now,
                )
            keys.update({_key(kind, visit): visit.pk for visit in group})
        if not keys:
            return
        queued = set(
            Message.objects.filter(
                organization_id__in=list(by_org), idempotency_key__in=list(keys)
            ).values_list("idempotency_key", flat=True)
        )
        unsent = [pk for key, pk in keys.items() if key not in queued]
        if unsent:
            VisitNotice.objects.filter(claim=token, visit_id__in=unsent).update(
                outcome=Outcome.NOT_SENT
            )
        result.not_sent += len(unsent)
        result.reminded += len(keys) - len(unsent)


def _not_needed(
    kind: str,
    visit: Visit,
    rules: _Rules,
    now: datetime,
    confirmed: dict[tuple[int, datetime], datetime],
) -> bool:
    """A reminder not sent: the booking was confirmed inside the reminder's window (the
    confirmation named this very time a moment ago), or the first reminder is so late that
    the second one's time has come too (one message, not two in a minute)."""
    lead = _lead(rules, kind)
    confirmed_at = confirmed.get((visit.pk, visit.starts_at))
    if lead is not None and confirmed_at is not None and confirmed_at >= visit.starts_at - lead:
        return True
    return (
        kind == Kind.REMINDER and rules.second is not None and now >= visit.starts_at - rules.second
    )
