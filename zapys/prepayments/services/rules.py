"""Prepayment rules (B3): which visits require a prepayment and which are waived. The
evaluation is a read: `selectors.prepayment_decision`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError, NotFound
from zapys.prepayments.models import BookingType, PrepaymentRule

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


@transaction.atomic
def prepayment_rule_create(
    *,
    organization: Organization,
    action: str,
    actor: Actor,
    service: Any = None,
    tag: Any = None,
    date_from: Any = None,
    date_to: Any = None,
    source: str = "",
    booking_type: BookingType | None = None,
    order: int = 100,
) -> PrepaymentRule:
    if action not in PrepaymentRule.Action.values:
        raise DomainError(_("Choose require or waive."), field="action")
    if source not in PrepaymentRule.Source.values:
        raise DomainError(_("Unknown booking source."), field="source")
    for name, obj in (("service_id", service), ("tag_id", tag), ("booking_type_id", booking_type)):
        if obj is not None and obj.organization_id != organization.pk:
            raise NotFound(_("Unknown object."), field=name)
    if date_from and date_to and date_to < date_from:
        raise DomainError(_("The period must end after it starts."), field="date_to")
    rule = PrepaymentRule.objects.for_org(organization).create(
        organization=organization,
        action=action,
        service=service,
        tag=tag,
        date_from=date_from,
        date_to=date_to,
        source=source,
        booking_type=booking_type,
        order=order,
    )
    audit_record(organization=organization, actor=actor, action="prepayment_rule.create", obj=rule)
    return rule


@transaction.atomic
def prepayment_rule_delete(*, rule: PrepaymentRule, actor: Actor) -> None:
    audit_record(
        organization=rule.organization, actor=actor, action="prepayment_rule.delete", obj=rule
    )
    rule.delete()
