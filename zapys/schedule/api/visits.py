"""Visits API (API.md "Visits"): appointments, lessons, their participants and attendance."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zapys.accounts.models import Branch, User
from zapys.catalog.models import Group, LessonType, Room, Service, Subject
from zapys.clients.models import Client
from zapys.core.api import referenced_object
from zapys.core.exceptions import NotFound
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import (
    Count,
    Date,
    DateTime,
    DurationMinutes,
    Id,
    IdList,
    Kopecks,
    Note,
    PositiveCount,
)
from zapys.schedule import hooks, selectors, services
from zapys.schedule.api.types import StatusCode, Weekday
from zapys.schedule.models import Attendance, Visit, VisitStatus

router = Router(tags=["Schedule"])


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
        Visit.objects.for_org(request_organization(request))
        .select_related("status", "organization")
        .prefetch_related("attendances")
    )


def _visit_out(request: HttpRequest, visit_id: Id) -> dict:
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    return visits_out([visit])[0]


class VisitList(Schema):
    items: list[VisitOut]
    count: int


class VisitIn(Schema):
    client_id: Id
    staff_id: Id
    service_id: Id
    branch_id: Id | None = None
    starts_at: DateTime
    duration_minutes: DurationMinutes | None = None
    ends_at: DateTime | None = Field(
        None, description="after starts_at; default: starts_at plus duration_minutes"
    )
    price: Kopecks | None = Field(None, description="kopecks; default: the service's price")
    comment: Note = ""
    status_id: Id | None = None


class VisitPatch(Schema):
    """Fields left out (or null) keep their value."""

    ends_at: DateTime | None = Field(None, description="a new end after the same start")
    price: Kopecks | None = None
    comment: Note | None = None


class RescheduleIn(Schema):
    starts_at: DateTime
    staff_id: Id | None = None
    duration_minutes: DurationMinutes | None = None
    ends_at: DateTime | None = None


class VisitCancelIn(Schema):
    status_id: Id | None = None
    by: Literal["staff", "client"] = "staff"
    waive_fee: bool = False
    reason: Note = ""
    rest: Annotated[
        Literal["balance", "refund"] | None,
        Field(description="where the prepayment left after a fee goes, if staff choose"),
    ] = None


class VisitCancelOut(VisitOut):
    cancellation: Annotated[
        dict | None,
        Field(description="{fee, kept, to_balance, refunded, policy_snapshot}: a prepaid visit"),
    ] = None


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
        organization=request_organization(request),
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
        organization=request_organization(request),
        client=referenced_object(Client, payload.client_id, field="client_id"),
        staff=referenced_object(User, payload.staff_id, field="staff_id"),
        service=referenced_object(Service, payload.service_id, field="service_id"),
        branch=referenced_object(Branch, payload.branch_id, field="branch_id"),
        status=referenced_object(VisitStatus, payload.status_id, field="status_id"),
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        ends_at=payload.ends_at,
        price=payload.price,
        comment=payload.comment,
        source=Visit.Source.API,
        actor=request_actor(request),
    )
    return 201, _visit_out(request, visit.pk)


@router.get("/visits/{visit_id}", response=VisitOut, summary="Get a visit")
def visits_get(request: HttpRequest, visit_id: Id):
    return _visit_out(request, visit_id)


@router.patch(
    "/visits/{visit_id}", response=VisitOut, summary="Edit a visit's end, price or comment"
)
def visits_update(request: HttpRequest, visit_id: Id, payload: VisitPatch):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    services.visit_update(
        visit=visit,
        actor=request_actor(request),
        ends_at=payload.ends_at,
        price=payload.price,
        comment=payload.comment,
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


@router.post("/visits/{visit_id}/cancel", response=VisitCancelOut, summary="Cancel a visit")
def visits_cancel(request: HttpRequest, visit_id: Id, payload: VisitCancelIn | None = None):
    visit = get_object_or_404(_visit_qs(request), pk=visit_id)
    payload = payload or VisitCancelIn()
    status = referenced_object(VisitStatus, payload.status_id, field="status_id")
    done = services.visit_cancel(
        visit=visit,
        status=status,
        actor=request_actor(request),
        options=payload.model_dump(include={"by", "waive_fee", "reason", "rest"}),
    )
    out = _visit_out(request, visit_id)
    return {**out, "cancellation": getattr(done, "status_effects", {}).get("cancellation")}


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
        Attendance.objects.for_org(request_organization(request))
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
        organization=request_organization(request),
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
