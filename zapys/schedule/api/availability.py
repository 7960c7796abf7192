"""Free slots API: when a service can be booked."""

import datetime as dt
from datetime import datetime, timedelta
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zapys.accounts.models import Branch, User
from zapys.catalog.models import Service
from zapys.core.api import referenced_object
from zapys.core.http import request_organization
from zapys.core.schema_types import (
    Date,
    Id,
)
from zapys.core.tenancy import organization_zone
from zapys.schedule import selectors

router = Router(tags=["Schedule"])


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
    org = request_organization(request)
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
    tz = organization_zone(org)
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
