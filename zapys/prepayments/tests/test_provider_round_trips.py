"""The paid booking through real provider protocols: the LiqPay and WayForPay simulators
take the checkout form from the booking's page, send their signed callbacks over HTTP to
the live server, and the booking is paid exactly as with the sandbox (issue acceptance)."""

from __future__ import annotations

import pytest

from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
)
from tests.simulators import post_form
from zapys.ledger.selectors import client_balance, entries_for_cause
from zapys.payments import services as payment_services
from zapys.payments.tests.conftest import liqpay_sim, wayforpay_sim  # noqa: F401 (fixtures)
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_statuses_ensure


@pytest.fixture
def live_public(settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    return live_server


def _booking_with(org, branch, provider: str):
    statuses = visit_statuses_ensure(organization=org)
    account = make_account(org, provider)
    enable_prepayment(org, account=account, status_after_payment=statuses["confirmed"])
    booking = make_booking(org, branch, booking_type=make_booking_type(org, "fixed", 25_000))
    payment = booking.payment
    assert payment is not None
    form = payment_services.checkout_form(payment)  # what the booking page renders
    return booking, payment, form, statuses


def _assert_paid(booking, payment, statuses):
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert (booking.status, payment.status) == ("paid", "succeeded")
    visit = Visit.objects.get(pk=booking.visit_id)
    assert visit.booking_state == "paid" and visit.status_id == statuses["confirmed"].pk
    assert list(entries_for_cause(booking).values_list("kind", "purpose", "amount")) == [
        ("debit", "prepayment", 25_000)
    ]
    assert client_balance(booking.client) == 25_000


def test_liqpay_round_trip(live_public, org, branch, liqpay_sim):  # noqa: F811
    booking, payment, form, statuses = _booking_with(org, branch, "liqpay")
    assert form.action.startswith(liqpay_sim.base_url)
    assert post_form(form.action, form.fields).status_code == 200
    response = liqpay_sim.pay(payment.order_id)
    assert response.status_code == 200
    _assert_paid(booking, payment, statuses)
    liqpay_sim.pay(payment.order_id)  # LiqPay repeats itself: nothing more happens
    _assert_paid(booking, payment, statuses)


def test_wayforpay_round_trip(live_public, org, branch, wayforpay_sim):  # noqa: F811
    booking, payment, form, statuses = _booking_with(org, branch, "wayforpay")
    assert post_form(form.action, form.fields).status_code == 200
    wayforpay_sim.pay(payment.order_id)
    assert wayforpay_sim.accepted[payment.order_id] is True  # our signed "accept" reply
    _assert_paid(booking, payment, statuses)
