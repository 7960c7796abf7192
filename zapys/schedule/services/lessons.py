"""Group lessons, weekly series of them, and their participants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Group, LessonType, Room, Subject
from zapys.clients.models import Client
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError, NotFound
from zapys.core.tenancy import organization_zone
from zapys.core.text import strip_control
from zapys.schedule import hooks
from zapys.schedule.models import Attendance, LessonSeries, Visit
from zapys.schedule.services.occupancy import lock_row, same_org, save_checked, time_take
from zapys.schedule.services.statuses import visit_status_default

MAX_LESSONS_IN_SERIES = 400


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
    same_org(
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
        starts_at = starts_at.replace(tzinfo=organization_zone(organization))
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
    tz = organization_zone(organization)
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
        taken = time_take(
            organization=organization,
            staff=staff,
            starts_at=start,
            ends_at=end,
            actor=actor,
            room=room,
        )
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
        save_checked(lesson)
        taken(lesson)
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
        raise DomainError(_("Participants can be added to group classes only."), field="visit_id")
    same_org(visit.organization, client_id=client)
    # the waiting list's seat offers first, then the lesson: the order a seat payment takes
    seat_taken = hooks.run_seat_taking(
        organization=visit.organization, lesson_id=visit.pk, actor=actor
    )
    lock_row(Visit, visit.pk)
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
    seat_taken(client.pk, visit.capacity - taken - 1)
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="lesson.participant_add",
        obj=visit,
        changes={"client_id": client.pk},
    )
    return attendance
