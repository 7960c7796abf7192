"""Specialists' working hours API: the weekly pattern and its exceptions."""

import datetime as dt
from datetime import timedelta
from typing import Annotated, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from zapys.accounts.models import Branch, User
from zapys.core.api import referenced_object
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import (
    Date,
    Id,
    Line,
    TimeOfDay,
)
from zapys.schedule import services
from zapys.schedule.api.types import Weekday
from zapys.schedule.models import HoursException, WorkingHours

router = Router(tags=["Schedule"])


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
    org = request_organization(request)
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
    return _hours_out(
        request, get_object_or_404(User.objects.for_org(request_organization(request)), pk=staff_id)
    )


@router.put("/staff/{staff_id}/hours", response=HoursOut, summary="Replace weekly hours")
def hours_set(request: HttpRequest, staff_id: Id, payload: HoursIn):
    staff = get_object_or_404(User.objects.for_org(request_organization(request)), pk=staff_id)
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
    staff = get_object_or_404(User.objects.for_org(request_organization(request)), pk=staff_id)
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
        HoursException.objects.for_org(request_organization(request)),
        pk=exception_id,
        staff_id=staff_id,
    )
    services.hours_exception_delete(exception=exc, actor=request_actor(request))
    return 204, None
