"""The sandbox provider end to end: top-up → checkout page → card → 3-D Secure →
signed callback over HTTP (routed into Django) → payment succeeded → ledger debit."""

from __future__ import annotations

import re

import pytest

from tests.factories_payments import make_account, make_client, make_topup
from zapys.payments.models import Payment, PaymentEvent
from zapys.payments.providers.sandbox import DECLINE_CARD, SUCCESS_CARD, THREE_DS_CODE


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _open_checkout(client, payment: Payment) -> dict[str, str]:
    page = client.get(f"/pay/{payment.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'action="http://testserver/payments/sandbox/checkout/"' in html
    return _hidden(html)


@pytest.fixture
def sandbox(org):
    return make_account(org, "sandbox")


def test_sandbox_success_card_credits_balance(
    org, branch, sandbox, client, sandbox_in_process, django_capture_on_commit_callbacks
):
    payment = make_topup(org, account=sandbox, amount=25050)
    assert payment.status == "pending"
    fields = _open_checkout(client, payment)
    card_page = client.post("/payments/sandbox/checkout/", fields)
    assert card_page.status_code == 200 and "4242" in card_page.content.decode()
    step = client.post(
        "/payments/sandbox/checkout/", {**fields, "step": "card", "card_number": SUCCESS_CARD}
    )
    assert "3-D Secure" in step.content.decode() or step.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/payments/sandbox/checkout/", {**fields, "step": "3ds", "code": THREE_DS_CODE}
        )
    assert done.status_code == 302 and done["Location"].endswith(f"/pay/{payment.token}/?return=1")
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert PaymentEvent.objects.filter(payment=payment, outcome="applied").count() == 1
    from zapys.ledger.selectors import client_balance, entries_for_cause

    assert client_balance(payment.client) == 25050
    assert list(entries_for_cause(payment).values_list("kind", "purpose", "amount")) == [
        ("debit", "top_up", 25050)
    ]
    page = client.get(f"/pay/{payment.token}/")
    assert 'data-status="succeeded"' in page.content.decode()


def test_sandbox_decline_card_fails_payment(
    org, sandbox, client, sandbox_in_process, django_capture_on_commit_callbacks
):
    payment = make_topup(org, account=sandbox, amount=10000)
    fields = _open_checkout(client, payment)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/payments/sandbox/checkout/", {**fields, "step": "card", "card_number": DECLINE_CARD}
        )
    payment.refresh_from_db()
    assert payment.status == "failed"


def test_sandbox_wrong_3ds_code_changes_nothing(org, sandbox, client, sandbox_in_process):
    payment = make_topup(org, account=sandbox)
    fields = _open_checkout(client, payment)
    response = client.post("/payments/sandbox/checkout/", {**fields, "step": "3ds", "code": "0000"})
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_sandbox_refund_and_status(
    org, branch, sandbox, client, sandbox_in_process, django_capture_on_commit_callbacks, actor
):
    from zapys.payments.services import payment_reconcile, payment_refund

    payment = make_topup(org, account=sandbox, amount=30000)
    fields = _open_checkout(client, payment)
    # The callback is lost: the charge happens, the callback is never delivered.
    client.post("/payments/sandbox/checkout/", {**fields, "step": "3ds", "code": THREE_DS_CODE})
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert payment_reconcile(payment=payment) == "applied"
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    refunded = payment_refund(payment=payment, amount=10000, actor=actor)
    assert (refunded.status, refunded.refunded_amount) == ("partially_refunded", 10000)
    refunded = payment_refund(payment=payment, actor=actor)
    assert (refunded.status, refunded.refunded_amount) == ("refunded", 30000)
    from zapys.ledger.selectors import client_balance

    assert client_balance(payment.client) == 0


def test_payment_page_unknown_token_404(db, client):
    assert client.get("/pay/nope/").status_code == 404


def test_client_factory_smoke(org):
    assert make_client(org).organization_id == org.pk
