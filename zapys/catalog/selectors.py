"""Reads for the catalogue."""

from __future__ import annotations

from django.db.models import QuerySet

from zapys.accounts.models import Organization
from zapys.catalog.models import Group, Service


def service_list(
    *,
    organization: Organization,
    branch_id: int | None = None,
    active: bool | None = None,
    online: bool | None = None,
    search: str = "",
) -> QuerySet[Service]:
    qs = Service.objects.for_org(organization).prefetch_related("branches")
    if branch_id:
        qs = qs.filter(branches__id=branch_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    if online is not None:
        qs = qs.filter(online_booking=online)
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("category", "name", "id")


def group_list(*, organization: Organization) -> QuerySet[Group]:
    return (
        Group.objects.for_org(organization)
        .select_related("branch", "subject", "lesson_type", "teacher")
        .prefetch_related("members")
        .order_by("name", "id")
    )
