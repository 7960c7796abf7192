"""Visit confirmation and reminder settings (not in API.md; listed in docs/architecture.md,
"The API beyond API.md"): `GET` / `PATCH /api/v1/visit-messages/settings`, as the other
apps' settings are read and changed."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import TimeOfDay, omittable
from zapys.visit_messages import services

router = Router(tags=["Visit messages"])

LeadHours = Literal[1, 2, 3, 4, 6, 12, 24, 48]


class VisitMessageSettingsOut(Schema):
    confirm_online: bool
    confirm_staff: bool
    #: «your visit moved» when a visit moves to another time or specialist
    notify_moved: bool
    remind: bool
    reminder_hours: int
    #: 0: no second reminder
    second_reminder_hours: int
    quiet_from: str
    quiet_to: str


class VisitMessageSettingsPatch(Schema):
    confirm_online: bool = omittable()
    confirm_staff: bool = omittable()
    notify_moved: bool = omittable("Tell the client when their visit moves")
    remind: bool = omittable()
    reminder_hours: LeadHours = omittable("Hours before the visit")
    second_reminder_hours: Literal[0, 1, 2, 3, 4, 6, 12, 24, 48] = omittable(
        "Hours before the visit; 0 for none; fewer than reminder_hours"
    )
    quiet_from: TimeOfDay = omittable("No reminders from (the organization's wall clock)")
    quiet_to: TimeOfDay = omittable("No reminders until")


def _out(organization: Any) -> dict[str, Any]:
    current = services.settings_get(organization)
    found = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    found["quiet_from"] = current.quiet_from.strftime("%H:%M")
    found["quiet_to"] = current.quiet_to.strftime("%H:%M")
    return found


@router.get(
    "/visit-messages/settings",
    response=VisitMessageSettingsOut,
    summary="Visit confirmation and reminder settings",
)
def settings_get(request: HttpRequest) -> dict[str, Any]:
    return _out(request_organization(request))


@router.patch(
    "/visit-messages/settings",
    response=VisitMessageSettingsOut,
    summary="Change visit confirmation and reminder settings",
)
def settings_patch(request: HttpRequest, payload: VisitMessageSettingsPatch) -> dict[str, Any]:
    organization = request_organization(request)
    services.settings_update(
        organization=organization,
        actor=request_actor(request),
        **payload.model_dump(exclude_unset=True),
    )
    return _out(organization)
