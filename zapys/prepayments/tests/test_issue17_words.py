"""Issue 17 on the prepayment pages: the chart's days as the page says dates, badges that
look like the others (capitalised, coloured), the settings' heading and a help text that
points where the rules are, and the cancellations report counting money paid after the
auto-cancel where it is (on the balance)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from tests.pages import staff_page
from zapys.payments.services import payment_succeed
from zapys.prepayments import sweeps
from zapys.prepayments.models import Booking
from zapys.prepayments.tests.visit_words import visit_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000)


def _paid_after_the_auto_cancel(org, branch) -> Booking:
    booking = make_booking(org, branch)
    now = timezone.now()
    # the link ran out and the visit was auto-cancelled before the money came (as the demo)
    Booking.objects.filter(pk=booking.pk).update(
        expires_at=now - timedelta(hours=2), auto_cancel_at=now - timedelta(hours=1)
    )
    sweeps.sweep(now)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_by == "auto"
    assert booking.payment is not None
    booking.payment.refresh_from_db()
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.paid_late and booking.status == "cancelled"
    return booking


def test_the_chart_says_days_as_the_page_does(staff_client, owner, org, branch, ready):
    make_booking(org, branch)
    for language in ("uk", "en"):
        page = staff_page(staff_client, owner, language, "prepayments:bookings")
        found = re.search(r'id="prepay-chart-data"[^>]*>(.*?)</script>', page)
        assert found is not None
        labels = json.loads(found.group(1))["labels"]
        assert labels and all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", day) for day in labels), labels


def test_paid_late_is_a_capitalised_badge_and_the_status_a_coloured_one(
    staff_client, owner, org, branch, ready
):
    booking = _paid_after_the_auto_cancel(org, branch)
    uk = staff_page(staff_client, owner, "uk", "prepayments:detail", booking.pk)
    assert "Оплачено із запізненням</span>" in uk and "оплачено із запізненням<" not in uk
    en = staff_page(staff_client, owner, "en", "prepayments:detail", booking.pk)
    assert "Paid late</span>" in en and ">paid late<" not in en
    # not a light badge on a white card (read as plain bold text)
    assert re.search(r'class="badge text-bg-secondary" data-testid="booking-status">Cancelled<', en)
    report = staff_page(staff_client, owner, "en", "prepayments:bookings")
    assert "Paid late</span>" in report and ">paid late<" not in report
    assert 'class="badge text-bg-secondary">Cancelled<' in report


def test_settings_heading_and_the_help_that_points_to_the_rules(staff_client, owner, ready):
    uk = staff_page(staff_client, owner, "uk", "prepayments:settings")
    assert re.search(r"<h1[^>]*>Передоплата</h1>", uk)  # the section, not «Налаштування»
    assert "правило на вкладці «Види передоплати та фінанси»" in uk
    assert "одне з правил нижче" not in uk
    en = staff_page(staff_client, owner, "en", "prepayments:settings")
    assert re.search(r"<h1[^>]*>Prepayment</h1>", en)
    # English quotes on the English page, not «» (issue 17)
    assert "Unless a rule on the “Prepayment types and finance” tab waives it." in en
    assert "«" not in en and "»" not in en


def test_money_paid_after_the_auto_cancel_is_counted_on_the_balance(
    staff_client, owner, org, branch, ready
):
    _paid_after_the_auto_cancel(org, branch)
    page = staff_page(staff_client, owner, "uk", "prepayments:cancellations")
    row = re.search(r'data-testid="cancellation-row">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    # name, cancelled, late fees, no-show fees, charged, waived, refunded, on the balance
    assert cells[1] == "1" and cells[-2].startswith("0,00") and cells[-1].startswith("200,00")
    assert "Скасовано передоплат" in page and "Скасовано оплачених візитів" not in page
    # in a card like the other reports, the filter's button level with the inputs
    assert '<div class="card mb-3"><div class="table-responsive">' in page
    assert '<div class="col-sm-auto mb-3">' in page


def test_a_booking_cancelled_unpaid_and_never_paid_leaves_nothing_on_the_balance(
    staff_client, owner, org, branch, ready
):
    booking = make_booking(org, branch)
    sweeps.sweep(booking.expires_at + timedelta(minutes=1))
    page = staff_page(staff_client, owner, "en", "prepayments:cancellations")
    row = re.search(r'data-testid="cancellation-row">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells[1] == "1" and "0.00" in cells[-1] and "0.00" in cells[-2]


def test_the_expiry_notification_names_bookings_in_the_readers_language(org, branch, ready):
    """The body lists the bookings by client and visit, never by number: «Олена Коваленко
    (Haircut 3, 7 грудня о 15:00)» for a Ukrainian reader, "… 7 December at 15:00" for an
    English one, whatever the language the sweep ran in (stored, not rendered once)."""
    from django.utils import translation

    from zapys.messaging.models import StaffNotification

    bookings = [make_booking(org, branch) for _ in range(2)]
    sweeps.sweep(max(b.expires_at for b in bookings) + timedelta(minutes=1))
    note = StaffNotification.objects.filter(level="warning").latest("id")
    ordered = sorted(bookings, key=lambda b: b.pk)
    for language, word in (("uk", "Передоплати"), ("en", "Bookings")):
        named = [f"{b.client.name} ({visit_words(b.visit, language)})" for b in ordered]
        with translation.override(language):
            assert note.shown_body == f"{word}: " + ", ".join(named)
            assert "№" not in note.shown_body and "#" not in note.shown_body
