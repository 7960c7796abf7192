"""A booking on the one checkout (`payments.checkout`): what the prepayment purpose offers
(the balance when it covers the amount, the agreement, "Try again"), the same rules on the
bare payment page of the booking's payment, and the booking page's constant query count."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.ledger.selectors import client_balance, entries_for_cause
from zapys.ledger.services import entry_create
from zapys.payments.checkout import checkout_context
from zapys.payments.models import Payment
from zapys.payments.services import payment_fail, payment_succeed
from zapys.prepayments.models import Booking
from zapys.prepayments.services import booking_payment_retry


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org, page_language="en", agreement_text="Deposits are kept for no-shows.")
    return make_booking_type(org, "fixed", 20_000)


def _top_up(booking: Booking, amount: int) -> None:
    entry_create(client=booking.client, kind="debit", amount=amount, purpose="top_up", actor=SYSTEM)


def _checkout(booking: Booking):
    payment = Payment.objects.select_related("account", "client").get(pk=booking.payment_id)
    with translation.override("en"):
        return checkout_context(payment, language="en", payable=True)


def test_the_balance_is_offered_when_it_covers_the_prepayment(org, branch, ready):
    booking = make_booking(org, branch)
    _top_up(booking, 50_000)
    checkout = _checkout(booking)
    assert checkout is not None and checkout.label == "Prepayment"
    assert (checkout.amount, checkout.covered, checkout.balance_covers) == (20_000, 20_000, True)
    # ...after the terms: paying in any way means accepting them first (X4).
    assert checkout.agreement is not None and not checkout.accepted
    assert checkout.agreement.text == "Deposits are kept for no-shows."
    assert not checkout.can_pay_from_balance and checkout.form is None
    Booking.objects.filter(pk=booking.pk).update(accepted_at=booking.created_at)
    checkout = _checkout(booking)
    assert checkout.can_pay_from_balance and checkout.form is not None


def test_a_balance_short_of_the_amount_is_shown_but_not_offered(org, branch, ready):
    booking = make_booking(org, branch)
    _top_up(booking, 5_000)
    Booking.objects.filter(pk=booking.pk).update(accepted_at=booking.created_at)
    checkout = _checkout(booking)
    assert (checkout.covered, checkout.balance_covers, checkout.can_pay_from_balance) == (
        5_000,
        False,
        False,
    )
    entry_create(
        client=booking.client, kind="credit", amount=9_000, purpose="service", actor=SYSTEM
    )
    assert _checkout(booking).covered == 0  # a debt covers nothing


def test_the_bare_payment_page_of_a_booking_asks_for_the_booking_agreement(
    client, org, branch, ready
):
    """Before the one checkout, `/pay/<payment token>/` of a booking's payment showed the
    provider's form without the agreement. Now the purpose decides, on every page."""
    booking = make_booking(org, branch)
    client.cookies["django_language"] = "en"
    page = client.get(f"/pay/{booking.payment.token}/").content.decode()
    assert 'data-testid="agreement-form"' in page and "checkout-form" not in page
    assert "Deposits are kept for no-shows." in page and "Prepayment" in page
    refused = client.post(f"/pay/{booking.payment.token}/", {}).content.decode()
    assert "is-invalid" in refused and "checkout-form" not in refused
    booking.refresh_from_db()
    assert booking.accepted_at is None

    client.post(f"/pay/{booking.payment.token}/", {"accept": "on"}, HTTP_USER_AGENT="Tab/1")
    booking.refresh_from_db()
    assert booking.accepted_at is not None and booking.accepted_user_agent == "Tab/1"
    assert (
        'data-testid="checkout-form"'
        in client.get(f"/pay/{booking.payment.token}/").content.decode()
    )
    # Accepted once for the booking: its own page does not ask again.
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert "agreement-form" not in page and 'data-testid="checkout-form"' in page


def test_a_declined_booking_payment_is_retried_from_the_bare_payment_page(
    client, org, branch, ready
):
    booking = make_booking(org, branch)
    Booking.objects.filter(pk=booking.pk).update(accepted_at=booking.created_at)
    first = booking.payment
    payment_fail(payment=first, actor=SYSTEM)
    page = client.get(f"/pay/{first.token}/").content.decode()
    assert 'data-testid="pay-again"' in page
    response = client.post(f"/pay/{first.token}/", {"action": "retry"})
    booking.refresh_from_db()
    assert booking.payment_id != first.pk and booking.payment.status == "pending"
    assert response["Location"] == f"/pay/{booking.payment.token}/"
    assert Payment.objects.get(pk=first.pk).status == "failed"


def test_paying_from_the_balance_on_the_bare_page_lands_on_the_booking(client, org, branch, ready):
    booking = make_booking(org, branch)
    _top_up(booking, 20_000)
    Booking.objects.filter(pk=booking.pk).update(accepted_at=booking.created_at)
    response = client.post(f"/pay/{booking.payment.token}/", {"action": "balance"})
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver/p/{booking.token}/?return=1"
    booking.refresh_from_db()
    assert booking.status == "paid" and booking.paid_from_balance
    assert client_balance(booking.client) == 20_000  # earmarked, not spent
    assert entries_for_cause(booking).count() == 2
    assert 'data-testid="page-state"' in client.get(response["Location"]).content.decode()


def test_a_refused_balance_payment_changes_nothing(client, org, branch, ready):
    booking = make_booking(org, branch)
    _top_up(booking, 19_999)
    client.post(f"/p/{booking.token}/", {"accept": "on"})
    page = client.post(f"/p/{booking.token}/", {"action": "balance"})
    assert page.status_code == 200
    assert "does not cover the prepayment" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == "pending" and not booking.paid_from_balance
    assert booking.payment.status == "pending"
    assert not entries_for_cause(booking).exists() and client_balance(booking.client) == 19_999


@pytest.mark.parametrize("history", [1, 12])
def test_the_booking_page_costs_the_same_queries_whatever_the_history(
    client, org, branch, ready, django_assert_num_queries, history
):
    """Each state of the page — the agreement, the checkout with the balance, the decline,
    the paid state — a fixed number of queries, however many entries and bookings the client
    has."""
    booking = make_booking(org, branch)
    for _ in range(history):
        _top_up(booking, 100)
    url = f"/p/{booking.token}/"

    def count(expected: int) -> None:
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200

    # token limit, booking by token, booking with its visit..., settings, payment with its
    # account and client (5) + the purpose's agreement (booking, settings) + the balance (3)
    # + the payment's first open recorded for the link funnel (1, only the first time)
    count(9)
    Booking.objects.filter(pk=booking.pk).update(accepted_at=booking.created_at)
    count(9)  # + the provider's form: its return URL is the booking's page (1)
    payment_fail(payment=booking.payment, actor=SYSTEM)
    count(8)  # "Try again" instead of the form
    booking = booking_payment_retry(booking=booking, actor=SYSTEM)
    count(10)  # + the new attempt's first open (1)
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    count(5)  # paid: the page shows its state, no checkout
