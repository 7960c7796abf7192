"""Reads of membership plans and client memberships."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from zapys.ledger.models import Entry
from zapys.memberships.models import ClientMembership, MembershipPlan


def plans_list(*, include_archived: bool = False, kind: str | None = None) -> QuerySet:
    qs = MembershipPlan.objects.prefetch_related("services", "groups", "subjects")
    if not include_archived:
        qs = qs.filter(is_archived=False)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("is_archived", "name", "id")


def _payment_entries(status: str) -> QuerySet:

    return Entry.objects.filter(
        cause_type=ClientMembership._meta.label_lower,
        cause_id=Cast(OuterRef("pk"), CharField()),
        kind=Entry.Kind.DEBIT,
        purpose=Entry.Purpose.PAYMENT,
        status=status,
    )


def with_payment_state(qs: QuerySet[ClientMembership]) -> QuerySet[ClientMembership]:
    """Annotate whether the sale's payment is in force or was cancelled in the ledger
    (`ClientMembership.payment_cancelled`), as two subqueries: no query per row."""
    return qs.annotate(
        has_active_payment=Exists(_payment_entries("active")),
        has_cancelled_payment=Exists(_payment_entries("cancelled")),
    )


def membership_payment_cancelled(membership: ClientMembership) -> bool:
    """Paid at sale, but that payment was cancelled since (the client owes the price)."""
    if hasattr(membership, "has_cancelled_payment"):
        return membership.payment_cancelled
    found = with_payment_state(ClientMembership.objects.filter(pk=membership.pk)).first()
    return bool(found and found.payment_cancelled)


def client_memberships(*, client: Any) -> QuerySet[ClientMembership]:
    """Every membership the client ever had (the history), newest first."""
    return with_payment_state(
        ClientMembership.objects.filter(client_id=client.pk)
        .select_related("plan", "account", "renewed_from")
        .order_by("-starts_on", "-id")
    )


def active_memberships(*, client: Any, on_date: date | None = None) -> list[ClientMembership]:
    """Memberships valid today or later (not cancelled), the one ending first first."""
    day = on_date or timezone.localdate()
    return list(
        client_memberships(client=client)
        .filter(status=ClientMembership.Status.ACTIVE, ends_on__gte=day)
        .order_by("ends_on", "id")
    )


def membership_is_current(membership: ClientMembership, day: date | None = None) -> bool:
    return membership.is_valid_on(day or timezone.localdate())


def memberships_covering(
    *, client: Any, on_date: date, service: Any = None, group: Any = None
) -> QuerySet[ClientMembership]:
    """The client's active memberships that cover a visit on `on_date` to `service` or
    `group` (or everything) and still have a visit left, the one expiring first first."""
    qs = ClientMembership.objects.for_org(client.organization_id).filter(
        client_id=client.pk,
        status=ClientMembership.Status.ACTIVE,
        starts_on__lte=on_date,
        ends_on__gte=on_date,
    )
    cover = Q(plan__covers_everything=True)
    if service is not None:
        cover |= Q(plan__services=service)
    if group is not None:
        cover |= Q(plan__groups=group)
        if getattr(group, "subject_id", None):
            cover |= Q(plan__subjects=group.subject_id)
    has_visits = Q(visits_total__isnull=True) | Q(
        visits_total__gt=F("visits_used") + F("virtual_visits")
    )
    return qs.filter(cover).filter(has_visits).distinct().order_by("ends_on", "id")
