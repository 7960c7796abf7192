"""The bookings report's conversion rounds half up (issue 17: 5 paid of 8 showed «62%»)."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.payments.services import payment_succeed
from zapys.prepayments.models import Booking
from zapys.prepayments.selectors import report_totals
from zapys.schedule.services import visit_statuses_ensure

pytestmark = pytest.mark.django_db


def test_five_paid_of_eight_is_63_percent(org, branch):
    statuses = visit_statuses_ensure(organization=org)
    enable_prepayment(org, status_after_payment=statuses["confirmed"])
    make_booking_type(org, "fixed", 20_000, name="Deposit")
    bookings = [make_booking(org, branch) for _ in range(8)]
    for booking in bookings[:5]:
        assert booking.payment is not None
        payment_succeed(payment=booking.payment, actor=SYSTEM)
    totals = report_totals(Booking.objects.all())
    assert (totals.issued, totals.received) == (8, 5)
    assert totals.conversion == 63
