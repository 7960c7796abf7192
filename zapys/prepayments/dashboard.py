"""Dashboard cards of paid time booking: what is waiting for money, what came in today."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from zapys.core.dashboard import dashboard_branch
from zapys.core.http import request_organization
from zapys.core.money import format_money
from zapys.prepayments.models import Booking
from zapys.schedule.dashboard import today_bounds


def widgets(request: HttpRequest) -> list[dict]:
    organization = request_organization(request)
    start, end = today_bounds(organization)
    today = Q(paid_at__gte=start, paid_at__lt=end)
    # The header's branch, as every card (issue 17: "Prepaid today 800,00 · 4 bookings"
    # beside "Paid today 0,00" counted the other branch's bookings); the bookings page the
    # cards link to is filtered by the same branch.
    bookings_qs = Booking.objects.all()
    branch = dashboard_branch(request)
    scope = ""
    if branch is not None:
        bookings_qs = bookings_qs.filter(branch_id=branch.pk)
        scope = f"&branch={branch.pk}"
    totals = bookings_qs.aggregate(
        pending=Count("id", filter=Q(status=Booking.Status.PENDING)),
        pending_sum=Sum("amount", filter=Q(status=Booking.Status.PENDING)),
        paid_today=Count("id", filter=today),
        paid_today_sum=Sum("amount", filter=today),
        late=Count("id", filter=Q(paid_late=True, late_resolution="")),
    )
    language = (get_language() or "uk")[:2]
    currency = organization.currency or "UAH"
    bookings = reverse("prepayments:bookings")
    cards = [
        {
            "title": pgettext("visits", "Awaiting prepayment"),
            "value": totals["pending"],
            "icon": "hourglass-split",
            "order": 20,
            "url": f"{bookings}?status=pending{scope}",
            "hint": format_money(totals["pending_sum"] or 0, currency, language),
        },
        {
            "title": _("Prepaid today"),
            "value": format_money(totals["paid_today_sum"] or 0, currency, language),
            "icon": "check2-circle",
            "order": 30,
            "url": f"{bookings}?status=paid{scope}",
            "hint": ngettext("%(n)s booking", "%(n)s bookings", totals["paid_today"])
            % {"n": totals["paid_today"]},
        },
    ]
    if totals["late"]:  # money that came after the deadline waits for a decision
        cards.append(
            {
                "title": _("Paid late: decide"),
                "value": totals["late"],
                "icon": "exclamation-circle",
                "order": 25,
                "url": f"{bookings}?paid_late=on{scope}",
                "hint": _("restore the visit or refund"),
            }
        )
    return cards
