"""The sandbox provider: test payments that run entirely inside Zapys, offline.

It behaves like a real provider, over HTTP, so the demo (and `make run`) exercises the
same path as LiqPay and WayForPay:

* Checkout: the browser posts `data` (base64 JSON) + `signature` to Zapys's own sandbox
  checkout page (`/payments/sandbox/checkout/`), which looks like a card form.
  Card 4242 4242 4242 4242 succeeds after a "3-D Secure" code; 4000 0000 0000 0002 is
  declined.
* Callback: the sandbox enqueues an HTTP POST of a signed `data` + `signature` form to
  the `server_url` it was given (a Huey task after commit, through httpx).
* Server to server: `status` and `refund` actions POSTed to `/payments/sandbox/api/`.

Signature: lowercase hex HMAC-SHA256 of the base64 `data` text with the account's
`secret`. Amounts are integer kopecks inside the JSON (no decimal edge at all).

`http_transport` lets tests route these HTTP calls into Django's test client instead
of a live server; production leaves it None.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import httpx

from zapys.core import boundedjson

from . import register
from .base import (
    CallbackReply,
    CheckoutForm,
    CheckoutRequest,
    InvalidCallback,
    PaymentNotFound,
    PaymentStatus,
    Provider,
    ProviderError,
    ProviderEvent,
    RefundResult,
    require_credentials,
)

CHECKOUT_PATH = "/payments/sandbox/checkout/"
API_PATH = "/payments/sandbox/api/"

SUCCESS_CARD = "4242424242424242"
DECLINE_CARD = "4000000000000002"
THREE_DS_CODE = "1234"

#: A sandbox message is a few hundred bytes of base64; anything far longer is refused
#: before it is decoded (the checkout and API forms are posted by anyone).
MAX_DATA_CHARS = 16 * 1024

STATUS_MAP: dict[str, PaymentStatus] = {
    "success": "succeeded",
    "failure": "failed",
    "reversed": "refunded",
    "created": "pending",
}

#: Tests set this to an httpx transport (e.g. one backed by Django's test client).
http_transport: httpx.BaseTransport | None = None


def encode(payload: Mapping[str, Any]) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def sign(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode("ascii"), hashlib.sha256).hexdigest()


def decode_and_verify(secret: str, data: str, signature: str) -> dict[str, Any]:
    """The payload inside `data` once the signature is checked (constant time)."""
    if not data or not signature:
        raise InvalidCallback("sandbox: data or signature missing")
    if len(data) > MAX_DATA_CHARS:
        raise InvalidCallback("sandbox: data is too long")
    try:
        expected = sign(secret, data)
    except UnicodeError as exc:
        raise InvalidCallback("sandbox: data is not ASCII") from exc
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise InvalidCallback("sandbox: signature does not match")
    return decode_data(data)


def decode_data(data: str) -> dict[str, Any]:
    """The JSON object inside `data`, verified or not: size and nesting are bounded
    before parsing (`core.boundedjson`), so a forged message costs nothing but a 400."""
    if len(data) > MAX_DATA_CHARS:
        raise InvalidCallback("sandbox: data is too long")
    try:
        payload = boundedjson.loads(base64.b64decode(data.encode("ascii"), validate=True))
    except boundedjson.JSONLimitError as exc:
        raise InvalidCallback(f"sandbox: {exc}") from exc
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidCallback("sandbox: data is not base64 JSON") from exc
    if not isinstance(payload, dict):
        raise InvalidCallback("sandbox: data is not a JSON object")
    return payload


def parse_form(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeError, ValueError) as exc:
        raise InvalidCallback("sandbox: body is not a form") from exc
    return {key: values[0] for key, values in pairs.items()}


def http_post(url: str, fields: Mapping[str, str], *, timeout: float = 10.0) -> httpx.Response:
    """POST a form the way the sandbox talks to anyone (callbacks and API calls)."""
    kwargs: dict[str, Any] = {"timeout": timeout}
    if http_transport is not None:
        kwargs["transport"] = http_transport
    with httpx.Client(**kwargs) as client:
        return client.post(url, data=dict(fields))


@register
class SandboxProvider(Provider):
    """Credentials: `account` (the payment account's public id) and `secret`."""

    code = "sandbox"
    default_base_url = "http://127.0.0.1:8000"

    def __init__(
        self, credentials: dict[str, Any], *, base_url: str | None = None, timeout: float = 10.0
    ) -> None:
        super().__init__(credentials, base_url=base_url, timeout=timeout)
        require_credentials(credentials, "account", "secret")
        self.account = str(credentials["account"])
        self.secret = str(credentials["secret"])

    def build_checkout(self, req: CheckoutRequest) -> CheckoutForm:
        if req.amount <= 0:
            raise ValueError("amount must be positive")
        payload = {
            "account": self.account,
            "order_id": req.order_id,
            "amount": req.amount,
            "currency": req.currency,
            "description": req.description,
            "result_url": req.result_url,
            "server_url": req.server_url,
            "language": req.language,
            "expires_at": req.expires_at.isoformat() if req.expires_at else "",
        }
        data = encode(payload)
        return CheckoutForm(
            action=self.base_url + CHECKOUT_PATH,
            fields=[("data", data), ("signature", sign(self.secret, data))],
        )

    def parse_callback(self, body: bytes, content_type: str) -> ProviderEvent:
        fields = parse_form(body)
        payload = decode_and_verify(
            self.secret, fields.get("data", ""), fields.get("signature", "")
        )
        if payload.get("account") != self.account:
            raise InvalidCallback("sandbox: callback is for another account")
        return self._event(payload)

    def peek_order_id(self, body: bytes, content_type: str) -> str | None:
        try:
            payload = decode_data(parse_form(body).get("data", ""))
        except InvalidCallback:
            return None
        order_id = payload.get("order_id")
        return str(order_id) if order_id else None

    def callback_reply(
        self, event: ProviderEvent | None, *, order_id: str | None = None
    ) -> CallbackReply:
        if event is not None or order_id:
            return CallbackReply(200, "application/json", b'{"status":"ok"}')
        return CallbackReply(400, "text/plain; charset=utf-8", b"invalid callback")

    def fetch_status(self, order_id: str) -> ProviderEvent:
        reply = self._api({"action": "status", "order_id": order_id})
        if reply.get("result") == "error":
            if reply.get("code") == "not_found":
                raise PaymentNotFound(f"sandbox: no payment for {order_id!r}", code="not_found")
            raise ProviderError(f"sandbox: {reply.get('code')}", transient=False)
        try:
            return self._event(reply)
        except InvalidCallback as exc:
            raise ProviderError(str(exc), transient=True) from exc

    def refund(self, *, order_id: str, amount: int, currency: str, comment: str) -> RefundResult:
        if amount <= 0:
            raise ValueError("refund amount must be positive")
        reply = self._api({"action": "refund", "order_id": order_id, "amount": amount})
        if reply.get("result") == "error":
            return RefundResult("failed", "error", str(reply.get("code", "")), reply)
        return RefundResult("succeeded", "reversed", "", reply)

    def _api(self, request: dict[str, Any]) -> dict[str, Any]:
        data = encode({"account": self.account, **request})
        url = self.base_url + API_PATH
        try:
            response = http_post(
                url, {"data": data, "signature": sign(self.secret, data)}, timeout=self.timeout
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ProviderError(f"sandbox: cannot connect to {url}", transient=True) from exc
        except httpx.TransportError as exc:
            raise ProviderError(
                f"sandbox: no reply from {url}", transient=True, outcome_unknown=True
            ) from exc
        if response.status_code >= 500:
            raise ProviderError(
                f"sandbox: HTTP {response.status_code}", transient=True, outcome_unknown=True
            )
        try:
            fields = response.json()
            return decode_and_verify(self.secret, fields["data"], fields["signature"])
        except (ValueError, KeyError, TypeError, InvalidCallback) as exc:
            raise ProviderError(f"sandbox: bad reply ({exc})", transient=True) from exc

    def _event(self, payload: Mapping[str, Any]) -> ProviderEvent:
        order_id, status = str(payload.get("order_id") or ""), str(payload.get("status") or "")
        amount = payload.get("amount")
        if not order_id or status not in STATUS_MAP:
            raise InvalidCallback("sandbox: order_id or status missing")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
            raise InvalidCallback("sandbox: amount must be integer kopecks")
        payment_id = str(payload.get("payment_id") or order_id)
        refunded = payload.get("refunded")
        if refunded is not None and (isinstance(refunded, bool) or not isinstance(refunded, int)):
            raise InvalidCallback("sandbox: refunded must be integer kopecks")
        return ProviderEvent(
            order_id=order_id,
            status=STATUS_MAP[status],
            provider_status=status,
            amount=amount,
            currency=str(payload.get("currency") or "") or None,
            provider_payment_id=payment_id,
            account_key=self.account,
            event_id=f"{payment_id}:{status}:{payload.get('transaction_id', '')}",
            raw=dict(payload),
            refunded_total=refunded,
        )
