"""The sandbox's 3-D Secure step with the task queue down (issue 10).

The charge is booked and its callback enqueued after the commit. With Redis
unreachable the enqueue raised inside the commit hook, so the client who had just paid
got a 500. Now the client is answered normally, the failure is logged, and the
reconciliation of pending payments finds the charge through the sandbox's API.

These tests commit for real (`transactional_db`): the commit hook must run inside the
request, where it used to turn the answer into a 500.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import redis
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.factories_payments import make_account, make_topup
from zapys.core.tenancy import unscoped
from zapys.payments.models import Payment, PaymentEvent, SandboxCharge
from zapys.payments.providers.sandbox import DECLINE_CARD, SUCCESS_CARD, THREE_DS_CODE


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


@pytest.fixture
def queue_down(monkeypatch):
    """Every enqueue fails the way huey's Redis storage does when Redis is gone."""
    attempts: list[str] = []

    def refuse(task):
        attempts.append(task.name)
        raise redis.exceptions.ConnectionError("Error 111 connecting to redis:6379.")

    monkeypatch.setattr(HUEY, "enqueue", refuse)
    return attempts


@pytest.fixture
def payment(transactional_db, org, branch):
    return make_topup(org, account=make_account(org, "sandbox"), amount=25050)


def _checkout(client, payment: Payment) -> dict[str, str]:
    return _hidden(client.get(f"/pay/{payment.token}/").content.decode())


def test_3ds_step_answers_the_client_when_the_queue_is_down(
    client, payment, queue_down, caplog, sandbox_in_process
):
    fields = _checkout(client, payment)
    with caplog.at_level(logging.WARNING, logger="zapys.payments.sandbox"):
        done = client.post(
            "/payments/sandbox/checkout/", {**fields, "step": "3ds", "code": THREE_DS_CODE}
        )
    assert done.status_code == 302
    assert done["Location"].endswith(f"/pay/{payment.token}/?return=1")
    assert queue_down == ["sandbox_deliver_callback"]
    assert payment.order_id in caplog.text and "could not enqueue" in caplog.text
    with unscoped():
        charge = SandboxCharge.objects.get(order_id=payment.order_id)
    assert (charge.status, charge.amount) == ("success", 25050)
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not PaymentEvent.objects.filter(payment=payment).exists()
    # The client comes back to "waiting for confirmation", not an error.
    page = client.get(done["Location"])
    assert page.status_code == 200

    # Later the reconciliation asks the sandbox and books the payment once.
    from zapys.payments.jobs import reconcile

    summary = reconcile(timezone.now() + timedelta(minutes=15))
    assert "applied: 1" in summary
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    from zapys.ledger.selectors import entries_for_cause

    assert list(entries_for_cause(payment).values_list("kind", "amount")) == [("debit", 25050)]


def test_declined_card_answers_the_client_when_the_queue_is_down(client, payment, queue_down):
    fields = _checkout(client, payment)
    response = client.post(
        "/payments/sandbox/checkout/", {**fields, "step": "card", "card_number": DECLINE_CARD}
    )
    assert response.status_code == 302
    assert queue_down == ["sandbox_deliver_callback"]
    with unscoped():
        assert SandboxCharge.objects.get(order_id=payment.order_id).status == "failure"
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_the_queue_up_still_delivers_after_commit(client, payment, sandbox_in_process):
    """The ordinary path is unchanged: after the commit the callback is delivered (the
    test Huey runs it immediately) and the payment is paid before the client returns."""
    fields = _checkout(client, payment)
    client.post(
        "/payments/sandbox/checkout/", {**fields, "step": "card", "card_number": SUCCESS_CARD}
    )
    done = client.post(
        "/payments/sandbox/checkout/", {**fields, "step": "3ds", "code": THREE_DS_CODE}
    )
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.status == "succeeded"
