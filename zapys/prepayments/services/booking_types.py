"""Booking types: how much a booking asks for (a fixed sum, a percent of the price, or a
share of the specialist's hourly rate)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError
from zapys.core.schema_types import MAX_KOPECKS
from zapys.prepayments.models import BookingType

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


def _validate_type(rule: str, value: int) -> None:
    if rule not in BookingType.Rule.values:
        raise DomainError(_("Choose fixed, percent or hourly."), field="rule")
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(_("Enter a whole number."), field="value")
    if rule == BookingType.Rule.FIXED and value <= 0:
        raise DomainError(_("The sum must be greater than zero."), field="value")
    if rule == BookingType.Rule.FIXED and value > MAX_KOPECKS:
        raise DomainError(_("The sum is too large."), field="value")
    if rule == BookingType.Rule.PERCENT and not 1 <= value <= 100:
        raise DomainError(_("The percent must be between 1 and 100."), field="value")
    if rule == BookingType.Rule.HOURLY and not 0 <= value <= 100:
        raise DomainError(
            _("The share of the hourly rate must be between 0 and 100 percent (0 = 100)."),
            field="value",
        )


@transaction.atomic
def booking_type_create(
    *,
    organization: Organization,
    name: str,
    rule: str,
    value: int,
    actor: Actor,
    is_default: bool = False,
) -> BookingType:
    """A booking type: `value` is kopecks (fixed), a percent of the service price
    (percent), or the share of the specialist's hourly rate × duration (hourly; 0 = all)."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    if len(name) > 100:
        raise DomainError(_("The name is too long."), field="name")
    _validate_type(rule, value)
    qs = BookingType.objects.for_org(organization)
    if is_default:
        qs.filter(is_default=True).update(is_default=False)
    elif not qs.filter(is_active=True).exists():
        is_default = True
    booking_type = qs.create(
        organization=organization, name=name, rule=rule, value=value, is_default=is_default
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="booking_type.create",
        obj=booking_type,
        changes={"name": name, "rule": rule, "value": value},
    )
    return booking_type


@transaction.atomic
def booking_type_update(*, booking_type: BookingType, actor: Actor, **fields: Any) -> BookingType:
    allowed = {"name", "rule", "value", "is_active", "is_default"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    rule = fields.get("rule", booking_type.rule)
    value = fields.get("value", booking_type.value)
    _validate_type(rule, value)
    if "name" in fields and not str(fields["name"]).strip():
        raise DomainError(_("Enter a name."), field="name")
    before = {k: getattr(booking_type, k) for k in fields}
    if fields.get("is_default"):
        BookingType.objects.for_org(booking_type.organization).exclude(pk=booking_type.pk).update(
            is_default=False
        )
    for key, val in fields.items():
        setattr(booking_type, key, val)
    booking_type.save()
    changes: dict[str, Any] = changes_between(before, fields)
    if "value" in changes and "rule" not in changes:
        # The value is kopecks or a percent by the rule: the row says which it was then.
        changes["rule"] = rule
    audit_record(
        organization=booking_type.organization,
        actor=actor,
        action="booking_type.update",
        obj=booking_type,
        changes=changes,
    )
    return booking_type
