"""Dashboard cards of the platform itself."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, User


def widgets(request: HttpRequest) -> list[dict]:
    return [
        {
            "title": _("Branches"),
            "value": Branch.objects.filter(is_active=True).count(),
            "icon": "building",
            "order": 900,
            "url": reverse("accounts:settings") if request.user.role == "owner" else "",  # type: ignore[union-attr]
        },
        {
            "title": _("Staff"),
            "value": User.objects.filter(is_active=True).count(),
            "icon": "person-badge",
            "order": 910,
            "url": "",
        },
    ]
