"""Visits taken from a membership and given back (called by the schedule)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from zapys.core.audit import Actor, audit_record
from zapys.memberships.models import ClientMembership, MembershipUsage
from zapys.memberships.selectors import memberships_covering


@transaction.atomic
def membership_consume_visit(
    *,
    client: Any,
    on_date: date,
    actor: Actor,
    cause: Model,
    service: Any = None,
    group: Any = None,
) -> ClientMembership | None:
    """Take one visit from the client's matching membership that expires first.
    Idempotent per cause: calling it again for the same visit returns the same membership.
    None when no active membership covers it (the visit is then charged to the balance)."""
    cause_type, cause_id = cause._meta.label_lower, str(cause.pk)
    existing = (
        MembershipUsage.objects.for_org(client.organization_id)
        .filter(cause_type=cause_type, cause_id=cause_id, returned_at__isnull=True)
        .select_related("membership")
        .first()
    )
    if existing is not None:
        return existing.membership
    for candidate in memberships_covering(
        client=client, on_date=on_date, service=service, group=group
    ):
        # Conditional increment: a concurrent consumer of the last visit makes this 0 rows.
        guard = Q(visits_total__isnull=True) | Q(
            visits_total__gt=F("visits_used") + F("virtual_visits")
        )
        won = (
            ClientMembership.objects.for_org(client.organization_id)
            .filter(guard, pk=candidate.pk, status=ClientMembership.Status.ACTIVE)
            .update(visits_used=F("visits_used") + 1)
        )
        if won != 1:
            continue
        try:
            with transaction.atomic():
                usage = MembershipUsage.objects.for_org(client.organization_id).create(
                    organization_id=client.organization_id,
                    membership=candidate,
                    cause_type=cause_type,
                    cause_id=cause_id,
                    on_date=on_date,
                )
        except IntegrityError:
            # Someone consumed for this cause at the same moment: give ours back.
            ClientMembership.objects.for_org(client.organization_id).filter(pk=candidate.pk).update(
                visits_used=F("visits_used") - 1
            )
            raced = MembershipUsage.objects.for_org(client.organization_id).get(
                cause_type=cause_type, cause_id=cause_id, returned_at__isnull=True
            )
            return raced.membership
        candidate.refresh_from_db()
        audit_record(
            organization=client.organization,
            actor=actor,
            action="membership.consume_visit",
            obj=candidate,
            changes={"usage": [None, usage.pk], "cause": [None, f"{cause_type}#{cause_id}"]},
        )
        return candidate
    return None


@transaction.atomic
def membership_return_visit(*, cause: Model, actor: Actor) -> ClientMembership | None:
    """Undo the consumption recorded for `cause` (attendance unmarked, visit cancelled).
    None when nothing was consumed for it (so calling it twice is harmless)."""
    org_id = cause.organization_id  # type: ignore[attr-defined]
    cause_type, cause_id = cause._meta.label_lower, str(cause.pk)
    returned = (
        MembershipUsage.objects.for_org(org_id)
        .filter(cause_type=cause_type, cause_id=cause_id, returned_at__isnull=True)
        .update(returned_at=timezone.now())
    )
    if returned == 0:
        return None
    usage = (
        MembershipUsage.objects.for_org(org_id)
        .filter(cause_type=cause_type, cause_id=cause_id)
        .order_by("-returned_at", "-id")
        .select_related("membership")
        .first()
    )
    assert usage is not None
    ClientMembership.objects.for_org(org_id).filter(pk=usage.membership_id).update(
        visits_used=F("visits_used") - 1
    )
    membership = usage.membership
    membership.refresh_from_db()
    audit_record(
        organization=membership.organization,
        actor=actor,
        action="membership.return_visit",
        obj=membership,
        changes={"usage": [usage.pk, None], "cause": [f"{cause_type}#{cause_id}", None]},
    )
    return membership
