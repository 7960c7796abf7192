"""Dashboard card of the checkout: the day's visits still to pay, in the header's branch."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zapys.checkout.selectors import unpaid_attendances
from zapys.checkout.services import dues_of_unpaid
from zapys.core.dashboard import dashboard_branch
from zapys.core.http import request_organization
from zapys.core.money import format_money as _format_money
from zapys.core.tenancy import organization_zone


def _money(amount: int, currency: str) -> str:
    """Money in the language of the page or message being written."""
    return _format_money(amount, currency, (get_language() or "uk")[:2])


def widgets(request: HttpRequest) -> list[dict]:
    organization = request_organization(request)
    branch = dashboard_branch(request)
    now = timezone.now()
    attendances = list(
        unpaid_attendances(
            organization=organization,
            day=now.astimezone(organization_zone(organization)).date(),
            branch_id=branch.pk if branch else None,
            now=now,
        )
    )
    # not the price: what is left to take; a visit whose cover leaves nothing to take is
    # not unpaid (the list shows it apart, still to be closed)
    dues = [
        due for due in dues_of_unpaid(attendances, organization=organization).values() if due > 0
    ]
    if not dues:
        return []
    due = sum(dues)
    return [
        {
            "title": _("Unpaid visits today"),
            "value": len(dues),
            "icon": "cash-coin",
            "order": 12,
            "url": reverse("checkout:unpaid"),
            "hint": _money(due, organization.currency),
        }
    ]
