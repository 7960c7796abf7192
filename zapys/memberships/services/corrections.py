"""Corrections staff make to a sold membership: its dates and its virtual visits. Money is
not touched."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError
from zapys.core.text import clean_line
from zapys.memberships.models import ClientMembership
from zapys.memberships.validity import MAX_VALIDITY_DAYS


@transaction.atomic
def membership_correct_validity(
    *,
    membership: ClientMembership,
    actor: Actor,
    starts_on: date | None = None,
    ends_on: date | None = None,
    reason: str = "",
) -> ClientMembership:
    """Fix the dates (the client was ill, a typo at sale time). Money is not touched."""
    reason = clean_line(reason or "")
    new_start = starts_on or membership.starts_on
    new_end = ends_on or membership.ends_on
    if new_end < new_start:
        raise DomainError(_("The end date is before the start date."), field="ends_on")
    if (new_end - new_start).days > MAX_VALIDITY_DAYS:
        raise DomainError(_("The validity is too long."), field="ends_on")
    before = {"starts_on": membership.starts_on, "ends_on": membership.ends_on}
    membership.starts_on, membership.ends_on = new_start, new_end
    membership.save(update_fields=["starts_on", "ends_on"])
    audit_record(
        organization=membership.client.organization,
        actor=actor,
        action="membership.correct_validity",
        obj=membership,
        changes={
            **changes_between(before, {"starts_on": new_start, "ends_on": new_end}),
            "reason": [None, reason],
        },
    )
    return membership


@transaction.atomic
def membership_add_virtual_visits(
    *, membership: ClientMembership, count: int, actor: Actor, reason: str = ""
) -> ClientMembership:
    """Count visits the client made without an attendance record (e.g. before Zapys).
    A negative count takes back virtual visits added by mistake."""
    reason = clean_line(reason or "")
    if isinstance(count, bool) or not isinstance(count, int) or count == 0:
        raise DomainError(_("Enter a whole number of visits other than zero."), field="count")
    qs = ClientMembership.objects.for_org(membership.organization_id).filter(pk=membership.pk)
    guard = Q(virtual_visits__gte=-count)
    if membership.visits_total is not None:
        guard &= Q(visits_total__gte=F("visits_used") + F("virtual_visits") + count)
    changed = qs.filter(guard).update(virtual_visits=F("virtual_visits") + count)
    if changed != 1:
        raise DomainError(
            _("That many visits do not fit this membership."), field="count", status=409
        )
    membership.refresh_from_db()
    audit_record(
        organization=membership.organization,
        actor=actor,
        action="membership.add_virtual_visits",
        obj=membership,
        changes={
            "virtual_visits": [membership.virtual_visits - count, membership.virtual_visits],
            "reason": [None, reason],
        },
    )
    return membership
