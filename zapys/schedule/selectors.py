"""Reads for the schedule: settings, free slots, the calendar, visit lists, a client's visits.

Every read here runs a constant number of queries regardless of how many specialists or
visits it covers (asserted in tests): the calendar is 4 queries, free slots 4.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.catalog.selectors import service_branch_and_specialist_ids
from zapys.clients.selectors import client_list
from zapys.core.tenancy import organization_zone
from zapys.schedule.models import (
    Attendance,
    HoursException,
    OnlineBookingAttempt,
    ScheduleSettings,
    Visit,
    WorkingHours,
)

# --- settings ------------------------------------------------------------------------------


def schedule_settings_for(organization: Organization) -> ScheduleSettings:
    """The organization's settings row (created with defaults on first use: every
    organization has settings, and a page that shows them must not fail on a new one)."""
    found = ScheduleSettings.objects.for_org(organization).first()
    if found is not None:
        return found
    obj, _created = ScheduleSettings.objects.for_org(organization).get_or_create(
        organization=organization
    )
    return obj


def online_rate_limited(*, organization: Organization, ip: str | None, now: datetime) -> bool:
    """Whether `ip` has made the organization's limit of booking attempts in the last minute."""
    limit = schedule_settings_for(organization).online_rate_limit_per_minute
    recent = OnlineBookingAttempt.objects.filter(
        ip_address=ip, created_at__gte=now - timedelta(minutes=1)
    ).count()
    return recent >= limit


# --- working time --------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime
    staff_id: int
    branch_id: int


def _working_intervals(
    *,
    organization: Organization,
    date_from: date,
    date_to: date,
    staff_ids: Iterable[int] | None,
    branch_ids: Iterable[int] | None,
) -> dict[int, list[tuple[datetime, datetime, int]]]:
    """{staff_id: [(start UTC, end UTC, branch_id)]} from weekly hours and exceptions:
    two queries."""
    tz = organization_zone(organization)
    hours = WorkingHours.objects.for_org(organization).filter(staff__is_active=True)
    exceptions = HoursException.objects.for_org(organization).filter(
        date__gte=date_from, date__lte=date_to
    )
    if staff_ids is not None:
        ids = list(staff_ids)
        hours = hours.filter(staff_id__in=ids)
        exceptions = exceptions.filter(staff_id__in=ids)
    if branch_ids is not None:
        b_ids = list(branch_ids)
        hours = hours.filter(branch_id__in=b_ids)
        exceptions = exceptions.filter(branch_id__in=b_ids)
    weekly: dict[tuple[int, int], list[tuple[int, time, time]]] = defaultdict(list)
    for staff_id, branch_id, weekday, start, end in hours.values_list(
        "staff_id", "branch_id", "weekday", "start", "end"
    ):
        weekly[(staff_id, weekday)].append((branch_id, start, end))
    days_off: set[tuple[int, int, date]] = set()
    extra: dict[tuple[int, date], list[tuple[int, time, time]]] = defaultdict(list)
    for staff_id, branch_id, day, kind, start, end in exceptions.values_list(
        "staff_id", "branch_id", "date", "kind", "start", "end"
    ):
        if kind == HoursException.Kind.DAY_OFF:
            days_off.add((staff_id, branch_id, day))
        elif start and end:
            extra[(staff_id, day)].append((branch_id, start, end))
    staff_set = {s for s, _w in weekly} | {s for s, _d in extra}
    result: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    day = date_from
    while day <= date_to:
        for staff_id in staff_set:
            for branch_id, start, end in weekly.get((staff_id, day.weekday()), []) + extra.get(
                (staff_id, day), []
            ):
                if (staff_id, branch_id, day) in days_off:
                    continue
                result[staff_id].append(
                    (
                        datetime.combine(day, start, tz).astimezone(UTC),
                        datetime.combine(day, end, tz).astimezone(UTC),
                        branch_id,
                    )
                )
        day += timedelta(days=1)
    for intervals in result.values():
        intervals.sort()
    return result


def free_slots(
    *,
    organization: Organization,
    service: Service,
    date_from: date,
    date_to: date,
    staff_ids: Iterable[int] | None = None,
    branch: Branch | None = None,
    now: datetime | None = None,
    online: bool = False,
    settings: ScheduleSettings | None = None,
) -> list[Slot]:
    """Start times at which `service` fits: working hours minus visits (each padded by the
    buffer on both sides), stepping by the configured slot step.

    Whose hours: "any specialist" (`staff_ids` None) means any who performs the service
    (`Service.specialists`; none listed: anyone in its branches). A specialist named by
    staff or the API is searched as asked (a front desk may book anyone); online, a named
    specialist who does not perform the service has no slots.

    Queries: the service's branches and specialists (one; none when prefetched), weekly
    hours, exceptions, visits — four, however many specialists and days. Time is linear in
    slots + visits (a moving pointer over each specialist's visits sorted by start; one
    person's visits never overlap).
    """
    settings = settings or schedule_settings_for(organization)
    now = now or timezone.now()
    earliest = now + timedelta(minutes=settings.online_min_lead_minutes if online else 0)
    step = timedelta(minutes=max(5, settings.slot_step_minutes))
    buffer = timedelta(minutes=settings.buffer_minutes)
    duration = timedelta(minutes=service.duration_minutes)
    service_branch_ids, performer_ids = service_branch_and_specialist_ids(service)
    if performer_ids and staff_ids is None:
        staff_ids = sorted(performer_ids)
    elif performer_ids and online:
        staff_ids = [pk for pk in staff_ids or () if pk in performer_ids]
        if not staff_ids:
            return []
    branch_ids: set[int] | None = service_branch_ids or None
    if branch is not None:
        if branch_ids is not None and branch.pk not in branch_ids:
            return []
        branch_ids = {branch.pk}
    intervals = _working_intervals(
        organization=organization,
        date_from=date_from,
        date_to=date_to,
        staff_ids=staff_ids,
        branch_ids=branch_ids,
    )
    if not intervals:
        return []
    range_start = min(i[0][0] for i in intervals.values()) - buffer
    range_end = max(i[-1][1] for i in intervals.values()) + buffer
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for staff_id, starts_at, ends_at in (
        Visit.objects.for_org(organization)
        .filter(
            blocks_time=True,
            staff_id__in=list(intervals),
            starts_at__lt=range_end,
            ends_at__gt=range_start,
        )
        .order_by("staff_id", "starts_at")
        .values_list("staff_id", "starts_at", "ends_at")
    ):
        busy[staff_id].append((starts_at - buffer, ends_at + buffer))
    slots: list[Slot] = []
    for staff_id, staff_intervals in intervals.items():
        taken = busy.get(staff_id, [])
        ends = [e for _s, e in taken]
        for start, end, branch_id in staff_intervals:
            t = start
            if t < earliest:
                t = start + step * -(-(earliest - start) // step)
            # first busy block that ends after t
            i = bisect.bisect_right(ends, t)
            while t + duration <= end:
                while i < len(taken) and taken[i][1] <= t:
                    i += 1
                if i < len(taken) and taken[i][0] < t + duration:
                    # jump past the busy block, staying on the step grid
                    t = start + step * -(-(taken[i][1] - start) // step)
                    continue
                slots.append(Slot(t, t + duration, staff_id, branch_id))
                t += step
    slots.sort(key=lambda s: (s.start, s.staff_id))
    return slots


# --- calendar ------------------------------------------------------------------------------


@dataclass
class CalendarData:
    staff: list[User]
    visits: list[Visit]
    days: list[date]
    hours: dict[tuple[int, date], list[tuple[datetime, datetime]]] = field(default_factory=dict)


def calendar_staff(*, organization: Organization, branch: Branch) -> QuerySet[User]:
    """Columns of the calendar: the branch's specialists and anyone with hours there."""
    has_hours = WorkingHours.objects.for_org(organization).filter(
        staff=OuterRef("pk"), branch=branch
    )
    return (
        User.objects.for_org(organization)
        .filter(is_active=True)
        .annotate(has_hours=Exists(has_hours))  # hours set here at all: see `outside_hours`
        .filter(Q(branches=branch, role=User.Role.SPECIALIST) | Q(has_hours=True))
        .distinct()
        .order_by("first_name", "last_name", "id")
    )


def calendar_visits(
    *, organization: Organization, branch: Branch, start: datetime, end: datetime
) -> QuerySet[Visit]:
    """Visits shown in the calendar: system-cancelled ones (hidden statuses) leave it."""
    return (
        Visit.objects.for_org(organization)
        .filter(branch=branch, starts_at__lt=end, ends_at__gt=start)
        .filter(status__hidden_in_calendar=False)
        .select_related("status", "client", "service", "group", "subject", "room", "lesson_type")
        .annotate(
            participant_count=Count(
                "attendances", filter=~Q(attendances__state=Attendance.State.CANCELLED)
            )
        )
        .order_by("starts_at", "id")
    )


def calendar_data(
    *,
    organization: Organization,
    branch: Branch,
    first_day: date,
    days: int,
    staff_ids: Iterable[int] | None = None,
) -> CalendarData:
    tz = organization_zone(organization)
    day_list = [first_day + timedelta(days=i) for i in range(days)]
    start = datetime.combine(first_day, time.min, tz)
    end = datetime.combine(first_day + timedelta(days=days), time.min, tz)
    staff_qs = calendar_staff(organization=organization, branch=branch)
    if staff_ids:
        staff_qs = staff_qs.filter(pk__in=list(staff_ids))
    staff = list(staff_qs)
    visits = list(calendar_visits(organization=organization, branch=branch, start=start, end=end))
    known = {s.pk for s in staff}
    # A visit of someone who is no longer a column (moved branch) still shows: add them.
    missing = {v.staff_id for v in visits} - known
    if missing:
        staff += list(User.objects.for_org(organization).filter(pk__in=missing))
    intervals = _working_intervals(
        organization=organization,
        date_from=first_day,
        date_to=day_list[-1],
        staff_ids=[s.pk for s in staff],
        branch_ids=[branch.pk],
    )
    hours: dict[tuple[int, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    for staff_id, items in intervals.items():
        for s, e, _b in items:
            local = s.astimezone(tz)
            hours[(staff_id, local.date())].append((local, e.astimezone(tz)))
    return CalendarData(staff=staff, visits=visits, days=day_list, hours=dict(hours))


# --- working hours of one visit -------------------------------------------------------------


def outside_hours(
    start: datetime, end: datetime, intervals: list[tuple[datetime, datetime]]
) -> bool:
    """A visit not within one of its specialist's working intervals of that day (none: a
    day off). The calendar's marker and the visit card's warning both ask this."""
    return not any(s <= start and end <= e for s, e in intervals)


def visit_hours_warning(visit: Visit) -> str:
    """Words for a visit outside its specialist's working hours in its branch, or "".

    Staff may book outside them (a favour, overtime, a client who can only come late), so
    this is a warning shown after saving and on the card, never a refusal. Nothing is said
    for a cancelled visit (it takes no time) or for a specialist with no weekly hours in
    this branch at all: their hours are unknown, not "off" (a salon that never filled them
    in would see the warning on every visit). Two or three queries."""
    if not visit.blocks_time:
        return ""
    organization = visit.organization
    tz = organization_zone(organization)
    start, end = visit.starts_at.astimezone(tz), visit.ends_at.astimezone(tz)
    found = _working_intervals(
        organization=organization,
        date_from=start.date(),
        date_to=start.date(),
        staff_ids=[visit.staff_id],
        branch_ids=[visit.branch_id],
    ).get(visit.staff_id, [])
    intervals = [(s.astimezone(tz), e.astimezone(tz)) for s, e, _b in found]
    if not outside_hours(start, end, intervals):
        return ""
    if (
        not intervals
        and not WorkingHours.objects.for_org(organization)
        .filter(staff_id=visit.staff_id, branch_id=visit.branch_id)
        .exists()
    ):
        return ""
    if not intervals:
        return _("Outside working hours: %(staff)s does not work on this day.") % {
            "staff": visit.staff
        }
    return _("Outside working hours: %(staff)s works %(hours)s on this day.") % {
        "staff": visit.staff,
        "hours": ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in intervals),
    }


def visit_service_warning(visit: Visit) -> str:
    """Words for an appointment whose specialist does not perform its service, or "":
    «Ольга Ткачук не виконує «Стрижка жіноча».»

    Like the working hours, a warning and never a refusal: a front desk may book anyone
    (a stand-in, a specialist learning the service); the online booking is the one that
    refuses (`services.online`). A service with no one listed is anyone's. One query."""
    if visit.kind != Visit.Kind.INDIVIDUAL or not visit.blocks_time:
        return ""
    return service_staff_warning(visit.service, visit.staff)


def service_staff_warning(service: Service | None, staff: User | None) -> str:
    """The same words for a service and a specialist not booked yet: the new-visit and move
    forms say it as they are filled in, before the visit is saved. One query (none when the
    service's specialists are prefetched)."""
    if service is None or staff is None or service.performed_by(staff.pk):
        return ""
    return _("%(staff)s does not perform “%(service)s”.") % {
        "staff": staff,
        "service": service.name,
    }


# --- lists -----------------------------------------------------------------------------------


def visit_list(
    *,
    organization: Organization,
    date_from: date | None = None,
    date_to: date | None = None,
    staff_id: int | None = None,
    client_id: int | None = None,
    branch_id: int | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> QuerySet[Visit]:
    """Visits for lists and the API (system-cancelled ones included). `status` is a status
    code or id."""
    tz = organization_zone(organization)
    qs = (
        Visit.objects.for_org(organization)
        .select_related("status", "client", "service", "group", "room", "staff", "branch")
        .prefetch_related("attendances")
        .order_by("starts_at", "id")
    )
    if date_from:
        qs = qs.filter(starts_at__gte=datetime.combine(date_from, time.min, tz))
    if date_to:
        qs = qs.filter(starts_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tz))
    if staff_id:
        qs = qs.filter(staff_id=staff_id)
    if client_id:
        qs = qs.filter(Q(client_id=client_id) | Q(attendances__client_id=client_id)).distinct()
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if status:
        qs = (
            qs.filter(status_id=int(status)) if status.isdigit() else qs.filter(status__code=status)
        )
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def client_attendances(
    *,
    organization: Organization,
    client_id: int,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Attendance]:
    """A client's visits and lessons (the client card's tab), newest first."""
    tz = organization_zone(organization)
    qs = (
        Attendance.objects.for_org(organization)
        .filter(client_id=client_id)
        .select_related(
            "visit",
            "visit__status",
            "visit__service",
            "visit__group",
            "visit__subject",
            "visit__staff",
            "visit__branch",
        )
        .order_by("-visit__starts_at", "-id")
    )
    if date_from:
        qs = qs.filter(visit__starts_at__gte=datetime.combine(date_from, time.min, tz))
    if date_to:
        qs = qs.filter(
            visit__starts_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tz)
        )
    return qs


# --- the new-visit dialog's client picker ---------------------------------------------------

CLIENT_PICKER_LIMIT = 20


def client_picker(*, search: str, limit: int = CLIENT_PICKER_LIMIT) -> list[Any]:
    """Up to `limit` (+1, to tell "there are more") living clients of the active
    organization matching `search` by name, phone or e-mail, ordered by name: one query,
    whatever the number of clients (the clients app's own search, without its tags)."""

    search = " ".join(search.split())[:100]
    if not search:
        return []
    return list(
        client_list(search=search)
        .prefetch_related(None)
        .only("id", "name", "phone", "email")[: limit + 1]
    )
