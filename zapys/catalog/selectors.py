"""Reads for the catalogue."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet, Value

from zapys.accounts.models import Organization, User
from zapys.catalog.models import Group, Service
from zapys.core.collation import ukrainian_sort_key


def service_list(
    *,
    organization: Organization,
    branch_id: int | None = None,
    active: bool | None = None,
    online: bool | None = None,
    search: str = "",
) -> QuerySet[Service]:
    qs = Service.objects.for_org(organization).prefetch_related("branches", "specialists")
    if branch_id:
        qs = qs.filter(branches__id=branch_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    if online is not None:
        qs = qs.filter(online_booking=online)
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("category", "name", "id")


def service_specialists(service: Service) -> list[User]:
    """Who performs the service, in Ukrainian order of their names (none: anyone in its
    branches). Reads `specialists.all()`: no query when the list was prefetched."""
    return sorted(service.specialists.all(), key=lambda u: ukrainian_sort_key(str(u)))


def service_branch_and_specialist_ids(service: Service) -> tuple[set[int], set[int]]:
    """The ids of the service's branches and of who performs it, for the slot search: from
    the prefetched lists when the caller has them (the public page), else one query (a
    UNION of the two link tables), so the search stays at its count of statements."""
    cache = getattr(service, "_prefetched_objects_cache", {})
    if "branches" in cache and "specialists" in cache:
        return {b.pk for b in service.branches.all()}, {u.pk for u in service.specialists.all()}
    branch_links = Service.branches.through.objects.filter(service_id=service.pk)
    specialist_links = Service.specialists.through.objects.filter(service_id=service.pk)
    rows = branch_links.values_list(Value("branch"), "branch_id").union(
        specialist_links.values_list(Value("specialist"), "user_id"), all=True
    )
    found: dict[str, set[int]] = {"branch": set(), "specialist": set()}
    for kind, pk in rows:
        found[kind].add(pk)
    return found["branch"], found["specialist"]


def specialist_choices(
    organization: Organization, keep: Iterable[int] = ()
) -> list[tuple[int, str]]:
    """The staff a service may be given, as (id, "Name (position)") in Ukrainian order:
    the active ones, and whoever in `keep` was archived since (a service keeps them until
    someone unticks them). One query."""
    ids = list(keep)
    staff = User.objects.for_org(organization).filter(Q(is_active=True) | Q(pk__in=ids))
    choices = [
        (u.pk, f"{u} ({u.position})" if u.position else str(u))
        for u in staff.only("pk", "first_name", "last_name", "username", "position")
    ]
    return sorted(choices, key=lambda choice: ukrainian_sort_key(choice[1]))


def group_list(*, organization: Organization) -> QuerySet[Group]:
    return (
        Group.objects.for_org(organization)
        .select_related("branch", "subject", "lesson_type", "teacher")
        .prefetch_related("members")
        .order_by("name", "id")
    )
