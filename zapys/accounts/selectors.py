"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from zapys.accounts.models import Branch, Organization, User


def staff_list(
    *, organization: Organization, role: str | None = None, branch_id: int | None = None
) -> QuerySet[User]:
    qs = User.objects.for_org(organization).filter(is_active=True).prefetch_related("branches")
    if role:
        qs = qs.filter(role=role)
    if branch_id:
        qs = qs.filter(branches__id=branch_id)
    return qs.order_by("first_name", "last_name", "id")


def accessible_branches(user: User) -> list[Branch]:
    """Branches the user may work in: all for the owner, assigned ones for others."""
    if user.organization is None:
        return []
    qs = Branch.objects.for_org(user.organization).filter(is_active=True)
    if not user.is_owner:
        qs = qs.filter(staff=user)
    return list(qs.order_by("name", "id"))


def current_branch(request: HttpRequest, branches: list[Branch]) -> Branch | None:
    """The branch picked in the switcher (kept in the session), else the first accessible one."""
    wanted = request.session.get("branch_id") if hasattr(request, "session") else None
    for branch in branches:
        if branch.pk == wanted:
            return branch
    return branches[0] if branches else None
