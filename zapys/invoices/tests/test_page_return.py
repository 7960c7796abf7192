"""The public invoice page when the payer comes back from the provider (`?return=1`): it
waits (and refreshes itself) only while the attempt is still open and young. A part paid
says what was received and what is left, and offers "Go to payment" again; a declined card
says so; an attempt the payer never finished stops waiting after a while. Before, the page
waited forever after a partial payment or a declined card (found walking the LiqPay and
WayForPay simulators in a browser)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.invoices import services
from zapys.invoices.views import RETURN_WAIT
from zapys.payments.models import Payment
from zapys.payments.services import payment_fail, payment_succeed

REFRESH = 'http-equiv="refresh"'


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def invoice(org, branch):
    make_account(org, "sandbox")
    return services.invoice_create(
        client=make_client(org, name="Коваленко Олена"),
        calculation="manual",
        amount=120_000,
        allow_partial=True,
        actor=SYSTEM,
    )


def _returned(client, invoice) -> str:
    page = client.get(f"/i/{invoice.token}/?return=1")
    assert page.status_code == 200
    return page.content.decode()


def test_a_part_paid_says_what_came_and_what_is_left(client, invoice):
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM, amount=50_000)
    payment_succeed(payment=payment, actor=SYSTEM)
    html = _returned(client, invoice)
    assert REFRESH not in html and 'data-testid="page-state-waiting"' not in html
    assert 'data-testid="payment-received"' in html
    assert "500,00\xa0грн" in html and "700,00\xa0грн" in html
    assert 'data-testid="go-to-payment"' in html


def test_a_declined_card_says_so_and_offers_payment_again(client, invoice):
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM, amount=50_000)
    payment_fail(payment=payment, actor=SYSTEM)
    html = _returned(client, invoice)
    assert REFRESH not in html and 'data-testid="payment-declined"' in html
    assert 'data-testid="go-to-payment"' in html


def test_waits_for_an_open_attempt_only_for_a_while(client, invoice):
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM, amount=50_000)
    html = _returned(client, invoice)
    assert REFRESH in html and 'data-testid="page-state-waiting"' in html
    Payment.objects.filter(pk=payment.pk).update(
        created_at=payment.created_at - RETURN_WAIT - timedelta(seconds=1)
    )
    html = _returned(client, invoice)
    assert REFRESH not in html and 'data-testid="go-to-payment"' in html
    assert 'data-testid="payment-received"' not in html
