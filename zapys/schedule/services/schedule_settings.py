"""The organization's schedule settings (buffer, slot step, online booking limits)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError, PermissionDenied
from zapys.schedule.models import ScheduleSettings
from zapys.schedule.selectors import schedule_settings_for

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
