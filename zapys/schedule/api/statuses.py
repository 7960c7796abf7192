"""Visit statuses API: list, create or update by code, edit."""

from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from zapys.core.api import Pagination
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import (
    Color,
    Count,
    Id,
    Line,
    omittable,
)
from zapys.schedule import services
from zapys.schedule.api.types import StatusCode
from zapys.schedule.models import VisitStatus

router = Router(tags=["Schedule"])


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
    services.visit_statuses_ensure(organization=request_organization(request))
    return VisitStatus.objects.for_org(request_organization(request)).order_by("order", "id")


@router.put(
    "/visit-statuses/by-code/{code}",
    response=StatusOut,
    summary="Create or update a visit status by its code",
)
def statuses_put(request: HttpRequest, code: StatusCode, payload: StatusIn):
    """Idempotent: the first call creates the organization's status with this code, later
    calls update it (system statuses keep their behaviour)."""
    org = request_organization(request)
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
    status = get_object_or_404(
        VisitStatus.objects.for_org(request_organization(request)), pk=status_id
    )
    fields = payload.dict(exclude_unset=True)
    return services.visit_status_update(status=status, actor=request_actor(request), **fields)
