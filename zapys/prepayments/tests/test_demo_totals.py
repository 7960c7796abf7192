"""The demo's bookings (issue 17 review): the cards add up and agree with the cancellations
report and the payment-links report; every no-show is of a visit that already took place."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zapys.accounts.models import Organization, User
from zapys.core.report_period import Period
from zapys.core.tenancy import org_scope
from zapys.prepayments import selectors
from zapys.prepayments.models import Booking, Fee
from zapys.reports import funnel

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_the_demo_bookings_add_up(client) -> None:
    call_command("demo", stdout=StringIO())
    org = Organization.objects.order_by("pk").first()
    assert org is not None
    client.force_login(User.objects.get(username="owner"))
    page = client.get(reverse("prepayments:bookings")).content.decode()

    def card(name: str) -> int:
        found = re.search(rf'data-testid="total-{name}">(\d+)<', page)
        assert found is not None, name
        return int(found.group(1))

    statuses = ("pending", "paid", "expired", "cancelled", "refunded")
    assert sum(card(s) for s in statuses) == card("issued") > 0
    with org_scope(org):
        totals = selectors.report_totals(Booking.objects.all())
        # each status card counts the bookings whose badge in the table says that status
        by_status = {s: Booking.objects.filter(status=s).count() for s in statuses}
        assert {s: card(s) for s in statuses} == by_status
        assert card("cancelled") == totals.cancelled
        rows = selectors.cancellations_report(group="client", date_from=None, date_to=None)
        assert sum(r.cancelled for r in rows) == totals.cancelled + totals.refunded
        today = timezone.localdate()
        links = funnel.funnel_for(Period(today.replace(year=today.year - 1), today))
        prepaid = [s for s in links.by_purpose if s.key == "prepayment"]
        assert prepaid and prepaid[0].expired == totals.ran_out == card("ran-out")
        # no visit still to come is a no-show, and its booking offers no cancel
        now = timezone.now()
        no_shows = Fee.objects.filter(kind=Fee.Kind.NO_SHOW).select_related("visit")
        assert no_shows.exists()
        for fee in no_shows:
            assert fee.visit.starts_at < now
        bookings = Booking.objects.filter(visit__status__is_no_show=True)
        assert bookings.exists()
        for booking in bookings:
            assert booking.visit.starts_at < now
            detail = client.get(reverse("prepayments:detail", args=[booking.pk])).content.decode()
            assert "cancel-keep" not in detail and "cancel-refund" not in detail
