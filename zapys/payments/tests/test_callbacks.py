"""Provider callbacks through the LiqPay and WayForPay simulators (DESIGN rule 6).

The simulators produce the signed callbacks; most tests post them with Django's test
client (the `db` fixture keeps them fast), the round trips use a live server so the
simulator itself delivers them over HTTP. Negative tests assert nothing changed.
"""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import urlencode

import httpx
import pytest
from django.db import connection

from tests.factories_payments import LIQPAY_PRIVATE, make_account, make_topup
from tests.simulators import post_form
from zapys.core.tenancy import org_scope, unscoped
from zapys.payments import services
from zapys.payments.models import Payment, PaymentEvent
from zapys.payments.providers import CheckoutRequest
from zapys.payments.providers.liqpay import encode_data, sign


def _path(payment: Payment) -> str:
    return f"/payments/callback/{payment.account.provider}/{payment.account.public_id}/"


def _form(client, path: str, fields: dict):
    """POST url-encoded, as providers do (Django's client would send multipart)."""
    return client.post(path, urlencode(fields), content_type="application/x-www-form-urlencoded")


def _register(payment: Payment, sim, **changes) -> None:
    """The client opens the checkout: the simulator learns the order."""
    form = services.checkout_form(payment)
    if changes:
        provider = services.provider_for(payment.account)
        request = CheckoutRequest(
            order_id=payment.order_id,
            amount=changes.get("amount", payment.amount),
            currency=changes.get("currency", payment.currency),
            description="x",
            result_url="http://testserver/",
            server_url=services.callback_url(payment.account),
        )
        form = provider.build_checkout(request)
    response = post_form(form.action, form.fields)
    assert response.status_code == 200, response.text


def _entries(payment: Payment) -> list[tuple[str, str, int]]:
    from zapys.ledger.selectors import entries_for_cause

    return list(entries_for_cause(payment).values_list("kind", "purpose", "amount"))


def _state(payment: Payment) -> tuple:
    fresh = Payment.objects.get(pk=payment.pk)
    return (
        fresh.status,
        fresh.refunded_amount,
        fresh.held_for_review,
        PaymentEvent.objects.filter(payment=payment).count(),
        len(_entries(payment)),
    )


@pytest.fixture
def liqpay_payment(org, branch, liqpay_sim):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=15050)
    _register(payment, liqpay_sim)
    return payment


@pytest.fixture
def wfp_payment(org, branch, wayforpay_sim):
    payment = make_topup(org, account=make_account(org, "wayforpay"), amount=100000)
    _register(payment, wayforpay_sim)
    return payment


# --------------------------------------------------------------------------- LiqPay


def test_liqpay_success_then_replay(client, liqpay_payment, liqpay_sim):
    fields = liqpay_sim.build_callback(liqpay_payment.order_id, "success")
    first = _form(client, _path(liqpay_payment), fields)
    assert first.status_code == 200
    assert _state(liqpay_payment) == ("succeeded", 0, False, 1, 1)
    assert _entries(liqpay_payment) == [("debit", "top_up", 15050)]
    replay = _form(client, _path(liqpay_payment), fields)
    assert replay.status_code == 200
    assert _state(liqpay_payment) == ("succeeded", 0, False, 1, 1)


def test_liqpay_forged_signature_rejected(client, liqpay_payment, liqpay_sim):
    fields = liqpay_sim.build_callback(liqpay_payment.order_id, "success")
    before = _state(liqpay_payment)
    forged = {"data": fields["data"], "signature": sign("not-the-key", fields["data"])}
    assert _form(client, _path(liqpay_payment), forged).status_code == 400
    assert _state(liqpay_payment) == before == ("pending", 0, False, 0, 0)
    assert not PaymentEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "data=eyJvcmRlcl9pZCI6&signature=abc",  # truncated base64
        "data=" + base64.b64encode(b"not json").decode() + "&signature=x",
        "garbage",
        "",
    ],
)
def test_liqpay_malformed_bodies_rejected(client, liqpay_payment, body):
    response = client.post(
        _path(liqpay_payment), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert _state(liqpay_payment) == ("pending", 0, False, 0, 0)


def test_signed_non_json_data_rejected(client, liqpay_payment):
    data = base64.b64encode(b"[1, 2").decode()
    response = client.post(
        _path(liqpay_payment), {"data": data, "signature": sign(LIQPAY_PRIVATE, data)}
    )
    assert response.status_code == 400
    assert _state(liqpay_payment) == ("pending", 0, False, 0, 0)


def test_huge_body_413(client, liqpay_payment):
    body = "data=" + "A" * (70 * 1024) + "&signature=x"
    response = client.post(
        _path(liqpay_payment), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert _state(liqpay_payment) == ("pending", 0, False, 0, 0)


def test_get_and_unknown_account(client, liqpay_payment):
    assert client.get(_path(liqpay_payment)).status_code == 405
    assert client.post("/payments/callback/liqpay/nope/", {}).status_code == 404
    wrong_provider = f"/payments/callback/wayforpay/{liqpay_payment.account.public_id}/"
    assert client.post(wrong_provider, {}).status_code == 404


def test_unknown_order_answered_and_logged(client, org, liqpay_payment, liqpay_sim):
    creds = liqpay_payment.account.credentials
    payload = {
        "public_key": creds["public_key"],
        "order_id": "zp-not-ours",
        "status": "success",
        "amount": 150.5,
        "currency": "UAH",
        "payment_id": 77,
        "version": 3,
    }
    data = encode_data(payload)
    response = _form(
        client, _path(liqpay_payment), {"data": data, "signature": sign(LIQPAY_PRIVATE, data)}
    )
    assert response.status_code == 200
    event = PaymentEvent.objects.get()
    assert (event.outcome, event.payment_id) == ("unknown_order", None)
    assert _state(liqpay_payment) == ("pending", 0, False, 0, 0)


@pytest.mark.parametrize(("field", "value"), [("amount", 15000), ("currency", "USD")])
def test_amount_or_currency_mismatch_held(client, org, branch, liqpay_sim, field, value):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=15050)
    _register(payment, liqpay_sim, **{field: value})
    fields = liqpay_sim.build_callback(payment.order_id, "success")
    assert _form(client, _path(payment), fields).status_code == 200
    fresh = Payment.objects.get(pk=payment.pk)
    assert (fresh.status, fresh.held_for_review) == ("pending", True)
    assert fresh.review_reason
    assert _entries(payment) == []
    from zapys.messaging.models import StaffNotification

    assert StaffNotification.objects.filter(related_id=str(payment.pk)).exists()


def test_callback_for_other_organizations_account(client, org, other_org, liqpay_sim):
    """B's genuine callback posted to A's URL fails A's verification (public_key), and
    A's order id arriving on B's account is unknown there: nothing moves either way."""
    payment_a = make_topup(org, account=make_account(org, "liqpay"), amount=1000)
    _register(payment_a, liqpay_sim)
    with org_scope(other_org):
        from tests.factories import make_branch

        make_branch(other_org)
        account_b = make_account(other_org, "liqpay")
        payment_b = make_topup(other_org, account=account_b, amount=2000)
        _register(payment_b, liqpay_sim)
    fields_b = liqpay_sim.build_callback(payment_b.order_id, "success")
    assert _form(client, _path(payment_a), fields_b).status_code == 400
    fields_a = liqpay_sim.build_callback(payment_a.order_id, "success")
    path_b = f"/payments/callback/liqpay/{account_b.public_id}/"
    assert _form(client, path_b, fields_a).status_code == 400  # public key is A's
    with unscoped():
        assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}
        assert not PaymentEvent.objects.exists()


def test_failure_then_late_success(client, liqpay_payment, liqpay_sim):
    _form(
        client, _path(liqpay_payment), liqpay_sim.build_callback(liqpay_payment.order_id, "failure")
    )
    assert _state(liqpay_payment)[0] == "failed"
    _form(
        client, _path(liqpay_payment), liqpay_sim.build_callback(liqpay_payment.order_id, "success")
    )
    assert _state(liqpay_payment) == ("succeeded", 0, False, 2, 1)


# --------------------------------------------------------------------------- WayForPay


def _accept_ok(response, payment: Payment) -> None:
    assert response.status_code == 200
    reply = json.loads(response.content)
    assert reply["orderReference"] == payment.order_id and reply["status"] == "accept"
    provider = services.provider_for(payment.account)
    from zapys.payments.providers.wayforpay import sign as wfp_sign

    assert reply["signature"] == wfp_sign(
        provider.credentials["secret_key"], [payment.order_id, "accept", str(reply["time"])]
    )


def test_wayforpay_json_callback_accepted(client, wfp_payment, wayforpay_sim):
    payload = wayforpay_sim.build_callback(wfp_payment.order_id, "Approved")
    response = client.post(_path(wfp_payment), json.dumps(payload), content_type="application/json")
    _accept_ok(response, wfp_payment)
    assert _state(wfp_payment) == ("succeeded", 0, False, 1, 1)
    replay = client.post(_path(wfp_payment), json.dumps(payload), content_type="application/json")
    _accept_ok(replay, wfp_payment)
    assert _state(wfp_payment) == ("succeeded", 0, False, 1, 1)


def test_wayforpay_form_encoded_callback(client, wfp_payment, wayforpay_sim):
    payload = wayforpay_sim.build_callback(wfp_payment.order_id, "Approved")
    body = urlencode({json.dumps(payload): ""})
    response = client.post(
        _path(wfp_payment), body, content_type="application/x-www-form-urlencoded"
    )
    _accept_ok(response, wfp_payment)
    assert _state(wfp_payment)[0] == "succeeded"


def test_wayforpay_forged_and_declined(client, wfp_payment, wayforpay_sim):
    payload = wayforpay_sim.build_callback(wfp_payment.order_id, "Approved")
    forged = {**payload, "merchantSignature": "0" * 32}
    response = client.post(_path(wfp_payment), json.dumps(forged), content_type="application/json")
    assert response.status_code == 400
    assert _state(wfp_payment) == ("pending", 0, False, 0, 0)
    declined = wayforpay_sim.build_callback(wfp_payment.order_id, "Declined")
    client.post(_path(wfp_payment), json.dumps(declined), content_type="application/json")
    assert _state(wfp_payment)[0] == "failed"


# --------------------------------------------------------------------------- refunds, polls


def _pay_via_client(client, payment, sim, status="success"):
    if payment.account.provider == "liqpay":
        _form(client, _path(payment), sim.build_callback(payment.order_id, status))
    else:
        payload = sim.build_callback(payment.order_id, "Approved")
        client.post(_path(payment), json.dumps(payload), content_type="application/json")
    assert _state(payment)[0] == "succeeded"


def test_wayforpay_partial_then_full_refund(client, wfp_payment, wayforpay_sim, actor):
    _pay_via_client(client, wfp_payment, wayforpay_sim)
    refunded = services.payment_refund(payment=wfp_payment, amount=40000, actor=actor)
    assert (refunded.status, refunded.refunded_amount) == ("partially_refunded", 40000)
    refunded = services.payment_refund(payment=wfp_payment, actor=actor)
    assert (refunded.status, refunded.refunded_amount) == ("refunded", 100000)
    assert sorted(_entries(wfp_payment)) == [
        ("credit", "refund", 40000),
        ("credit", "refund", 60000),
        ("debit", "top_up", 100000),
    ]


def test_refund_over_limit_and_unpaid(wfp_payment, actor):
    from zapys.core.exceptions import DomainError

    with pytest.raises(DomainError):
        services.payment_refund(payment=wfp_payment, actor=actor)  # not paid yet
    assert _state(wfp_payment) == ("pending", 0, False, 0, 0)


def test_refund_declined_by_provider(client, wfp_payment, wayforpay_sim, actor):
    from zapys.core.exceptions import Conflict

    _pay_via_client(client, wfp_payment, wayforpay_sim)
    wayforpay_sim.next_refund_status = ("Declined", 1123, "Refund not allowed")
    before = _state(wfp_payment)
    with pytest.raises(Conflict):
        services.payment_refund(payment=wfp_payment, actor=actor)
    assert _state(wfp_payment) == before


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"drop": True}])
def test_refund_provider_errors_change_nothing(client, liqpay_payment, liqpay_sim, actor, fault):
    from zapys.core.exceptions import DomainError

    _pay_via_client(client, liqpay_payment, liqpay_sim)
    before = _state(liqpay_payment)
    liqpay_sim.inject_fault(path="/api/request", times=1, **fault)
    with pytest.raises(DomainError) as info:
        services.payment_refund(payment=liqpay_payment, actor=actor)
    assert info.value.status == 502
    assert _state(liqpay_payment) == before
    # Retry works once the provider is back.
    refunded = services.payment_refund(payment=liqpay_payment, actor=actor)
    assert refunded.status == "refunded"
    liqpay_sim.join_background()


def test_refund_timeout_changes_nothing(client, settings, wfp_payment, wayforpay_sim, actor):
    from zapys.core.exceptions import DomainError

    _pay_via_client(client, wfp_payment, wayforpay_sim)
    settings.ZAPYS_PAYMENTS_PROVIDER_TIMEOUT = 0.3
    wayforpay_sim.inject_fault(path="/api", delay=1.0, times=1)
    before = _state(wfp_payment)
    with pytest.raises(DomainError):
        services.payment_refund(payment=wfp_payment, actor=actor)
    assert _state(wfp_payment) == before


def test_reconcile_recovers_lost_callback(liqpay_payment, liqpay_sim):
    liqpay_sim.build_callback(liqpay_payment.order_id, "success")  # paid, callback lost
    assert services.payment_reconcile(payment=liqpay_payment) == "applied"
    assert _state(liqpay_payment) == ("succeeded", 0, False, 1, 1)
    # The lost callback finally arrives: same state report, a no-op.
    assert services.payment_reconcile(payment=liqpay_payment) == "duplicate"


@pytest.mark.parametrize("fault", [{"status": 500}, {"drop": True}])
def test_reconcile_provider_errors(liqpay_payment, liqpay_sim, fault):
    liqpay_sim.build_callback(liqpay_payment.order_id, "success")
    liqpay_sim.inject_fault(path="/api/request", times=1, **fault)
    assert services.payment_reconcile(payment=liqpay_payment) == "error"
    assert _state(liqpay_payment) == ("pending", 0, False, 0, 0)


def test_reconcile_not_found_keeps_pending(liqpay_payment):
    assert services.payment_reconcile(payment=liqpay_payment) == "not_found"
    assert _state(liqpay_payment)[0] == "pending"


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture
def live_public(settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    return live_server


def test_liqpay_round_trip_with_refund(live_public, org, branch, liqpay_sim, actor):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=20000)
    _register(payment, liqpay_sim)
    response = liqpay_sim.pay(payment.order_id)
    assert response.status_code == 200
    assert _state(payment) == ("succeeded", 0, False, 1, 1)
    refunded = services.payment_refund(payment=payment, amount=5000, actor=actor)
    liqpay_sim.join_background()  # the `reversed` callback, delivered over HTTP
    assert not liqpay_sim.errors
    assert liqpay_sim.callbacks[-1].response_status == 200
    fresh = Payment.objects.get(pk=payment.pk)
    assert (refunded.status, fresh.status, fresh.refunded_amount) == (
        "partially_refunded",
        "partially_refunded",
        5000,
    )
    assert not fresh.held_for_review
    assert sorted(_entries(payment)) == [("credit", "refund", 5000), ("debit", "top_up", 20000)]


def test_wayforpay_round_trip(live_public, org, branch, wayforpay_sim, actor):
    payment = make_topup(org, account=make_account(org, "wayforpay"), amount=12345)
    _register(payment, wayforpay_sim)
    wayforpay_sim.pay(payment.order_id, form_encoded=True)
    assert wayforpay_sim.accepted[payment.order_id] is True
    assert _state(payment) == ("succeeded", 0, False, 1, 1)
    refunded = services.payment_refund(payment=payment, actor=actor)
    assert (refunded.status, refunded.refunded_amount) == ("refunded", 12345)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent callbacks need PostgreSQL"
)
def test_concurrent_duplicate_callbacks(live_public, org, branch, liqpay_sim):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=7000)
    _register(payment, liqpay_sim)
    fields = liqpay_sim.build_callback(payment.order_id, "success")
    url = live_public.url + _path(payment)
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def send() -> None:
        barrier.wait()
        statuses.append(httpx.post(url, data=fields, timeout=30).status_code)

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10
    assert _state(payment) == ("succeeded", 0, False, 1, 1)
    from zapys.core.models import AuditLog

    assert (
        AuditLog.objects.filter(action="payment.succeeded", object_id=str(payment.pk)).count() == 1
    )
