"""Schedule API (API.md "Visits"): visits, lessons, attendance, statuses, staff hours,
availability, settings."""

import datetime as dt
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zapys.accounts.models import Branch, User
from zapys.catalog.models import Group, LessonType, Room, Service, Subject
from zapys.clients.models import Client
from zapys.core.api import Pagination, referenced_object, request_actor
from zapys.core.exceptions import DomainError, NotFound
from zapys.core.schema_types import (
    Color,
    Count,
    Date,
    DateTime,
    DurationMinutes,
    Id,
    IdList,
    Kopecks,
    Line,
    Note,
    PositiveCount,
    TimeOfDay,
    omittable,
)
from zapys.schedule import hooks, selectors, services
from zapys.schedule.models import Attendance, HoursException, Visit, VisitStatus, WorkingHours

router = Router(tags=["Schedule"])


def _org(request: HttpRequest) -> Any:
    return request.organization  # type: ignore[attr-defined]


# --- schemas -------------------------------------------------------------------------------


class ParticipantOut(Schema):
    id: int
    client_id: int
    state: str
    charge: str
    membership_id: int | None
    entry_id: int | None


class VisitOut(Schema):
    id: int
    kind: str
    status: str
    status_id: int
    status_name: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    price: int
    currency: str
    client_id: int | None
    staff_id: int
    service_id: int | None
    branch_id: int
    group_id: int | None
    subject_id: int | None
    lesson_type_id: int | None
    room_id: int | None
    capacity: int
    source: str
    comment: str
    in_past: bool
    booking_state: str
    booking: dict | None
    participants: list[ParticipantOut]


def visits_out(visits: list[Visit], *, now: datetime | None = None) -> list[dict]:
    """Serialize visits (status, attendances and the organization loaded) with their
    bookings fetched in one batch."""
    now = now or timezone.now()
    bookings = hooks.bookings_for(visits)
    out = []
    for v in visits:
        out.append(
            {
                "id": v.pk,
                "kind": v.kind,
                "status": v.status.code,
                "status_id": v.status_id,
                "status_name": v.status.name,
                "starts_at": v.starts_at,
                "ends_at": v.ends_at,
                "duration_minutes": v.duration_minutes,
                "price": v.price,
                "currency": v.organization.currency,
                "client_id": v.client_id,
                "staff_id": v.staff_id,
                "service_id": v.service_id,
                "branch_id": v.branch_id,
                "group_id": v.group_id,
                "subject_id": v.subject_id,
                "lesson_type_id": v.lesson_type_id,
                "room_id": v.room_id,
                "capacity": v.capacity,
                "source": v.source,
                "comment": v.comment,
                "in_past": v.starts_at < now,
                "booking_state": v.booking_state,
                "booking": bookings.get(v.pk),
                "participants": list(v.attendances.all()),
            }
        )
    return out


def _visit_qs(request: HttpRequest):  # type: ignore[no-untyped-def]
    return (
        Visit.objects.for_org(_org(request))
        .select_related("status", "organization")
        .prefetch_related("attendances")
    )


def _visit_out(request: HttpRequest, visit_id: Id) -> dict:
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    return visits_out([visit])[0]


class VisitList(Schema):
    items: list[VisitOut]
    count: int


Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday")]
#: A visit status's code (a slug, as the model stores it).
StatusCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


class VisitIn(Schema):
    client_id: Id
    staff_id: Id
    service_id: Id
    branch_id: Id | None = None
    starts_at: DateTime
    duration_minutes: DurationMinutes | None = None
    price: Kopecks | None = Field(None, description="kopecks; default: the service's price")
    comment: Note = ""
    status_id: Id | None = None


class VisitPatch(Schema):
    """Fields left out (or null) keep their value."""

    price: Kopecks | None = None
    comment: Note | None = None


class RescheduleIn(Schema):
    starts_at: DateTime
    staff_id: Id | None = None
    duration_minutes: DurationMinutes | None = None
    ends_at: DateTime | None = None


class VisitCancelIn(Schema):
    status_id: Id | None = None


class StatusSetIn(Schema):
    status_id: Id


class LessonIn(Schema):
    branch_id: Id
    staff_id: Id
    starts_at: DateTime
    duration_minutes: DurationMinutes
    group_id: Id | None = None
    subject_id: Id | None = None
    lesson_type_id: Id | None = None
    room_id: Id | None = None
    capacity: PositiveCount | None = None
    price: Kopecks = 0
    client_ids: IdList | None = None
    repeat_until: Date | None = None
    weekdays: Annotated[list[Weekday], Field(max_length=7)] | None = None
    comment: Note = ""


class ParticipantIn(Schema):
    client_id: Id


class AttendanceIn(Schema):
    client_id: Id
    state: Literal["planned", "attended", "absent", "cancelled"]


# --- visits --------------------------------------------------------------------------------


@router.get("/visits", response=VisitList, summary="List visits")
def visits_list(
    request: HttpRequest,
    date_from: Date | None = None,
    date_to: Date | None = None,
    staff_id: Id | None = None,
    client_id: Id | None = None,
    branch_id: Id | None = None,
    status: StatusCode | None = None,
    kind: Literal["individual", "lesson", ""] | None = None,
    limit: Annotated[int, Field(ge=1, le=1000)] = 100,
    offset: Count = 0,
):
    qs = selectors.visit_list(
        organization=_org(request),
        date_from=date_from,
        date_to=date_to,
        staff_id=staff_id,
        client_id=client_id,
        branch_id=branch_id,
        status=status,
        kind=kind,
    ).select_related("organization")
    page = list(qs[offset : offset + limit])
    return {"items": visits_out(page), "count": qs.count()}


@router.post("/visits", response={201: VisitOut}, summary="Create an appointment")
def visits_create(request: HttpRequest, payload: VisitIn):
    visit = services.visit_create(
        organization=_org(request),
        client=referenced_object(Client, payload.client_id, field="client_id"),
        staff=referenced_object(User, payload.staff_id, field="staff_id"),
        service=referenced_object(Service, payload.service_id, field="service_id"),
        branch=referenced_object(Branch, payload.branch_id, field="branch_id"),
        status=referenced_object(VisitStatus, payload.status_id, field="status_id"),
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        price=payload.price,
        comment=payload.comment,
        source=Visit.Source.API,
        actor=request_actor(request),
    )
    return 201, _visit_out(request, visit.pk)


@router.get("/visits/{visit_id}", response=VisitOut, summary="Get a visit")
def visits_get(request: HttpRequest, visit_id: Id):
    return _visit_out(request, visit_id)


@router.patch("/visits/{visit_id}", response=VisitOut, summary="Edit a visit's price/comment")
def visits_update(request: HttpRequest, visit_id: Id, payload: VisitPatch):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    services.visit_update(
        visit=visit, actor=request_actor(request), price=payload.price, comment=payload.comment
    )
    return _visit_out(request, visit_id)


@router.post("/visits/{visit_id}/reschedule", response=VisitOut, summary="Move a visit")
def visits_reschedule(request: HttpRequest, visit_id: Id, payload: RescheduleIn):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    services.visit_reschedule(
        visit=visit,
        starts_at=payload.starts_at,
        staff=referenced_object(User, payload.staff_id, field="staff_id"),
        duration_minutes=payload.duration_minutes,
        ends_at=payload.ends_at,
        actor=request_actor(request),
    )
    return _visit_out(request, visit_id)


@router.post("/visits/{visit_id}/cancel", response=VisitOut, summary="Cancel a visit")
def visits_cancel(request: HttpRequest, visit_id: Id, payload: VisitCancelIn | None = None):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    status = referenced_object(
        VisitStatus, payload.status_id if payload else None, field="status_id"
    )
    services.visit_cancel(visit=visit, status=status, actor=request_actor(request))
    return _visit_out(request, visit_id)


@router.post("/visits/{visit_id}/status", response=VisitOut, summary="Set a visit's status")
def visits_status(request: HttpRequest, visit_id: Id, payload: StatusSetIn):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    status = referenced_object(VisitStatus, payload.status_id, field="status_id")
    services.visit_status_set(visit=visit, status=status, actor=request_actor(request))
    return _visit_out(request, visit_id)


@router.post(
    "/visits/{visit_id}/participants", response={201: ParticipantOut}, summary="Add to a lesson"
)
def visits_participant_add(request: HttpRequest, visit_id: Id, payload: ParticipantIn):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    client = referenced_object(Client, payload.client_id, field="client_id")
    return 201, services.lesson_participant_add(
        visit=visit, client=client, actor=request_actor(request)
    )


@router.post("/visits/{visit_id}/attendance", response=ParticipantOut, summary="Mark attendance")
def visits_attendance(request: HttpRequest, visit_id: Id, payload: AttendanceIn):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    attendance = (
        Attendance.objects.for_org(_org(request))
        .filter(visit=visit, client_id=payload.client_id)
        .first()
    )
    if attendance is None:
        raise NotFound(_("The client is not on this visit."), field="client_id")
    return services.attendance_mark(
        attendance=attendance, state=payload.state, actor=request_actor(request)
    )


@router.post("/lessons", response={201: VisitList}, summary="Create a lesson or a weekly series")
def lessons_create(request: HttpRequest, payload: LessonIn):
    lessons = services.lesson_create(
        organization=_org(request),
        branch=referenced_object(Branch, payload.branch_id, field="branch_id"),
        staff=referenced_object(User, payload.staff_id, field="staff_id"),
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        group=referenced_object(Group, payload.group_id, field="group_id"),
        subject=referenced_object(Subject, payload.subject_id, field="subject_id"),
        lesson_type=referenced_object(LessonType, payload.lesson_type_id, field="lesson_type_id"),
        room=referenced_object(Room, payload.room_id, field="room_id"),
        capacity=payload.capacity,
        price=payload.price,
        client_ids=payload.client_ids,
        repeat_until=payload.repeat_until,
        weekdays=payload.weekdays,
        comment=payload.comment,
        actor=request_actor(request),
    )
    page = list(_visit_qs(request).filter(pk__in=[v.pk for v in lessons]).order_by("starts_at"))
    return 201, {"items": visits_out(page), "count": len(page)}


# --- statuses ------------------------------------------------------------------------------


class StatusOut(Schema):
    id: int
    code: str
    name: str
    color: str
    order: int
    counts_as_came: bool
    is_cancellation: bool
    is_no_show: bool
    hidden_in_calendar: bool
    is_system: bool
    is_default: bool
    is_active: bool


StatusName = Annotated[str, Line(100, min_length=1)]


class StatusIn(Schema):
    name: StatusName
    color: Color = "#0d6efd"
    order: Count = 100
    counts_as_came: bool = False
    is_cancellation: bool = False
    is_no_show: bool = False
    hidden_in_calendar: bool = False


class StatusPatch(Schema):
    """Fields left out keep their value; none of them may be null."""

    name: StatusName = omittable()
    color: Color = omittable()
    order: Count = omittable()
    counts_as_came: bool = omittable()
    is_cancellation: bool = omittable()
    is_no_show: bool = omittable()
    hidden_in_calendar: bool = omittable()
    is_default: bool = omittable()
    is_active: bool = omittable()


@router.get("/visit-statuses", response=list[StatusOut], summary="List visit statuses")
@paginate(Pagination)
def statuses_list(request: HttpRequest):
    services.visit_statuses_ensure(organization=_org(request))
    return VisitStatus.objects.for_org(_org(request)).order_by("order", "id")


@router.put(
    "/visit-statuses/by-code/{code}",
    response=StatusOut,
    summary="Create or update a visit status by its code",
)
def statuses_put(request: HttpRequest, code: StatusCode, payload: StatusIn):
    """Idempotent: the first call creates the organization's status with this code, later
    calls update it (system statuses keep their behaviour)."""
    org = _org(request)
    services.visit_statuses_ensure(organization=org)
    existing = VisitStatus.objects.for_org(org).filter(code=code).first()
    if existing is None:
        return services.visit_status_create(
            organization=org, code=code, actor=request_actor(request), **payload.dict()
        )
    fields = payload.dict()
    if existing.is_system:
        fields = {k: fields[k] for k in ("name", "color", "order")}
    return services.visit_status_update(status=existing, actor=request_actor(request), **fields)


@router.patch("/visit-statuses/{status_id}", response=StatusOut, summary="Edit a visit status")
def statuses_update(request: HttpRequest, status_id: Id, payload: StatusPatch):
    status = get_object_or_404(VisitStatus.objects.for_org(_org(request)), pk=status_id)
    fields = payload.dict(exclude_unset=True)
    return services.visit_status_update(status=status, actor=request_actor(request), **fields)


# --- staff hours ---------------------------------------------------------------------------


class IntervalSchema(Schema):
    weekday: Weekday
    start: TimeOfDay
    end: TimeOfDay


class WeeklyOut(IntervalSchema):
    branch_id: int


class ExceptionOut(Schema):
    id: int
    branch_id: int
    date: dt.date
    kind: str
    start: TimeOfDay | None
    end: TimeOfDay | None
    note: str


class HoursOut(Schema):
    staff_id: int
    hourly_rate: int
    weekly: list[WeeklyOut]
    exceptions: list[ExceptionOut]


class HoursIn(Schema):
    branch_id: Id
    intervals: Annotated[list[IntervalSchema], Field(max_length=7 * 24)]


class ExceptionIn(Schema):
    branch_id: Id
    date: Date
    kind: Literal["day_off", "extra"]
    start: TimeOfDay | None = None
    end: TimeOfDay | None = None
    note: Annotated[str, Line(200)] = ""


def _hours_out(request: HttpRequest, staff: User) -> dict:
    org = _org(request)
    return {
        "staff_id": staff.pk,
        "hourly_rate": staff.hourly_rate,
        "weekly": list(WorkingHours.objects.for_org(org).filter(staff=staff)),
        "exceptions": list(
            HoursException.objects.for_org(org).filter(
                staff=staff, date__gte=timezone.localdate() - timedelta(days=31)
            )
        ),
    }


@router.get("/staff/{staff_id}/hours", response=HoursOut, summary="A specialist's hours")
def hours_get(request: HttpRequest, staff_id: Id):
    return _hours_out(request, get_object_or_404(User.objects.for_org(_org(request)), pk=staff_id))


@router.put("/staff/{staff_id}/hours", response=HoursOut, summary="Replace weekly hours")
def hours_set(request: HttpRequest, staff_id: Id, payload: HoursIn):
    staff = get_object_or_404(User.objects.for_org(_org(request)), pk=staff_id)
    services.staff_hours_set(
        staff=staff,
        branch=referenced_object(Branch, payload.branch_id, field="branch_id"),
        intervals=[(i.weekday, i.start, i.end) for i in payload.intervals],
        actor=request_actor(request),
    )
    return _hours_out(request, staff)


@router.post(
    "/staff/{staff_id}/hours/exceptions",
    response={201: ExceptionOut},
    summary="Add a day off or extra hours",
)
def hours_exception_create(request: HttpRequest, staff_id: Id, payload: ExceptionIn):
    staff = get_object_or_404(User.objects.for_org(_org(request)), pk=staff_id)
    return 201, services.hours_exception_create(
        staff=staff,
        branch=referenced_object(Branch, payload.branch_id, field="branch_id"),
        on_date=payload.date,
        kind=payload.kind,
        start=payload.start,
        end=payload.end,
        note=payload.note,
        actor=request_actor(request),
    )


@router.delete(
    "/staff/{staff_id}/hours/exceptions/{exception_id}",
    response={204: None},
    summary="Remove an exception",
)
def hours_exception_delete(request: HttpRequest, staff_id: Id, exception_id: Id):
    exc = get_object_or_404(
        HoursException.objects.for_org(_org(request)), pk=exception_id, staff_id=staff_id
    )
    services.hours_exception_delete(exception=exc, actor=request_actor(request))
    return 204, None


# --- availability --------------------------------------------------------------------------


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    staff_id: int
    branch_id: int


class AvailabilityOut(Schema):
    service_id: int
    date: dt.date
    days: int
    duration_minutes: int
    items: list[SlotOut]
    count: int


@router.get(
    "/availability",
    response=AvailabilityOut,
    summary="Free slots for a service",
    openapi_extra={"x-errors": [404]},  # the service, staff or branch named is not found
)
def availability(
    request: HttpRequest,
    service_id: Id,
    date: Date,
    staff_id: Id | None = None,
    branch_id: Id | None = None,
    days: Annotated[int, Field(ge=1, le=31)] = 1,
):
    org = _org(request)
    service = referenced_object(Service, service_id, field="service_id")
    if staff_id is not None:
        referenced_object(User, staff_id, field="staff_id")
    branch = referenced_object(Branch, branch_id, field="branch_id")
    slots = selectors.free_slots(
        organization=org,
        service=service,
        date_from=date,
        date_to=date + timedelta(days=days - 1),
        staff_ids=[staff_id] if staff_id else None,
        branch=branch,
    )
    tz = services.org_tz(org)
    items = [
        {
            "starts_at": s.start.astimezone(tz),
            "ends_at": s.end.astimezone(tz),
            "staff_id": s.staff_id,
            "branch_id": s.branch_id,
        }
        for s in slots
    ]
    return {
        "service_id": service.pk,
        "date": date,
        "days": days,
        "duration_minutes": service.duration_minutes,
        "items": items,
        "count": len(items),
    }


# --- settings ------------------------------------------------------------------------------


class ScheduleSettingsOut(Schema):
    buffer_minutes: int
    slot_step_minutes: int
    charge_without_membership: bool
    online_booking_enabled: bool
    online_min_lead_minutes: int
    online_days_ahead: int
    online_rate_limit_per_minute: int


def _bounds(name: str) -> Any:
    low, high = services.SETTINGS_BOUNDS[name]
    return Field(ge=low, le=high)


class ScheduleSettingsPatch(Schema):
    """Fields left out keep their value; none may be null. The numbers have the settings
    page's bounds (`services.SETTINGS_BOUNDS`)."""

    buffer_minutes: Annotated[int, _bounds("buffer_minutes")] = omittable()
    slot_step_minutes: Annotated[int, _bounds("slot_step_minutes")] = omittable()
    charge_without_membership: bool = omittable()
    online_booking_enabled: bool = omittable()
    online_min_lead_minutes: Annotated[int, _bounds("online_min_lead_minutes")] = omittable()
    online_days_ahead: Annotated[int, _bounds("online_days_ahead")] = omittable()
    online_rate_limit_per_minute: Annotated[int, _bounds("online_rate_limit_per_minute")] = (
        omittable()
    )


@router.get("/schedule/settings", response=ScheduleSettingsOut, summary="Schedule settings")
def settings_get(request: HttpRequest):
    return services.schedule_settings_for(_org(request))


@router.patch(
    "/schedule/settings", response=ScheduleSettingsOut, summary="Change schedule settings"
)
def settings_update(request: HttpRequest, payload: ScheduleSettingsPatch):
    fields = payload.dict(exclude_unset=True)
    if not fields:
        raise DomainError(_("Nothing to change."))
    return services.schedule_settings_update(
        organization=_org(request), actor=request_actor(request), **fields
    )
