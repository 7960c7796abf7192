"""Dashboard cards of the platform itself, and the one scope every card counts in."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, User
from zapys.core.http import request_branch


def dashboard_branch(request: HttpRequest) -> Branch | None:
    """The branch the header shows: every card counts in it (issue 17: "Paid today" followed
    the header while "Prepaid today" counted the other branch's bookings too). Read once per
    page and kept on the request, so a card more is not a query more."""
    if not hasattr(request, "_dashboard_branch"):
        request._dashboard_branch = request_branch(request)  # type: ignore[attr-defined]
    return request._dashboard_branch  # type: ignore[attr-defined,no-any-return]


def widgets(request: HttpRequest) -> list[dict]:
    branch = dashboard_branch(request)
    staff = User.objects.filter(is_active=True)
    if branch is not None:  # who works in it: its staff, and the owners (every branch is theirs)
        staff = staff.filter(Q(branches=branch) | Q(role=User.Role.OWNER)).distinct()
    return [
        {
            # the organization's branches: what the header's switcher chooses among
            "title": _("Branches"),
            "value": Branch.objects.filter(is_active=True).count(),
            "icon": "building",
            "order": 900,
            "url": reverse("accounts:settings") if request.user.role == "owner" else "",  # type: ignore[union-attr]
        },
        {
            "title": _("Staff"),
            "value": staff.count(),
            "icon": "person-badge",
            "order": 910,
            "url": "",
        },
    ]
