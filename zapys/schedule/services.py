"""Writes for the schedule: statuses, working hours, visits, lessons, attendance, online booking.

Double booking. `_check_free` runs inside the caller's transaction after locking the
specialist's row (and the room's), so two concurrent bookings of the same person queue
on that lock and the second one sees the first one's visit. On SQLite the IMMEDIATE
transaction mode already serialises writers; on PostgreSQL migration 0002 adds exclusion
constraints (btree_gist, `tstzrange(starts_at, ends_at) &&` per staff and per room, only
for rows that block time) as the backstop any code path hits.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Group, LessonType, Room, Service, Subject
from zapys.clients import services as clients
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from zapys.core.models import AuditLog
from zapys.core.tenancy import organization_zone
from zapys.core.text import clean_line, strip_control
from zapys.ledger import services as ledger
from zapys.memberships import services as memberships
from zapys.schedule import hooks
from zapys.schedule.models import (
    Attendance,
    HoursException,
    LessonSeries,
    OnlineBookingAttempt,
    ScheduleSettings,
    Visit,
    VisitStatus,
    WorkingHours,
)

SYSTEM_ACTOR_KINDS = {
    AuditLog.ActorKind.SYSTEM,
    AuditLog.ActorKind.SCHEDULER,
    AuditLog.ActorKind.PROVIDER,
}
MAX_LESSONS_IN_SERIES = 400

# code, English name (translated into the organization's language when created), colour,
# order, flags. "cancelled_unpaid" is the system status the prepayment app cancels into.
DEFAULT_STATUSES: list[tuple[str, str, str, int, dict[str, bool]]] = [
    ("booked", gettext_noop("Booked"), "#0d6efd", 10, {"is_default": True}),
    ("confirmed", gettext_noop("Confirmed"), "#6f42c1", 20, {}),
    ("came", gettext_noop("Came"), "#198754", 30, {"counts_as_came": True}),
    ("no_show", gettext_noop("No-show"), "#fd7e14", 40, {"is_no_show": True}),
    ("cancelled", gettext_noop("Cancelled"), "#6c757d", 50, {"is_cancellation": True}),
    (
        "cancelled_unpaid",
        gettext_noop("Cancelled: booking unpaid"),
        "#dc3545",
        60,
        {"is_cancellation": True, "hidden_in_calendar": True, "is_system": True},
    ),
]


def org_tz(organization: Organization) -> ZoneInfo:
    return organization_zone(organization)


def local_dt(organization: Organization, day: date, at: time) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=org_tz(organization))


def _is_system(actor: Actor) -> bool:
    return actor.kind in SYSTEM_ACTOR_KINDS


# --- settings and statuses ---------------------------------------------------------------


def schedule_settings_for(organization: Organization) -> ScheduleSettings:
    """The organization's settings row (created with defaults on first use)."""
    found = ScheduleSettings.objects.for_org(organization).first()
    if found is not None:
        return found
    obj, _created = ScheduleSettings.objects.for_org(organization).get_or_create(
        organization=organization
    )
    return obj


SETTINGS_FIELDS = (
    "buffer_minutes",
    "slot_step_minutes",
    "charge_without_membership",
    "online_booking_enabled",
    "online_min_lead_minutes",
    "online_days_ahead",
    "online_rate_limit_per_minute",
)
#: Inclusive bounds of the numeric settings, for the settings page and the API alike: a lead
#: time or a horizon beyond them only made date arithmetic overflow on the booking pages.
SETTINGS_BOUNDS: dict[str, tuple[int, int]] = {
    "buffer_minutes": (0, 240),
    "slot_step_minutes": (5, 240),
    "online_min_lead_minutes": (0, 30 * 24 * 60),
    "online_days_ahead": (1, 365),
    "online_rate_limit_per_minute": (1, 1000),
}


@transaction.atomic
def schedule_settings_update(
    *, organization: Organization, actor: Actor, **fields: Any
) -> ScheduleSettings:
    if actor.user is not None and not actor.user.can_manage_settings():
        raise PermissionDenied(_("Only the owner can change the schedule settings."))
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown settings: {', '.join(sorted(unknown))}")
    if "slot_step_minutes" in fields and not 5 <= int(fields["slot_step_minutes"]) <= 240:
        raise DomainError(
            _("The slot step must be between 5 and 240 minutes."), field="slot_step_minutes"
        )
    if "buffer_minutes" in fields and not 0 <= int(fields["buffer_minutes"]) <= 240:
        raise DomainError(
            _("The buffer must be between 0 and 240 minutes."), field="buffer_minutes"
        )
    for name in ("online_min_lead_minutes", "online_days_ahead", "online_rate_limit_per_minute"):
        low, high = SETTINGS_BOUNDS[name]
        if name in fields and not low <= int(fields[name]) <= high:
            raise DomainError(
                _("“%(field)s” must be between %(min)s and %(max)s.")
                % {
                    "field": getattr(ScheduleSettings._meta.get_field(name), "verbose_name", name),
                    "min": low,
                    "max": high,
                },
                field=name,
            )
    obj = schedule_settings_for(organization)
    before = {k: getattr(obj, k) for k in fields}
    for key, value in fields.items():
        setattr(obj, key, value)
    if fields:
        obj.save(update_fields=list(fields))
    audit_record(
        organization=organization,
        actor=actor,
        action="schedule_settings.update",
        obj=obj,
        changes=changes_between(before, fields),
    )
    return obj


def visit_statuses_ensure(*, organization: Organization) -> dict[str, VisitStatus]:
    """The organization's statuses by code, creating the default set the first time."""
    statuses = {s.code: s for s in VisitStatus.objects.for_org(organization)}
    if statuses:
        return statuses
    with transaction.atomic(), translation.override(organization.language or "uk"):
        for code, name, color, order, flags in DEFAULT_STATUSES:
            status, _created = VisitStatus.objects.for_org(organization).get_or_create(
                organization=organization,
                code=code,
                defaults={"name": _(name), "color": color, "order": order, **flags},
            )
            statuses[code] = status
    return statuses


def visit_status_default(organization: Organization) -> VisitStatus:
    """The status a new visit gets (the organization's default; "booked" otherwise)."""
    statuses = visit_statuses_ensure(organization=organization)
    for status in statuses.values():
        if status.is_default and not status.is_system:
            return status
    return statuses.get("booked") or next(iter(statuses.values()))


def _status_by_code(organization: Organization, code: str) -> VisitStatus:
    statuses = visit_statuses_ensure(organization=organization)
    if code not in statuses:
        raise DomainError(f"The status {code!r} does not exist.", field="status_id")
    return statuses[code]


def _first_status(organization: Organization, **flags: bool) -> VisitStatus:
    statuses = visit_statuses_ensure(organization=organization)
    for status in sorted(statuses.values(), key=lambda s: (s.order, s.pk)):
        if status.is_system or not status.is_active:
            continue
        if all(getattr(status, k) == v for k, v in flags.items()):
            return status
    return visit_status_default(organization)


STATUS_FIELDS = (
    "name",
    "color",
    "order",
    "counts_as_came",
    "is_cancellation",
    "is_no_show",
    "hidden_in_calendar",
    "is_default",
    "is_active",
)


def _validate_status_fields(fields: dict[str, Any]) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        raise DomainError(_("Enter the status name."), field="name")
    color = fields.get("color")
    if color is not None and (
        len(color) != 7
        or not color.startswith("#")
        or any(c not in "0123456789abcdefABCDEF" for c in color[1:])
    ):
        raise DomainError(_("Enter a colour like #1a2b3c."), field="color")
    flags = [k for k in ("counts_as_came", "is_cancellation", "is_no_show") if fields.get(k)]
    if len(flags) > 1:
        raise DomainError(
            _("A status can be only one of: came, no-show, cancellation."), field="counts_as_came"
        )


@transaction.atomic
def visit_status_create(
    *,
    organization: Organization,
    name: str,
    actor: Actor,
    color: str = "#0d6efd",
    order: int = 100,
    counts_as_came: bool = False,
    is_cancellation: bool = False,
    is_no_show: bool = False,
    hidden_in_calendar: bool = False,
    is_system: bool = False,
    code: str = "",
) -> VisitStatus:
    """A new status. `is_system=True` only for system actors (e.g. the prepayment app
    creating its own cancellation status)."""
    if is_system and not _is_system(actor):
        raise PermissionDenied(_("Only the system can create system statuses."))
    fields = {
        "name": clean_line(name),
        "color": color,
        "order": order,
        "counts_as_came": counts_as_came,
        "is_cancellation": is_cancellation,
        "is_no_show": is_no_show,
        "hidden_in_calendar": hidden_in_calendar,
    }
    _validate_status_fields(fields)
    visit_statuses_ensure(organization=organization)
    qs = VisitStatus.objects.for_org(organization)
    if not code:
        n = qs.count() + 1
        code = f"custom-{n}"
        while qs.filter(code=code).exists():
            n += 1
            code = f"custom-{n}"
    elif qs.filter(code=code).exists():
        raise Conflict(_("A status with this code already exists."), field="code")
    status = qs.create(organization=organization, code=code, is_system=is_system, **fields)
    audit_record(
        organization=organization,
        actor=actor,
        action="visit_status.create",
        obj=status,
        changes=fields,
    )
    return status


@transaction.atomic
def visit_status_update(*, status: VisitStatus, actor: Actor, **fields: Any) -> VisitStatus:
    unknown = set(fields) - set(STATUS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if status.is_system and not _is_system(actor):
        behaviour = set(fields) - {"name", "color", "order"}
        if behaviour:
            raise PermissionDenied(
                _("A system status's behaviour cannot be changed; only its name and colour.")
            )
    if "name" in fields:
        fields["name"] = clean_line(str(fields["name"]))
    _validate_status_fields(fields)
    before = {k: getattr(status, k) for k in fields}
    if fields.get("is_default"):
        VisitStatus.objects.for_org(status.organization).exclude(pk=status.pk).update(
            is_default=False
        )
    for key, value in fields.items():
        setattr(status, key, value)
    if fields:
        status.save(update_fields=list(fields))
    audit_record(
        organization=status.organization,
        actor=actor,
        action="visit_status.update",
        obj=status,
        changes=changes_between(before, fields),
    )
    return status


# --- working hours -------------------------------------------------------------------------


def _check_staff_branch(staff: User, branch: Branch, organization: Organization) -> None:
    if staff.organization_id != organization.pk or not staff.is_active:
        raise NotFound(_("Unknown specialist."), field="staff_id")
    if branch.organization_id != organization.pk:
        raise NotFound(_("Unknown branch."), field="branch_id")


def _check_intervals(intervals: list[tuple[time, time]], field: str) -> None:
    ordered = sorted(intervals)
    for start, end in ordered:
        if end <= start:
            raise DomainError(_("The end must be after the start."), field=field)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(ordered):
        if s2 < e1:
            raise DomainError(_("Working intervals of one day overlap."), field=field)


@transaction.atomic
def staff_hours_set(
    *,
    staff: User,
    branch: Branch,
    intervals: Iterable[tuple[int, time, time]],
    actor: Actor,
) -> list[WorkingHours]:
    """Replace the specialist's weekly hours in the branch with `intervals`
    ((weekday 0=Mon, start, end), several per day allowed)."""
    organization = branch.organization
    _check_staff_branch(staff, branch, organization)
    items = list(intervals)
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in items:
        if not 0 <= weekday <= 6:
            raise DomainError(_("The weekday must be 0 (Monday) to 6 (Sunday)."), field="weekday")
        by_day.setdefault(weekday, []).append((start, end))
    for day_intervals in by_day.values():
        _check_intervals(day_intervals, "intervals")
    qs = WorkingHours.objects.for_org(organization).filter(staff=staff, branch=branch)
    before = [f"{h.weekday} {h.start:%H:%M}-{h.end:%H:%M}" for h in qs]
    qs.delete()
    rows = WorkingHours.objects.for_org(organization).bulk_create(
        [
            WorkingHours(
                organization=organization,
                staff=staff,
                branch=branch,
                weekday=weekday,
                start=start,
                end=end,
            )
            for weekday, start, end in sorted(items)
        ]
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="staff_hours.set",
        obj=staff,
        changes={
            "branch_id": branch.pk,
            "hours": [before, [f"{w} {s:%H:%M}-{e:%H:%M}" for w, s, e in sorted(items)]],
        },
    )
    return rows


@transaction.atomic
def hours_exception_create(
    *,
    staff: User,
    branch: Branch,
    on_date: date,
    kind: str,
    actor: Actor,
    start: time | None = None,
    end: time | None = None,
    note: str = "",
) -> HoursException:
    organization = branch.organization
    _check_staff_branch(staff, branch, organization)
    if kind not in HoursException.Kind.values:
        raise DomainError(_("Unknown exception kind."), field="kind")
    if kind == HoursException.Kind.EXTRA:
        if start is None or end is None:
            raise DomainError(_("Enter the extra hours."), field="start")
        _check_intervals([(start, end)], "end")
    else:
        start = end = None
    exc = HoursException.objects.for_org(organization).create(
        organization=organization,
        staff=staff,
        branch=branch,
        date=on_date,
        kind=kind,
        start=start,
        end=end,
        note=clean_line(note),
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="staff_hours.exception_create",
        obj=exc,
        changes={"date": on_date, "kind": kind, "start": start, "end": end},
    )
    return exc


@transaction.atomic
def hours_exception_delete(*, exception: HoursException, actor: Actor) -> None:
    audit_record(
        organization=exception.organization,
        actor=actor,
        action="staff_hours.exception_delete",
        obj=exception,
        changes={"date": exception.date, "kind": exception.kind},
    )
    exception.delete()


# --- visits ------------------------------------------------------------------------------


def _lock(model: Any, pk: int) -> None:
    """Row lock (PostgreSQL) that serialises bookings of one specialist / room."""
    list(model._base_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))


def _describe(visit: Visit) -> str:
    tz = org_tz(visit.organization)
    start = visit.starts_at.astimezone(tz)
    end = visit.ends_at.astimezone(tz)
    return f"«{visit.title}» {date_format(start, 'SHORT_DATE_FORMAT')} {start:%H:%M}–{end:%H:%M}"


def _check_free(
    *,
    organization: Organization,
    staff: User,
    starts_at: datetime,
    ends_at: datetime,
    room: Room | None = None,
    exclude_id: int | None = None,
) -> None:
    """Conflict (409, naming the visit) when the specialist or the room is taken."""
    _lock(User, staff.pk)
    if room is not None:
        _lock(Room, room.pk)
    base = (
        Visit.objects.for_org(organization)
        .filter(blocks_time=True, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("service", "group", "subject", "lesson_type", "organization")
    )
    if exclude_id is not None:
        base = base.exclude(pk=exclude_id)
    clash = base.filter(staff=staff).order_by("starts_at").first()
    if clash is not None:
        raise Conflict(
            _("%(staff)s is busy at this time: %(visit)s.")
            % {"staff": staff, "visit": _describe(clash)},
            field="starts_at",
            extra={"conflicting_visit_id": clash.pk},
        )
    if room is not None:
        clash = base.filter(room=room).order_by("starts_at").first()
        if clash is not None:
            raise Conflict(
                _("The room %(room)s is taken at this time: %(visit)s.")
                % {"room": room, "visit": _describe(clash)},
                field="room_id",
                extra={"conflicting_visit_id": clash.pk},
            )


def _save_checked(visit: Visit, **kwargs: Any) -> None:
    """Save; an exclusion-constraint violation (PostgreSQL backstop) becomes a 409."""
    try:
        with transaction.atomic():
            visit.save(**kwargs)
    except IntegrityError as exc:
        if "overlap" in str(exc):
            raise Conflict(_("This time is already taken."), field="starts_at") from exc
        raise


def _same_org(organization: Organization, **objs: Any) -> None:
    for field, obj in objs.items():
        if obj is not None and getattr(obj, "organization_id", None) != organization.pk:
            raise NotFound(_("Unknown object."), field=field)


def _resolve_branch(
    organization: Organization, staff: User, service: Service | None, branch: Branch | None
) -> Branch:
    if branch is not None:
        return branch
    staff_branches = list(staff.branches.all())
    if service is not None:
        service_branch_ids = {b.pk for b in service.branches.all()}
        for candidate in staff_branches:
            if not service_branch_ids or candidate.pk in service_branch_ids:
                return candidate
    if staff_branches:
        return staff_branches[0]
    first = Branch.objects.for_org(organization).order_by("name", "id").first()
    if first is None:
        raise DomainError(_("Choose a branch."), field="branch_id")
    return first


def _annotate_warnings(visit: Visit, now: datetime) -> Visit:
    visit.in_past = visit.starts_at < now  # type: ignore[attr-defined]
    return visit


@transaction.atomic
def visit_create(
    *,
    organization: Organization,
    client: Client,
    staff: User,
    service: Service,
    starts_at: datetime,
    actor: Actor,
    branch: Branch | None = None,
    price: int | None = None,
    duration_minutes: int | None = None,
    comment: str = "",
    source: str = Visit.Source.STAFF,
    status: VisitStatus | None = None,
    allow_past: bool = True,
    now: datetime | None = None,
) -> Visit:
    """An individual appointment. The end comes from the service's duration (or
    `duration_minutes`), the price from the service (or `price`).

    A visit in the past is allowed for staff (entering yesterday's walk-in) and carries
    `in_past=True` so the UI/API can warn; the public page passes `allow_past=False`.
    """
    now = now or timezone.now()
    _same_org(
        organization,
        client_id=client,
        staff_id=staff,
        service_id=service,
        branch_id=branch,
        status_id=status,
    )
    if not staff.is_active:
        raise DomainError(_("This specialist is not active."), field="staff_id")
    if getattr(client, "deleted_at", None) is not None:
        raise DomainError(_("This client is deleted."), field="client_id")
    if not service.is_active:
        raise DomainError(_("This service is not available."), field="service_id")
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=org_tz(organization))
    if not allow_past and starts_at < now:
        raise DomainError(_("This time has already passed."), field="starts_at")
    minutes = duration_minutes if duration_minutes is not None else service.duration_minutes
    if minutes <= 0:
        raise DomainError(_("The end must be after the start."), field="duration_minutes")
    if price is not None and price < 0:
        raise DomainError(_("The price cannot be negative."), field="price")
    branch = _resolve_branch(organization, staff, service, branch)
    service_branch_ids = set(service.branches.values_list("id", flat=True))
    if service_branch_ids and branch.pk not in service_branch_ids:
        raise DomainError(_("This service is not provided in this branch."), field="service_id")
    if status is not None and status.is_system and not _is_system(actor):
        raise PermissionDenied(_("This status can only be set by the system."), field="status_id")
    ends_at = starts_at + timedelta(minutes=minutes)
    _check_free(organization=organization, staff=staff, starts_at=starts_at, ends_at=ends_at)
    status = status or visit_status_default(organization)
    visit = Visit(
        organization=organization,
        kind=Visit.Kind.INDIVIDUAL,
        branch=branch,
        staff=staff,
        client=client,
        service=service,
        starts_at=starts_at,
        ends_at=ends_at,
        price=service.price if price is None else price,
        status=status,
        blocks_time=not status.is_cancellation,
        source=source,
        comment=strip_control(comment),
        capacity=1,
    )
    _save_checked(visit)
    Attendance.objects.for_org(organization).create(
        organization=organization, visit=visit, client=client
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="visit.create",
        obj=visit,
        changes={
            "client_id": client.pk,
            "staff_id": staff.pk,
            "service_id": service.pk,
            "branch_id": branch.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "price": visit.price,
            "source": source,
        },
    )
    return _annotate_warnings(visit, now)


def _occurrences(first: date, until: date, weekdays: list[int]) -> list[date]:
    days: list[date] = []
    day = first
    while day <= until:
        if day.weekday() in weekdays:
            days.append(day)
            if len(days) > MAX_LESSONS_IN_SERIES:
                raise DomainError(
                    _("A series can have at most %(n)s lessons.") % {"n": MAX_LESSONS_IN_SERIES},
                    field="repeat_until",
                )
        day += timedelta(days=1)
    return days


@transaction.atomic
def lesson_create(
    *,
    organization: Organization,
    branch: Branch,
    staff: User,
    starts_at: datetime,
    duration_minutes: int,
    actor: Actor,
    group: Group | None = None,
    subject: Subject | None = None,
    lesson_type: LessonType | None = None,
    room: Room | None = None,
    capacity: int | None = None,
    price: int = 0,
    client_ids: Iterable[int] | None = None,
    repeat_until: date | None = None,
    weekdays: list[int] | None = None,
    comment: str = "",
) -> list[Visit]:
    """A group lesson, or a weekly series of them (`repeat_until`, on `weekdays`, default
    the start's weekday). Participants default to the group's members. Any conflicting
    occurrence refuses the whole series: nothing is created."""
    _same_org(
        organization,
        branch_id=branch,
        staff_id=staff,
        group_id=group,
        subject_id=subject,
        lesson_type_id=lesson_type,
        room_id=room,
    )
    if group is None and subject is None:
        raise DomainError(_("Choose a group or a subject."), field="group_id")
    if duration_minutes <= 0:
        raise DomainError(_("The end must be after the start."), field="duration_minutes")
    if price < 0:
        raise DomainError(_("The price cannot be negative."), field="price")
    if room is not None and room.branch_id != branch.pk:
        raise DomainError(_("The room is in another branch."), field="room_id")
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=org_tz(organization))
    if capacity is None:
        capacity = group.capacity if group is not None else (room.capacity if room else 10)
    if capacity < 1:
        raise DomainError(_("The capacity must be at least 1."), field="capacity")
    if client_ids is None:
        participants = list(group.members.all()) if group is not None else []
    else:
        ids = set(client_ids)
        participants = list(Client.objects.for_org(organization).filter(pk__in=ids))
        if len(participants) != len(ids):
            raise NotFound(_("Unknown client."), field="client_ids")
    if len(participants) > capacity:
        raise DomainError(
            _("%(n)s participants do not fit the capacity of %(cap)s.")
            % {"n": len(participants), "cap": capacity},
            field="capacity",
        )
    tz = org_tz(organization)
    local_start = starts_at.astimezone(tz)
    series = None
    if repeat_until is not None:
        if repeat_until < local_start.date():
            raise DomainError(
                _("The series must end after its first lesson."), field="repeat_until"
            )
        days = sorted(set(weekdays or [local_start.weekday()]))
        if any(not 0 <= d <= 6 for d in days):
            raise DomainError(_("The weekday must be 0 (Monday) to 6 (Sunday)."), field="weekdays")
        dates = _occurrences(local_start.date(), repeat_until, days)
        if not dates:  # e.g. a Saturday start, Mondays only, ending the same week
            raise DomainError(
                _("No lesson falls on these weekdays before the series ends."), field="weekdays"
            )
        series = LessonSeries.objects.for_org(organization).create(
            organization=organization,
            weekdays=days,
            starts_on=local_start.date(),
            until=repeat_until,
        )
    else:
        dates = [local_start.date()]
    status = visit_status_default(organization)
    lessons: list[Visit] = []
    for day in dates:
        start = datetime.combine(day, local_start.timetz().replace(tzinfo=None)).replace(tzinfo=tz)
        end = start + timedelta(minutes=duration_minutes)
        _check_free(organization=organization, staff=staff, starts_at=start, ends_at=end, room=room)
        lesson = Visit(
            organization=organization,
            kind=Visit.Kind.LESSON,
            branch=branch,
            staff=staff,
            group=group,
            subject=subject or (group.subject if group else None),
            lesson_type=lesson_type or (group.lesson_type if group else None),
            room=room,
            capacity=capacity,
            starts_at=start,
            ends_at=end,
            price=price,
            status=status,
            series=series,
            comment=strip_control(comment),
        )
        _save_checked(lesson)
        lessons.append(lesson)
    Attendance.objects.for_org(organization).bulk_create(
        [
            Attendance(organization=organization, visit=lesson, client=client)
            for lesson in lessons
            for client in participants
        ]
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="lesson.create",
        obj=lessons[0],
        changes={
            "count": len(lessons),
            "series_id": series.pk if series else None,
            "staff_id": staff.pk,
            "group_id": group.pk if group else None,
            "room_id": room.pk if room else None,
            "client_ids": sorted(c.pk for c in participants),
        },
    )
    return lessons


@transaction.atomic
def lesson_participant_add(*, visit: Visit, client: Client, actor: Actor) -> Attendance:
    """Add a client to a lesson; refuses a full lesson (capacity) and a duplicate."""
    if visit.kind != Visit.Kind.LESSON:
        raise DomainError(_("Participants can be added to group lessons only."), field="visit_id")
    _same_org(visit.organization, client_id=client)
    _lock(Visit, visit.pk)
    existing = Attendance.objects.for_org(visit.organization).filter(visit=visit)
    if existing.filter(client=client).exists():
        raise Conflict(_("The client is already on this lesson."), field="client_id")
    taken = existing.exclude(state=Attendance.State.CANCELLED).count()
    if taken >= visit.capacity:
        raise Conflict(
            _("The lesson is full (%(cap)s places).") % {"cap": visit.capacity},
            field="client_id",
        )
    attendance = Attendance.objects.for_org(visit.organization).create(
        organization=visit.organization, visit=visit, client=client
    )
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="lesson.participant_add",
        obj=visit,
        changes={"client_id": client.pk},
    )
    return attendance


def _locked_visit(visit: Visit) -> Visit:
    return (
        Visit.objects.for_org(visit.organization)
        .select_for_update(of=("self",))
        .select_related("status", "organization", "service", "group", "branch", "client", "staff")
        .get(pk=visit.pk)
    )


@transaction.atomic
def visit_reschedule(
    *,
    visit: Visit,
    starts_at: datetime,
    actor: Actor,
    staff: User | None = None,
    duration_minutes: int | None = None,
    ends_at: datetime | None = None,
    now: datetime | None = None,
) -> Visit:
    """Move a visit (keeping its length unless a new end/duration is given)."""
    now = now or timezone.now()
    visit = _locked_visit(visit)
    organization = visit.organization
    if not visit.blocks_time:
        raise Conflict(_("A cancelled visit cannot be moved."), field="starts_at")
    if staff is not None:
        _same_org(organization, staff_id=staff)
        if not staff.is_active:
            raise DomainError(_("This specialist is not active."), field="staff_id")
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=org_tz(organization))
    if ends_at is not None:
        if timezone.is_naive(ends_at):
            ends_at = ends_at.replace(tzinfo=org_tz(organization))
        new_end = ends_at
    else:
        new_end = starts_at + timedelta(minutes=duration_minutes or visit.duration_minutes)
    if new_end <= starts_at:
        raise DomainError(_("The end must be after the start."), field="ends_at")
    new_staff = staff or visit.staff
    _check_free(
        organization=organization,
        staff=new_staff,
        starts_at=starts_at,
        ends_at=new_end,
        room=visit.room,
        exclude_id=visit.pk,
    )
    before = {"starts_at": visit.starts_at, "ends_at": visit.ends_at, "staff_id": visit.staff_id}
    visit.starts_at, visit.ends_at, visit.staff = starts_at, new_end, new_staff
    _save_checked(visit, update_fields=["starts_at", "ends_at", "staff"])
    audit_record(
        organization=organization,
        actor=actor,
        action="visit.reschedule",
        obj=visit,
        changes=changes_between(
            {k: str(v) for k, v in before.items()},
            {"starts_at": str(starts_at), "ends_at": str(new_end), "staff_id": str(new_staff.pk)},
        ),
    )
    return _annotate_warnings(visit, now)


@transaction.atomic
def visit_update(
    *, visit: Visit, actor: Actor, price: int | None = None, comment: str | None = None
) -> Visit:
    """Edit what is not time: the price (e.g. a discount) and the comment."""
    visit = _locked_visit(visit)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if price is not None:
        if price < 0:
            raise DomainError(_("The price cannot be negative."), field="price")
        before["price"], after["price"] = visit.price, price
        visit.price = price
    if comment is not None:
        comment = strip_control(comment)
        before["comment"], after["comment"] = visit.comment, comment
        visit.comment = comment
    if after:
        visit.save(update_fields=list(after))
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="visit.update",
        obj=visit,
        changes=changes_between(before, after),
    )
    return visit


def _attendance_state_for(status: VisitStatus) -> str:
    if status.counts_as_came:
        return Attendance.State.ATTENDED
    if status.is_no_show:
        return Attendance.State.ABSENT
    if status.is_cancellation:
        return Attendance.State.CANCELLED
    return Attendance.State.PLANNED


def _set_status(visit: Visit, status: VisitStatus, actor: Actor, now: datetime) -> None:
    """Move the (locked) visit to `status`, freeing or re-taking its time."""
    if status.is_cancellation and not visit.blocks_time:
        pass
    elif not status.is_cancellation and not visit.blocks_time:
        # Un-cancelling takes the time again: it must still be free.
        _check_free(
            organization=visit.organization,
            staff=visit.staff,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            room=visit.room,
            exclude_id=visit.pk,
        )
    visit.status = status
    visit.blocks_time = not status.is_cancellation
    visit.cancelled_at = now if status.is_cancellation else None
    _save_checked(visit, update_fields=["status", "blocks_time", "cancelled_at"])


@transaction.atomic
def visit_status_set(
    *, visit: Visit, status: VisitStatus, actor: Actor, now: datetime | None = None
) -> Visit:
    """Set a visit's status. System statuses only for system actors. On an appointment,
    a "came" status marks the client attended (consuming a membership visit or charging
    the price), a no-show marks absent, a cancellation cancels — and moving away undoes."""
    now = now or timezone.now()
    visit = _locked_visit(visit)
    organization = visit.organization
    if status.organization_id != organization.pk:
        raise NotFound(_("Unknown status."), field="status_id")
    if status.is_system and not _is_system(actor):
        raise PermissionDenied(
            _("The status «%(name)s» is set by the system only.") % {"name": status.name},
            field="status_id",
        )
    if not status.is_active:
        raise DomainError(_("This status is switched off."), field="status_id")
    before = visit.status
    if before.pk == status.pk:
        return visit
    _set_status(visit, status, actor, now)
    if visit.kind == Visit.Kind.INDIVIDUAL:
        for attendance in Attendance.objects.for_org(organization).filter(visit=visit):
            _attendance_apply(attendance, visit, _attendance_state_for(status), actor, now)
    elif status.is_cancellation:
        for attendance in Attendance.objects.for_org(organization).filter(visit=visit):
            _attendance_apply(attendance, visit, Attendance.State.CANCELLED, actor, now)
    audit_record(
        organization=organization,
        actor=actor,
        action="visit.status",
        obj=visit,
        changes={"status": [before.code, status.code]},
    )
    return visit


def visit_cancel(
    *, visit: Visit, actor: Actor, status: VisitStatus | None = None, now: datetime | None = None
) -> Visit:
    """Cancel into `status` (default: the organization's first cancellation status). The
    prepayment app passes its system status with a system actor."""
    status = status or _first_status(visit.organization, is_cancellation=True)
    if not status.is_cancellation:
        raise DomainError(_("Choose a cancellation status."), field="status_id")
    return visit_status_set(visit=visit, status=status, actor=actor, now=now)


@transaction.atomic
def visit_booking_state_set(*, visit: Visit, state: str, actor: Actor) -> Visit:
    """The prepayment app's display hook: the clock in the calendar (grey/green/red)."""
    if state not in Visit.BookingState.values:
        raise DomainError(f"Unknown booking state {state!r}.", field="booking_state")
    before = visit.booking_state
    Visit.objects.for_org(visit.organization).filter(pk=visit.pk).update(booking_state=state)
    visit.booking_state = state
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="visit.booking_state",
        obj=visit,
        changes={"booking_state": [before, state]},
    )
    return visit


# --- attendance ----------------------------------------------------------------------------


def _attendance_undo_charge(attendance: Attendance, actor: Actor) -> None:
    if attendance.charge == Attendance.Charge.MEMBERSHIP:
        memberships.membership_return_visit(cause=attendance, actor=actor)
    elif attendance.charge == Attendance.Charge.BALANCE and attendance.entry_id:
        # The charge is the attendance's own entry (its cause); one that staff cancelled in
        # the ledger meanwhile is left as it is.
        ledger.entries_cancel_for_cause(cause=attendance, actor=actor, reason="attendance undone")
    attendance.charge = Attendance.Charge.NONE
    attendance.membership_id = None
    attendance.entry_id = None


def _attendance_charge(attendance: Attendance, visit: Visit, actor: Actor) -> None:
    tz = org_tz(visit.organization)
    client = attendance.client
    membership = memberships.membership_consume_visit(
        client=client,
        on_date=visit.starts_at.astimezone(tz).date(),
        actor=actor,
        cause=attendance,
        service=visit.service,
        group=visit.group,
    )
    if membership is not None:
        attendance.charge = Attendance.Charge.MEMBERSHIP
        attendance.membership_id = membership.pk
        return
    settings = schedule_settings_for(visit.organization)
    if settings.charge_without_membership and visit.price > 0:
        entry = ledger.entry_create(
            client=client,
            kind="credit",  # a charge for the service delivered
            amount=visit.price,
            purpose="service",
            actor=actor,
            cause=attendance,
            branch=visit.branch,
            comment=visit.title,
        )
        attendance.charge = Attendance.Charge.BALANCE
        attendance.entry_id = entry.pk


def _attendance_apply(
    attendance: Attendance, visit: Visit, state: str, actor: Actor, now: datetime
) -> bool:
    """Move one attendance to `state`, charging on entering "attended" and undoing on
    leaving it. Returns whether anything changed."""
    if attendance.state == state:
        return False
    before = {"state": attendance.state, "charge": attendance.charge}
    if attendance.state == Attendance.State.ATTENDED:
        _attendance_undo_charge(attendance, actor)
    attendance.state = state
    attendance.marked_at = now if state != Attendance.State.PLANNED else None
    if state == Attendance.State.ATTENDED:
        _attendance_charge(attendance, visit, actor)
    attendance.save(update_fields=["state", "charge", "membership_id", "entry_id", "marked_at"])
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="attendance.mark",
        obj=attendance,
        changes=changes_between(before, {"state": state, "charge": attendance.charge}),
    )
    return True


@transaction.atomic
def attendance_mark(
    *, attendance: Attendance, state: str, actor: Actor, now: datetime | None = None
) -> Attendance:
    """Mark a client attended / absent / cancelled / planned on a visit or lesson.

    Attended consumes a visit of the client's matching membership, or (per the
    organization's setting) charges the price to the balance; leaving "attended" gives
    it back. On an appointment the visit's status follows.
    """
    now = now or timezone.now()
    if state not in Attendance.State.values:
        raise DomainError(_("Unknown attendance state."), field="state")
    attendance = (
        Attendance.objects.for_org(attendance.organization)
        .select_for_update(of=("self",))
        .select_related("client", "visit")
        .get(pk=attendance.pk)
    )
    visit = _locked_visit(attendance.visit)
    if not visit.blocks_time and state != Attendance.State.CANCELLED:
        raise Conflict(_("The visit is cancelled."), field="state")
    if state == Attendance.State.PLANNED or attendance.state == Attendance.State.CANCELLED:
        taken = (
            Attendance.objects.for_org(visit.organization)
            .filter(visit=visit)
            .exclude(pk=attendance.pk)
            .exclude(state=Attendance.State.CANCELLED)
            .count()
        )
        if state != Attendance.State.CANCELLED and taken >= visit.capacity:
            raise Conflict(_("The lesson is full."), field="state")
    changed = _attendance_apply(attendance, visit, state, actor, now)
    if changed and visit.kind == Visit.Kind.INDIVIDUAL:
        flag_map: dict[str, dict[str, bool]] = {
            Attendance.State.ATTENDED: {"counts_as_came": True},
            Attendance.State.ABSENT: {"is_no_show": True},
            Attendance.State.CANCELLED: {"is_cancellation": True},
        }
        flags = flag_map.get(state)
        target = (
            _first_status(visit.organization, **flags)
            if flags
            else visit_status_default(visit.organization)
        )
        if target.pk != visit.status_id:
            _set_status(visit, target, actor, now)
    return attendance


# --- online booking -------------------------------------------------------------------------


def online_rate_limited(*, organization: Organization, ip: str | None, now: datetime) -> bool:
    limit = schedule_settings_for(organization).online_rate_limit_per_minute
    recent = OnlineBookingAttempt.objects.filter(
        ip_address=ip, created_at__gte=now - timedelta(minutes=1)
    ).count()
    return recent >= limit


def online_attempt_record(*, organization: Organization, ip: str | None, now: datetime) -> None:
    """Count an attempt (committed on its own so refused attempts count too)."""
    with transaction.atomic():
        OnlineBookingAttempt.objects.create(
            organization=organization, ip_address=ip, created_at=now
        )
        # Old rows are useless for a one-minute window; trim them as we go.
        OnlineBookingAttempt.objects.filter(created_at__lt=now - timedelta(hours=1)).delete()


class RateLimited(DomainError):
    status = 429


def online_booking_create(
    *,
    organization: Organization,
    service: Service,
    starts_at: datetime,
    name: str,
    phone: str,
    consent: bool,
    ip: str | None,
    staff: User | None = None,
    branch: Branch | None = None,
    now: datetime | None = None,
) -> Visit:
    """A client books themself from the public page. Refuses (nothing written) a spammer
    over the rate limit, an invalid phone, a missing consent, a time that is not a free
    slot in the specialist's working hours. `staff=None` means "any specialist": the
    first one free at that time. After commit the prepayment hook may start a booking."""
    from zapys.schedule.selectors import free_slots  # the selectors read services' org_tz

    now = now or timezone.now()
    if online_rate_limited(organization=organization, ip=ip, now=now):
        raise RateLimited(
            _("Too many bookings from your network. Please wait a minute and try again.")
        )
    online_attempt_record(organization=organization, ip=ip, now=now)
    settings = schedule_settings_for(organization)
    if not settings.online_booking_enabled:
        raise DomainError(_("Online booking is switched off."))
    # Anyone can type here, so control characters go before anything is stored (see
    # `core.text`); the clients service cleans the name again when it creates the client.
    name = " ".join(clean_line(name).split())
    if not name:
        raise DomainError(_("Enter your name."), field="name")
    if len(name) > 200:
        raise DomainError(_("The name is too long."), field="name")
    if not phone.strip():
        raise DomainError(_("Enter your phone number."), field="phone")
    e164 = normalize_phone(phone)
    if not consent:
        raise DomainError(
            _("Please agree to the processing of your personal data."), field="consent"
        )
    if not service.online_booking or not service.is_active:
        raise DomainError(_("This service cannot be booked online."), field="service_id")
    if starts_at < now:
        raise DomainError(_("This time has already passed."), field="starts_at")
    tz = org_tz(organization)
    day = starts_at.astimezone(tz).date()
    slots = free_slots(
        organization=organization,
        service=service,
        date_from=day,
        date_to=day,
        staff_ids=[staff.pk] if staff else None,
        branch=branch,
        now=now,
        online=True,
    )
    candidates = [slot for slot in slots if slot.start == starts_at]
    if not candidates:
        raise DomainError(
            _("This time is no longer available. Please choose another slot."), field="starts_at"
        )
    slot = candidates[0]
    chosen = staff or User.objects.for_org(organization).get(pk=slot.staff_id)
    slot_branch = Branch.objects.for_org(organization).get(pk=slot.branch_id)
    actor = Actor.client_link(f"online booking {e164}")
    with transaction.atomic():
        client, _created = clients.client_find_or_create(
            organization=organization, name=name, phone=e164, actor=actor
        )
        visit = visit_create(
            organization=organization,
            client=client,
            staff=chosen,
            service=service,
            starts_at=starts_at,
            branch=slot_branch,
            actor=actor,
            source=Visit.Source.ONLINE,
            allow_past=False,
            now=now,
        )
        visit_id = visit.pk
        transaction.on_commit(lambda: hooks.run_after_online_visit_created(visit_id))
    return visit
