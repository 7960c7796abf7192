"""Everything the staff shell (base.html) needs on every page."""

from __future__ import annotations

from django.http import HttpRequest

from zapys.accounts.selectors import accessible_branches, current_branch
from zapys.core.navigation import navigation_for


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.organization_id is None:
        return {}

    branches = accessible_branches(user)
    return {
        "organization": user.organization,
        "nav_items": navigation_for(user.role, request.path),
        "shell_branches": branches,
        "current_branch": current_branch(request, branches),
    }
