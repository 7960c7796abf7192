"""Visit confirmations and reminders: the settings, the confirmation a booking gets and the
periodic reminder sweep.

A confirmation answers a booking just made (the schedule's hooks, after the commit): the
client is there, so the quiet hours do not hold it back. A reminder is the sweep's
(`jobs.py`, every minute): set-based, a constant number of queries per batch of visits and
organization, and never twice — a `VisitNotice` row per visit, client, kind and start,
inserted with ON CONFLICT DO NOTHING and claimed by the run's token, so two workers never
send the same reminder. A visit moved to another time has no row for its new start and is
reminded of it. A group lesson reminds each participant still booked (a row per participant,
read in the same set-based way: the queries do not grow with the participants).

A moved visit (`moved_notices`, the schedule's after-move hook) is told its new time at once,
or — moved in the quiet hours — by the reminder sweep when they end (`_moves_waiting`); a
`VisitNotice` row of kind `moved` per visit and new start, claimed by a token the same way.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.clients.models import Client
from zapys.clients.phones import display_phone
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.dates import moment_in_words, moment_relative, quiet_until
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import org_scope, organization_zone, unscoped
from zapys.messaging.models import Message
from zapys.messaging.services import Outgoing, message_send, message_send_many
from zapys.schedule.hooks import VacatedTime
from zapys.schedule.models import Attendance, Visit
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
    "notify_moved",
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


class WhenExactly(When):
    """A start told by its date, never «завтра»: «8 грудня о 12:00» (a moved visit's
    previous time, beside the new one said as `When` says it)."""

    def __str__(self) -> str:
        return moment_in_words(self.local, today=self.today)


def message_variables(visit: Visit, now: datetime, client: Client | None = None) -> dict[str, Any]:
    """The variables of `events.VARIABLES` for a visit (its branch, service and staff loaded)
    told to `client` (a group lesson's participant; else the visit's client)."""
    organization = visit.organization
    tz = organization_zone(organization)
    local = visit.starts_at.astimezone(tz)
    branch = visit.branch
    staff = visit.staff
    return {
        "client": client or visit.client,
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
    for a prepayment (the payment link and then «we received…» tell the client).

    Runs after every `visit_create`: a visit that cannot be confirmed (no client, a walk-in,
    a lesson) costs no query, and the organization's switch is read with the visit, in one
    (most organizations leave staff bookings unconfirmed)."""
    now = now or timezone.now()
    if not _may_confirm(visit, now):
        return None
    organization = visit.organization
    switch = "confirm_online" if visit.source == Visit.Source.ONLINE else "confirm_staff"
    fresh = (
        Visit.objects.for_org(organization)
        .select_related("organization", "client", "service", "staff", "branch")
        .filter(pk=visit.pk)
        .annotate(
            confirm=Coalesce(
                Subquery(
                    VisitMessageSettings.objects.filter(
                        organization_id=OuterRef("organization_id")
                    ).values(switch)[:1]
                ),
                Value(getattr(VisitMessageSettings(), switch)),  # no row: the default
            )
        )
        .first()
    )
    if fresh is None or not fresh.confirm or not _confirmable(fresh, now):
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


def _may_confirm(visit: Visit, now: datetime) -> bool:
    """What the visit's own row says (no query: the client is not loaded)."""
    return (
        visit.kind == Visit.Kind.INDIVIDUAL
        and visit.blocks_time
        and visit.client_id is not None
        and visit.booking_state == Visit.BookingState.NONE
        and visit.starts_at > now + MIN_NOTICE
    )


def _confirmable(visit: Visit, now: datetime) -> bool:
    return _may_confirm(visit, now) and visit.client is not None and visit.client.deleted_at is None


# --- the reminders -------------------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    not_needed: int = 0
    not_sent: int = 0
    waiting_for_morning: int = 0
    #: «visit moved» messages kept through the quiet hours, sent now
    moved: int = 0

    def summary(self) -> str:
        return (
            f"reminded {self.reminded}, not needed {self.not_needed}, "
            f"no channel {self.not_sent}, organizations in quiet hours {self.waiting_for_morning}, "
            f"moves told in the morning {self.moved}"
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
    _moves_waiting(now, rows, result, batch * max_batches)
    return result


def _due(kind: str, now: datetime, rows: dict[int, _Rules], prefix: str = "") -> Q | None:
    """Visits whose `kind` of reminder is due: one window per lead time (a few choices).
    `prefix`: the path to the visit ("visit__" from a lesson's participant)."""
    by_lead: dict[timedelta, list[int]] = defaultdict(list)
    for org_id, rules in rows.items():
        lead = _lead(rules, kind)
        if lead is not None:
            by_lead[lead].append(org_id)
    starts = f"{prefix}starts_at__lte"
    due = [Q(organization_id__in=ids, **{starts: now + lead}) for lead, ids in by_lead.items()]
    default = _lead(_DEFAULT_RULES, kind)
    if default is not None:
        due.append(~Q(organization_id__in=list(rows)) & Q(**{starts: now + default}))
    if not due:
        return None
    found = due[0]
    for more in due[1:]:
        found |= more
    return found


#: A reminder's addressee: the visit and the client told (an appointment's client, or one
#: participant of a group lesson — each participant gets their own).
_Target = tuple[Visit, Client]


def _sweep_kind(
    kind: str,
    now: datetime,
    rows: dict[int, _Rules],
    result: SweepResult,
    batch: int,
    max_batches: int,
) -> None:
    due = _due(kind, now, rows)
    seats_due = _due(kind, now, rows, prefix="visit__")
    if due is None or seats_due is None:
        return
    with unscoped():
        told = VisitNotice.objects.filter(
            visit_id=OuterRef("pk"), kind=kind, starts_at=OuterRef("starts_at")
        )
        appointments = (
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
        seat_told = VisitNotice.objects.filter(
            visit_id=OuterRef("visit_id"),
            client_id=OuterRef("client_id"),
            kind=kind,
            starts_at=OuterRef("visit__starts_at"),
        )
        # a group lesson's participants still booked (not cancelled, not yet marked)
        seats = (
            Attendance.objects.filter(
                seats_due,
                visit__kind=Visit.Kind.LESSON,
                visit__blocks_time=True,
                visit__starts_at__gt=now + MIN_NOTICE,
                state=Attendance.State.PLANNED,
                client__deleted_at__isnull=True,
            )
            .exclude(Exists(seat_told))
            .select_related(
                "client",
                "visit__organization",
                "visit__staff",
                "visit__branch",
                "visit__group",
                "visit__subject",
                "visit__lesson_type",
            )
            .order_by("visit__starts_at", "id")
        )
    _sweep_targets(
        kind, now, rows, result, batch, max_batches, appointments, lambda v: (v, v.client)
    )
    _sweep_targets(
        kind, now, rows, result, batch, max_batches, seats, lambda a: (a.visit, a.client)
    )


def _sweep_targets(
    kind: str,
    now: datetime,
    rows: dict[int, _Rules],
    result: SweepResult,
    batch: int,
    max_batches: int,
    candidates: Any,
    target: Any,
) -> None:
    """Remind `candidates` (a query of visits or of participants; `target` makes each a
    (visit, client)) batch by batch, an organization in its quiet hours left out."""
    quiet: set[int] = set()
    for _round in range(max_batches):
        with unscoped():
            found = [target(row) for row in candidates.exclude(organization_id__in=quiet)[:batch]]
        if not found:
            break
        awake = []
        for visit, client in found:
            org = visit.organization
            rules = rows.get(org.pk, _DEFAULT_RULES)
            if org.pk in quiet:
                continue
            if quiet_until(now, organization_zone(org), rules.quiet_from, rules.quiet_to):
                quiet.add(org.pk)
                result.waiting_for_morning += 1
                continue
            awake.append((visit, client))
        if awake:
            _remind(kind, now, awake, rows, result)
        if len(found) < batch:
            break


def _target_key(kind: str, visit: Visit, client: Client) -> str:
    # an appointment's key as it always was; a lesson's names its participant too
    key = _key(kind, visit)
    return f"{key}:{client.pk}" if visit.kind == Visit.Kind.LESSON else key


def _remind(
    kind: str, now: datetime, targets: list[_Target], rows: dict[int, _Rules], result: SweepResult
) -> None:
    """One batch: decide, claim (insert the notices; ours are those with our token), queue."""
    token = uuid.uuid4().hex
    with unscoped(), transaction.atomic():
        confirmed = {
            (visit_id, client_id, starts_at): created_at
            for visit_id, client_id, starts_at, created_at in VisitNotice.objects.filter(
                visit_id__in={v.pk for v, _c in targets},
                kind__in=[Kind.CONFIRMATION, Kind.MOVED],
                outcome=Outcome.QUEUED,
            ).values_list("visit_id", "client_id", "starts_at", "created_at")
        }
        notices = []
        for visit, client in targets:
            rules = rows.get(visit.organization_id, _DEFAULT_RULES)
            outcome = (
                Outcome.NOT_NEEDED
                if _not_needed(kind, visit, client, rules, now, confirmed)
                else Outcome.QUEUED
            )
            notices.append(
                VisitNotice(
                    organization_id=visit.organization_id,
                    visit=visit,
                    client=client,
                    kind=kind,
                    starts_at=visit.starts_at,
                    outcome=outcome,
                    claim=token,
                )
            )
        VisitNotice.objects.bulk_create(notices, ignore_conflicts=True)
        claimed = {
            (visit_id, client_id): outcome
            for visit_id, client_id, outcome in VisitNotice.objects.filter(claim=token).values_list(
                "visit_id", "client_id", "outcome"
            )
        }
        ours = [(v, c) for v, c in targets if claimed.get((v.pk, c.pk)) == Outcome.QUEUED]
        result.not_needed += sum(1 for o in claimed.values() if o == Outcome.NOT_NEEDED)
        by_org: dict[int, list[_Target]] = defaultdict(list)
        for visit, client in ours:
            by_org[visit.organization_id].append((visit, client))
        keys: dict[str, tuple[int, int]] = {}
        for group in by_org.values():
            org = group[0][0].organization
            with org_scope(org):
                message_send_many(
                    organization=org,
                    event=events.REMINDER,
                    messages=[
                        Outgoing(
                            client=client,
                            variables=message_variables(visit, now, client),
                            idempotency_key=_target_key(kind, visit, client),
                            related=visit,
                        )
                        for visit, client in group
                    ],
                    now=now,
                )
            keys.update({_target_key(kind, v, c): (v.pk, c.pk) for v, c in group})
        if not keys:
            return
        queued = set(
            Message.objects.filter(
                organization_id__in=list(by_org), idempotency_key__in=list(keys)
            ).values_list("idempotency_key", flat=True)
        )
        unsent = [pair for key, pair in keys.items() if key not in queued]
        if unsent:
            missed = Q()
            for visit_id, client_id in unsent:
                missed |= Q(visit_id=visit_id, client_id=client_id)
            VisitNotice.objects.filter(missed, claim=token).update(outcome=Outcome.NOT_SENT)
        result.not_sent += len(unsent)
        result.reminded += len(keys) - len(unsent)


def _not_needed(
    kind: str,
    visit: Visit,
    client: Client,
    rules: _Rules,
    now: datetime,
    confirmed: dict[tuple[int, int, datetime], datetime],
) -> bool:
    """A reminder not sent: the booking was confirmed inside the reminder's window (the
    confirmation — or the «visit moved» message — named this very time a moment ago), or the first reminder is so late that
    the second one's time has come too (one message, not two in a minute)."""
    lead = _lead(rules, kind)
    confirmed_at = confirmed.get((visit.pk, client.pk, visit.starts_at))
    if lead is not None and confirmed_at is not None and confirmed_at >= visit.starts_at - lead:
        return True
    return (
        kind == Kind.REMINDER and rules.second is not None and now >= visit.starts_at - rules.second
    )


# --- «your visit moved» ----------------------------------------------------------------------

_VISIT_LOADED = (
    "visit__organization",
    "visit__client",
    "visit__service",
    "visit__staff",
    "visit__branch",
    "previous_staff",
)


def moved_notices(times: list[VacatedTime], *, now: datetime | None = None) -> int:
    """Tell the clients of moved visits (another start or specialist; the schedule's hook
    after the move commits — the calendar, the API, the client's own move from the link)
    their new time, if the organization tells moves (`notify_moved`). Not for a visit moved
    from a time already past or to one within `MIN_NOTICE`, a cancelled visit, a group
    lesson or a visit without a living client. Once per visit and new start: a `moved` row,
    claimed like the reminders' (a retried hook finds it). A move during the organization's
    quiet hours waits and the reminder sweep sends it when they end. Returns how many were
    sent now. A set of moves costs a constant number of queries."""
    now = now or timezone.now()
    before = {moved.visit_id: moved for moved in times}
    with unscoped():
        # one query when the organization does not tell moves (the default)
        tells = VisitMessageSettings.objects.filter(
            organization_id=OuterRef("organization_id"), notify_moved=True
        )
        visits = [
            visit
            for visit in Visit.objects.filter(
                Exists(tells),
                pk__in=list(before),
                kind=Visit.Kind.INDIVIDUAL,
                blocks_time=True,
                client__isnull=False,
                client__deleted_at__isnull=True,
                starts_at__gt=now + MIN_NOTICE,
            ).select_related("organization")
            if before[visit.pk].starts_at > now
        ]
        if not visits:
            return 0
        wanted = {
            row.organization_id: row
            for row in VisitMessageSettings.objects.filter(
                organization_id__in={v.organization_id for v in visits}
            )
        }
    token = uuid.uuid4().hex
    with unscoped(), transaction.atomic():
        # What was told (or waits to be) of an earlier move names a start the visit no
        # longer has: this move replaces it, so a visit moved back to a time told before is
        # told again.
        earlier = Q()
        for visit in visits:
            earlier |= Q(visit_id=visit.pk) & ~Q(starts_at=visit.starts_at)
        VisitNotice.objects.filter(earlier, kind=Kind.MOVED).delete()
        notices = []
        for visit in visits:
            rules = wanted[visit.organization_id]
            quiet = quiet_until(
                now, organization_zone(visit.organization), rules.quiet_from, rules.quiet_to
            )
            moved = before[visit.pk]
            notices.append(
                VisitNotice(
                    organization_id=visit.organization_id,
                    visit=visit,
                    client_id=visit.client_id,
                    kind=Kind.MOVED,
                    starts_at=visit.starts_at,
                    moved_from=moved.starts_at,
                    previous_staff_id=moved.staff_id,
                    outcome=Outcome.WAITING if quiet else Outcome.QUEUED,
                    claim=token,
                )
            )
        VisitNotice.objects.bulk_create(notices, ignore_conflicts=True)
        claimed = list(
            VisitNotice.objects.filter(claim=token, outcome=Outcome.QUEUED).select_related(
                *_VISIT_LOADED
            )
        )
        return _moves_send(claimed, now)


def _moves_waiting(now: datetime, rows: dict[int, _Rules], result: SweepResult, limit: int) -> None:
    """The «visit moved» messages kept through the quiet hours: sent once an organization's
    end, unless the visit moved again, was cancelled or is about to start (then `stale`)."""
    with unscoped():
        waiting = list(
            VisitNotice.objects.filter(kind=Kind.MOVED, outcome=Outcome.WAITING)
            .select_related("organization")
            .order_by("id")[:limit]
        )
    awake = [
        notice.pk
        for notice in waiting
        if not quiet_until(
            now,
            organization_zone(notice.organization),
            rows.get(notice.organization_id, _DEFAULT_RULES).quiet_from,
            rows.get(notice.organization_id, _DEFAULT_RULES).quiet_to,
        )
    ]
    if not awake:
        return
    token = uuid.uuid4().hex
    with unscoped(), transaction.atomic():
        VisitNotice.objects.filter(pk__in=awake, outcome=Outcome.WAITING).update(
            outcome=Outcome.QUEUED, claim=token
        )
        claimed = list(VisitNotice.objects.filter(claim=token).select_related(*_VISIT_LOADED))
        stale = [notice.pk for notice in claimed if not _still_true(notice, now)]
        if stale:
            VisitNotice.objects.filter(pk__in=stale).update(outcome=Outcome.STALE)
        result.moved += _moves_send([n for n in claimed if n.pk not in stale], now)


def _still_true(notice: VisitNotice, now: datetime) -> bool:
    visit = notice.visit
    return (
        visit.starts_at == notice.starts_at
        and visit.blocks_time
        and visit.client is not None
        and visit.client.deleted_at is None
        and visit.starts_at > now + MIN_NOTICE
    )


def _moves_send(notices: list[VisitNotice], now: datetime) -> int:
    """Queue the claimed `moved` notices' messages (inside the caller's transaction), per
    organization in one `message_send_many`; a notice no channel carried is `not_sent`."""
    by_org: dict[int, list[VisitNotice]] = defaultdict(list)
    for notice in notices:
        by_org[notice.organization_id].append(notice)
    keys: dict[str, int] = {}
    for group in by_org.values():
        org = group[0].visit.organization
        with org_scope(org):
            message_send_many(
                organization=org,
                event=events.MOVED,
                messages=[
                    Outgoing(
                        client=notice.visit.client,  # type: ignore[arg-type]  # checked
                        variables=_moved_variables(notice, now),
                        idempotency_key=f"visit-moved:{notice.pk}",
                        related=notice.visit,
                    )
                    for notice in group
                ],
                now=now,
            )
        keys.update({f"visit-moved:{notice.pk}": notice.pk for notice in group})
    if not keys:
        return 0
    queued = set(
        Message.objects.filter(
            organization_id__in=list(by_org), idempotency_key__in=list(keys)
        ).values_list("idempotency_key", flat=True)
    )
    unsent = [pk for key, pk in keys.items() if key not in queued]
    if unsent:
        VisitNotice.objects.filter(pk__in=unsent).update(outcome=Outcome.NOT_SENT)
    return len(keys) - len(unsent)


def _moved_variables(notice: VisitNotice, now: datetime) -> dict[str, Any]:
    """The visit's variables and `was`: the previous start in words («8 грудня о 12:00»),
    or the previous specialist when only the specialist changed."""
    visit = notice.visit
    found = message_variables(visit, now)
    tz = organization_zone(visit.organization)
    if notice.moved_from is not None and notice.moved_from != visit.starts_at:
        found["was"] = WhenExactly(notice.moved_from.astimezone(tz), now.astimezone(tz).date())
    else:
        staff = notice.previous_staff
        found["was"] = (staff.get_full_name() or staff.username) if staff else ""
    return found
