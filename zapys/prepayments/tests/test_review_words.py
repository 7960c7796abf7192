"""The screenshot review of the bookings pages (issue 17): cards that add up, the type said
in words, no cancel buttons after the visit, reasons as a person says them, the paid public
page, the evidence block labelled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.exceptions import Conflict
from zapys.payments.services import payment_succeed
from zapys.prepayments import selectors, services
from zapys.prepayments.models import Booking
from zapys.prepayments.reasons import reason_text
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_status_set
from zapys.schedule.services.statuses import status_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000)


def _paid(org, branch, **kwargs) -> Booking:
    booking = make_booking(org, branch, **kwargs)
    assert booking.payment is not None
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    booking.refresh_from_db()
    return booking


def _lang(client, language: str) -> None:
    client.post("/i18n/setlang/", {"language": language, "next": "/"})


def test_staff_cancelling_a_booking_is_a_cancellation_the_report_counts(org, branch, ready):
    """A booking staff cancel is counted by the cancellations report (it said 2 where the
    bookings' card said 3), with where its money went."""
    kept = _paid(org, branch)
    services.booking_cancel(booking=kept, actor=SYSTEM)
    kept.refresh_from_db()
    assert kept.cancelled_by == Booking.CancelledBy.STAFF
    assert (kept.cancel_to_balance, kept.cancel_refunded) == (20_000, 0)
    unpaid = make_booking(org, branch)
    services.booking_cancel(booking=unpaid, actor=SYSTEM)
    rows = selectors.cancellations_report(group="client", date_from=None, date_to=None)
    totals = selectors.report_totals(Booking.objects.all())
    assert sum(r.cancelled for r in rows) == totals.cancelled == 2
    assert sum(r.to_balance for r in rows) == 20_000


def test_a_booking_paid_after_the_caller_loaded_it_is_cancelled_as_paid(org, branch, ready):
    """Staff opened the booking while it waited; the payment arrived before they clicked
    cancel. The money is the row's, not the page's: it stays on the balance and the
    cancellations report says so (the demo's copy recorded 0 and the report lost 200)."""
    seen_pending = make_booking(org, branch)
    assert seen_pending.payment is not None
    payment_succeed(payment=seen_pending.payment, actor=SYSTEM)
    assert seen_pending.status == Booking.Status.PENDING  # the caller's stale copy
    cancelled = services.booking_cancel(booking=seen_pending, actor=SYSTEM)
    assert cancelled.status == Booking.Status.CANCELLED
    assert (cancelled.cancel_to_balance, cancelled.cancel_refunded) == (20_000, 0)
    cancelled.payment.refresh_from_db()
    assert cancelled.payment.status == "succeeded"  # a paid link is not expired
    rows = selectors.cancellations_report(group="client", date_from=None, date_to=None)
    assert sum(r.to_balance for r in rows) == 20_000


def test_a_paid_booking_of_a_visit_that_took_place_cannot_be_cancelled(
    staff_client, org, branch, ready
):
    visit = make_visit(org, branch, starts_at=timezone.now() + timedelta(hours=3))
    booking = _paid(org, branch, visit=visit)
    page = staff_client.get(reverse("prepayments:detail", args=[booking.pk])).content.decode()
    assert 'data-testid="cancel-keep"' in page  # before the visit: it may be cancelled
    Visit.objects.filter(pk=visit.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    visit.refresh_from_db()
    visit_status_set(visit=visit, status=status_first(org, is_no_show=True), actor=SYSTEM)
    booking.refresh_from_db()
    page = staff_client.get(reverse("prepayments:detail", args=[booking.pk])).content.decode()
    assert 'data-testid="cancel-keep"' not in page and 'data-testid="cancel-refund"' not in page
    with pytest.raises(Conflict):
        services.booking_cancel(booking=booking, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID and booking.cancelled_by == ""  # unchanged
    response = staff_client.post(reverse("prepayments:action", args=[booking.pk, "cancel"]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID and booking.cancelled_at is None


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("uk", "передоплату запросив працівник (за правилами вона не обов'язкова)"),
        ("en", "requested by staff; no rule requires a prepayment"),
    ],
)
def test_a_requested_booking_says_why_as_a_person_would(language, expected):
    why = {"kind": "requested", "rule": {"kind": "no_rule"}}
    with translation.override(language):
        assert reason_text(why) == expected


@pytest.mark.parametrize(
    ("language", "words", "wrong"),
    [("uk", "Фіксована сума: 200,00 грн", "Fixed sum"), ("en", "Fixed sum: UAH 200.00", "грн")],
)
def test_the_list_says_the_booking_type_in_words_and_money(
    staff_client, org, branch, ready, language, words, wrong
):
    make_booking(org, branch)
    _lang(staff_client, language)
    page = staff_client.get(reverse("prepayments:bookings")).content.decode()
    rule = re.search(r'data-testid="booking-type-rule">([^<]*)<', page)
    assert rule is not None and rule.group(1).replace("\xa0", " ") == words  # money: NBSP
    assert wrong not in rule.group(1)


def test_the_visit_page_of_a_paid_booking_offers_no_link_actions(staff_client, org, branch, ready):
    booking = _paid(org, branch)
    _lang(staff_client, "en")
    page = staff_client.get(f"/visits/{booking.visit_id}/booking/").content.decode()
    assert "<title>Create booking" not in page and "Prepayment for the visit" in page
    assert 'data-testid="create-booking"' not in page
    assert "send the link again" not in page and "from the client's balance" not in page
    assert "The prepayment is paid" in page


def test_the_visit_page_of_a_booking_says_why_the_booking_was_asked_for(
    staff_client, org, branch, ready
):
    """With a booking, the page says why it was asked for (staff asked where no rule
    requires one), not what the rules say now beside "Booking №5: Awaiting payment"
    (it read "Prepayment waived: client tag «клуб»" above an unpaid booking)."""
    booking = make_booking(org, branch)
    _lang(staff_client, "en")
    page = staff_client.get(f"/visits/{booking.visit_id}/booking/").content.decode()
    decision = re.search(r'data-testid="decision">(.*?)</div>', page, re.S)
    assert decision is not None
    with translation.override("en"):
        assert booking.reason_shown
        assert booking.reason_shown[0].upper() + booking.reason_shown[1:] in decision.group(1)
    assert 'data-testid="current-booking"' in page


def test_the_paid_public_page_says_thanks_the_amount_and_whom_to_call(client, org, branch, ready):
    org.phone = "+380671112233"
    org.save(update_fields=["phone"])
    booking = _paid(org, branch)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert "Prepayment received. Thank you!" in page
    prepaid = re.search(r'data-testid="prepaid-amount">(.*?)</div>', page, re.S)
    assert prepaid is not None and "UAH\xa0200.00" in prepaid.group(1)
    assert 'href="tel:+380671112233"' in page and 'data-testid="contact-phone"' in page
    # read as people read a number; dialled as stored
    assert ">+380 67 111 22 33</a>" in page and ">+380671112233<" not in page


def test_the_evidence_block_labels_its_amounts_and_hides_empty_rows(
    staff_client, org, branch, ready
):
    booking = make_booking(org, branch)
    _lang(staff_client, "en")
    page = staff_client.get(reverse("prepayments:detail", args=[booking.pk])).content.decode()
    assert ">IP<" not in page and 'data-testid="accepted-browser"' not in page
    assert 'data-testid="evidence-not-recorded"' in page
    assert "Service price shown" in page and "Prepayment shown" in page
    shown = re.search(r'data-testid="shown-amount">([^<]*)<', page)
    assert shown is not None and shown.group(1) == "UAH\xa0200.00"
    Booking.objects.filter(pk=booking.pk).update(
        accepted_at=timezone.now(), accepted_ip="10.0.0.1", accepted_user_agent="Phone/1.0"
    )
    page = staff_client.get(reverse("prepayments:detail", args=[booking.pk])).content.decode()
    assert 'data-testid="accepted-ip">10.0.0.1<' in page and "Phone/1.0" in page
    assert 'data-testid="evidence-not-recorded"' not in page
