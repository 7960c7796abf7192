"""Reads of membership plans and client memberships."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zapys.memberships.models import ClientMembership, MembershipPlan


def plans_list(*, include_archived: bool = False, kind: str | None = None) -> QuerySet:
    qs = MembershipPlan.objects.prefetch_related("services", "groups", "subjects")
    if not include_archived:
        qs = qs.filter(is_archived=False)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("is_archived", "name", "id")


def client_memberships(*, client: Any) -> QuerySet[ClientMembership]:
    """Every membership the client ever had (the history), newest first."""
    return (
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
