"""Counts of bookings read as words in both languages ("1 booking", "2 бронювання",
"5 бронювань"), not "booking(s)": the dashboard's prepaid-today card and the staff
notice of the expiry sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.messaging.models import StaffNotification
from zapys.payments.services import payment_succeed
from zapys.prepayments import sweeps

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(org):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000, name="Deposit")


def _prepaid_today_hint(staff_client, language: str) -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    cards = staff_client.get(reverse("core:dashboard")).context["widgets"]
    return next(w for w in cards if w["icon"] == "check2-circle")["hint"]


def test_the_prepaid_today_card_counts_bookings_with_a_plural(org, branch, staff_client, ready):
    for _ in range(2):
        payment_succeed(payment=make_booking(org, branch).payment, actor=SYSTEM)
    assert _prepaid_today_hint(staff_client, "en") == "2 bookings"
    assert _prepaid_today_hint(staff_client, "uk") == "2 передоплати"


def test_the_expiry_notice_counts_bookings_with_a_plural(org, branch, ready):
    assert org.language == "uk"
    bookings = [make_booking(org, branch) for _ in range(5)]
    sweeps.sweep(max(b.expires_at for b in bookings) + timedelta(seconds=1))
    notice = StaffNotification.objects.get(title__startswith="Вчасно не сплачено")
    assert notice.title == "Вчасно не сплачено: 5 передоплат"
    # and each reader reads it in their own language (the stored text is the organization's)
    with translation.override("en"):
        assert notice.shown_title == "Prepayment not received in time: 5 bookings"
    with translation.override("uk"):
        assert notice.shown_title == "Вчасно не сплачено: 5 передоплат"
