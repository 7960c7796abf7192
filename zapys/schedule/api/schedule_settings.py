"""Schedule settings API (the settings page's fields and bounds)."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zapys.core.exceptions import DomainError
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import (
    omittable,
)
from zapys.schedule import selectors, services

router = Router(tags=["Schedule"])


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
    return selectors.schedule_settings_for(request_organization(request))


@router.patch(
    "/schedule/settings", response=ScheduleSettingsOut, summary="Change schedule settings"
)
def settings_update(request: HttpRequest, payload: ScheduleSettingsPatch):
    fields = payload.dict(exclude_unset=True)
    if not fields:
        raise DomainError(_("Nothing to change."))
    return services.schedule_settings_update(
        organization=request_organization(request), actor=request_actor(request), **fields
    )
