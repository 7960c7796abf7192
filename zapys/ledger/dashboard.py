"""Dashboard card of the money side: what was paid today, as on "Sales of the day"."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from zapys.core.dashboard import dashboard_branch
from zapys.core.http import request_organization
from zapys.core.money import format_money
from zapys.ledger.selectors import day_sales_summary


def widgets(request: HttpRequest) -> list[dict]:
    user = request.user
    if user.role not in ("owner", "administrator"):  # type: ignore[union-attr]
        return []  # specialists do not see the till
    organization = request_organization(request)
    # The branch the header shows, as the page the card links to (issue 17: "15 receipts"
    # led to a day with 1).
    branch = dashboard_branch(request)
    summary = day_sales_summary(day=timezone.localdate(), branch_id=branch.pk if branch else None)
    currency = organization.currency or "UAH"
    language = (get_language() or "uk")[:2]
    return [
        {
            "title": _("Paid today"),
            "value": format_money(summary["paid"], currency, language),
            "icon": "cash-coin",
            "order": 40,
            "url": reverse("ledger:day_sales"),
            "hint": ngettext(
                "%(n)s receipt, %(unpaid)s unpaid",
                "%(n)s receipts, %(unpaid)s unpaid",
                summary["count"],
            )
            % {
                "n": summary["count"],
                "unpaid": format_money(summary["unpaid"], currency, language),
            },
        }
    ]
