"""An invoice paid through the real provider protocols: the LiqPay and WayForPay simulators
take the checkout form from the invoice page, send their signed callbacks over HTTP to the
live server, and the invoice is paid once, whatever the provider repeats."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from tests.simulators import post_form
from zapys.invoices import services
from zapys.invoices.models import Invoice
from zapys.ledger.selectors import client_balance
from zapys.payments import services as payment_services
from zapys.payments.tests.conftest import liqpay_sim, wayforpay_sim  # noqa: F401 (fixtures)


@pytest.fixture
def live_public(settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    return live_server


def _invoice_with(org, provider: str):
    account = make_account(org, provider)
    services.invoice_settings_update(organization=org, actor=SYSTEM, payment_account=account)
    invoice = services.invoice_create(
        client=make_client(org), calculation="manual", amount=33_300, actor=SYSTEM
    )
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    assert payment.account_id == account.pk
    return invoice, payment, payment_services.checkout_form(payment)


def _assert_paid(invoice: Invoice) -> None:
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == ("paid", 33_300)
    assert client_balance(invoice.client) == 33_300


def test_liqpay_round_trip(live_public, org, branch, liqpay_sim):  # noqa: F811
    invoice, payment, form = _invoice_with(org, "liqpay")
    assert post_form(form.action, form.fields).status_code == 200
    assert liqpay_sim.pay(payment.order_id).status_code == 200
    _assert_paid(invoice)
    liqpay_sim.pay(payment.order_id)  # LiqPay repeats itself: nothing more happens
    _assert_paid(invoice)


def test_wayforpay_round_trip(live_public, org, branch, wayforpay_sim):  # noqa: F811
    invoice, payment, form = _invoice_with(org, "wayforpay")
    assert post_form(form.action, form.fields).status_code == 200
    wayforpay_sim.pay(payment.order_id)
    assert wayforpay_sim.accepted[payment.order_id] is True
    _assert_paid(invoice)
