"""Hostile bodies on the unauthenticated payment endpoints (issue 10).

A JSON body nested a few thousand levels deep used to raise RecursionError inside
`json` — before the signature was checked — so anyone could make a provider callback,
the sandbox checkout or the sandbox API answer 500. Now the size and the nesting are
bounded before parsing (`core.boundedjson`), LiqPay's and the sandbox's signatures are
checked over the posted base64 text before it is decoded, and such a body gets what a
bad signature gets. Nothing may change: no event, no payment transition, no charge.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.factories_payments import LIQPAY_PRIVATE, make_account, make_topup
from zapys.core.audit import AuditLog
from zapys.core.tenancy import unscoped
from zapys.payments.models import Payment, PaymentEvent, SandboxCharge
from zapys.payments.providers import InvalidCallback, liqpay, sandbox
from zapys.payments.providers.wayforpay import WayForPayProvider, load_callback_json

DEEP = 5000  # json's recursion gives up at about 1,000 levels
DEEP_JSON = "[" * DEEP + "]" * DEEP


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _path(account) -> str:
    return f"/payments/callback/{account.provider}/{account.public_id}/"


def _form(client, path: str, fields: dict | str):
    body = fields if isinstance(fields, str) else urlencode(fields)
    return client.post(path, body, content_type="application/x-www-form-urlencoded")


def _world() -> tuple:
    """Everything a callback or a checkout could change, across organizations."""
    with unscoped():
        return (
            sorted(
                Payment.objects.values_list("pk", "status", "refunded_amount", "held_for_review")
            ),
            PaymentEvent.objects.count(),
            SandboxCharge.objects.count(),
            AuditLog.objects.count(),
        )


# --------------------------------------------------------------------------- LiqPay


@pytest.fixture
def liqpay_payment(org, branch):
    return make_topup(org, account=make_account(org, "liqpay"), amount=15050)


def test_liqpay_deep_data_with_forged_signature_is_400(client, liqpay_payment):
    before = _world()
    data = _b64('{"order_id":' + DEEP_JSON + "}")
    response = _form(client, _path(liqpay_payment.account), {"data": data, "signature": "x" * 28})
    assert response.status_code == 400
    assert _world() == before


@pytest.mark.parametrize("version", [3, 7])
def test_liqpay_deep_data_even_correctly_signed_is_400(client, liqpay_payment, version):
    """A body signed with the merchant's key is parsed, but still within bounds."""
    before = _world()
    data = _b64('{"version":' + str(version) + ',"x":' + DEEP_JSON + "}")
    signature = liqpay.sign(LIQPAY_PRIVATE, data, version=version)
    response = _form(client, _path(liqpay_payment.account), {"data": data, "signature": signature})
    assert response.status_code == 400
    assert _world() == before


def test_liqpay_signature_is_checked_before_data_is_decoded(monkeypatch):
    """A forged message is never parsed: the signature covers the base64 text."""
    decoded: list[str] = []
    monkeypatch.setattr(liqpay, "decode_data", lambda data: decoded.append(data) or {})
    with pytest.raises(InvalidCallback, match="signature"):
        liqpay.decode_and_verify(LIQPAY_PRIVATE, _b64('{"version":3}'), "forged")
    assert decoded == []


def test_liqpay_hash_must_match_the_declared_version():
    """The signature's length picks the hash; the message's version must agree, so a v3
    message signed with the v7 hash (or the reverse) is refused, as it was when the
    version was read first (a guard on the reordering, not a new rule)."""
    v3 = _b64('{"version":3,"order_id":"a"}')
    v7 = _b64('{"version":7,"order_id":"a"}')
    assert liqpay.decode_and_verify(LIQPAY_PRIVATE, v3, liqpay.sign(LIQPAY_PRIVATE, v3))
    assert liqpay.decode_and_verify(LIQPAY_PRIVATE, v7, liqpay.sign(LIQPAY_PRIVATE, v7, version=7))
    with pytest.raises(InvalidCallback):
        liqpay.decode_and_verify(LIQPAY_PRIVATE, v3, liqpay.sign(LIQPAY_PRIVATE, v3, version=7))
    with pytest.raises(InvalidCallback):
        liqpay.decode_and_verify(LIQPAY_PRIVATE, v7, liqpay.sign(LIQPAY_PRIVATE, v7, version=3))


# --------------------------------------------------------------------------- WayForPay


@pytest.fixture
def wfp_payment(org, branch):
    return make_topup(org, account=make_account(org, "wayforpay"), amount=100000)


def _deep_wfp(payment) -> str:
    """A callback whose fields look right but one of them nests 5,000 levels deep (the
    signature is a field, so WayForPay's body must be parsed before it is checked)."""
    merchant = payment.account.credentials["merchant_account"]
    return (
        '{"merchantAccount":"' + merchant + '","orderReference":"' + payment.order_id + '",'
        '"merchantSignature":"0","amount":1000,"currency":"UAH",'
        '"transactionStatus":"Approved","reason":' + DEEP_JSON + "}"
    )


def test_wayforpay_deep_json_callback_is_400(client, wfp_payment):
    before = _world()
    response = client.post(
        _path(wfp_payment.account), _deep_wfp(wfp_payment), content_type="application/json"
    )
    assert response.status_code == 400
    assert _world() == before


def test_wayforpay_deep_json_as_the_form_key_is_400(client, wfp_payment):
    before = _world()
    body = urlencode({_deep_wfp(wfp_payment): ""})
    assert _form(client, _path(wfp_payment.account), body).status_code == 400
    assert _world() == before


def test_wayforpay_brackets_inside_strings_do_not_count():
    """A genuine callback whose text fields hold brackets is still parsed (the bound
    must not refuse what was accepted before)."""
    reason = "[" * 100 + "{" * 100
    textual, plain = load_callback_json(json.dumps({"reason": reason, "n": [[1]]}).encode())
    assert textual["reason"] == plain["reason"] == reason


def test_wayforpay_provider_refuses_deep_json_without_recursing(wfp_payment):
    provider = WayForPayProvider(wfp_payment.account.credentials)
    with pytest.raises(InvalidCallback, match="nested deeper"):
        provider.parse_callback(_deep_wfp(wfp_payment).encode(), "application/json")


# --------------------------------------------------------------------------- sandbox


@pytest.fixture
def sandbox_payment(org, branch):
    return make_topup(org, account=make_account(org, "sandbox"), amount=25050)


def _deep_sandbox_data(account, *, signed: bool) -> dict[str, str]:
    text = '{"account":"' + account.public_id + '","order_id":' + DEEP_JSON + "}"
    data = _b64(text)
    secret = account.credentials["secret"]
    return {"data": data, "signature": sandbox.sign(secret, data) if signed else "0" * 64}


@pytest.mark.parametrize("signed", [False, True])
def test_sandbox_callback_deep_json_is_400(client, sandbox_payment, signed):
    before = _world()
    fields = _deep_sandbox_data(sandbox_payment.account, signed=signed)
    response = _form(client, _path(sandbox_payment.account), fields)
    assert response.status_code == 400
    assert _world() == before


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("step", ["", "card", "3ds"])
def test_sandbox_checkout_deep_json_is_a_404_page(client, sandbox_payment, signed, step):
    """The checkout page treats it as it treats a bad signature: a readable 404."""
    before = _world()
    fields = _deep_sandbox_data(sandbox_payment.account, signed=signed)
    fields.update(step=step, card_number="4242424242424242", code="1234")
    response = client.post("/payments/sandbox/checkout/", fields)
    assert response.status_code == 404
    assert 'data-testid="not-found"' in response.content.decode()
    assert _world() == before


@pytest.mark.parametrize("signed", [False, True])
def test_sandbox_api_deep_json_is_bad_signature(client, sandbox_payment, signed):
    before = _world()
    fields = _deep_sandbox_data(sandbox_payment.account, signed=signed)
    response = client.post("/payments/sandbox/api/", fields)
    assert response.status_code == 400
    assert response.json() == {"result": "error", "code": "bad_signature"}
    assert _world() == before


def test_sandbox_oversized_data_is_refused(client, sandbox_payment):
    """Signed or not, a message far longer than any the sandbox makes is refused."""
    before = _world()
    payload = {"account": sandbox_payment.account.public_id, "pad": "x" * 20_000}
    data = sandbox.encode(payload)
    secret = sandbox_payment.account.credentials["secret"]
    fields = {"data": data, "signature": sandbox.sign(secret, data)}
    assert client.post("/payments/sandbox/api/", fields).status_code == 400
    assert client.post("/payments/sandbox/checkout/", fields).status_code == 404
    with pytest.raises(InvalidCallback, match="too long"):
        sandbox.decode_data(data)
    assert _world() == before
