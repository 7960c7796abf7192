"""A local fake of LiqPay: checkout intake, callbacks, `/api/request` status and refund.

Behaviour follows docs/providers.md. Where the document is silent the simulator makes
a choice and says so here, so tests do not mistake it for LiqPay's word:

* Signatures are checked exactly (SHA1, or SHA3-256 for `version >= 7`), over the
  posted base64 text, in constant time; `data` must be strict base64 (no line breaks).
* A bad checkout answers 400 with an HTML error page (LiqPay shows an error page);
  a bad API request answers 200 `{"result": "error", "err_code": ...}` — `bad_signature`
  for a signature mismatch, `payment_not_found` for an order without a payment.
* `pay()` sends the callback synchronously and returns our server's response.
  Sandbox orders end in `sandbox` instead of `success`.
* A refund answers `{"result": "ok", "status": "reversed"}`, then sends a `reversed`
  callback in the background (`join_background()` waits for it) carrying the
  payment's fields, `amount` being the original payment amount. The payment's
  status becomes `reversed` only once it is refunded in full (a guess: LiqPay does
  not document partial-refund states).
* Once anything was refunded the payment's fields (callbacks, status replies) carry
  `refund_amount` — what was refunded in all, as a JSON number — and `refund_date_last`
  (ms). LiqPay's callback documentation lists both fields ("Refund amount", "Date of
  last payment refund") without saying whether the amount is the last refund's or the
  total; the simulator sends the total, the reading Zapys takes (see
  `zapys.payments.providers.liqpay.REFUND_AMOUNT_IS_TOTAL`).
* `dashboard_refund()` is a refund made in LiqPay's own merchant dashboard: no API call
  from the merchant, just the `reversed` callback (sent at once; `build_dashboard_refund`
  gives its signed fields without sending them).
* Order ids are unique per simulator, not per public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

import httpx

from .base import SimRequest, SimResponse, SimulatorServer

CHECKOUT_PATH = "/api/3/checkout"
API_PATH = "/api/request"
COMPLETE_PATH = "/_sim/complete"  # the buttons on the simulator's payment page
ACTIONS = frozenset({"pay", "hold", "subscribe", "paydonate", "auth"})
CURRENCIES = frozenset({"UAH", "USD", "EUR"})
REQUIRED_CHECKOUT_FIELDS = (
    "version",
    "public_key",
    "action",
    "amount",
    "currency",
    "description",
    "order_id",
)
PAID_STATUSES = frozenset({"success", "sandbox"})


def lp_sign(private_key: str, data: str, version: int) -> str:
    """The provider side of the signature (written independently of the client)."""
    raw = f"{private_key}{data}{private_key}".encode()
    digest = hashlib.sha3_256(raw) if version >= 7 else hashlib.sha1(raw)
    return base64.b64encode(digest.digest()).decode()


def lp_encode(payload: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, ensure_ascii=False).encode()).decode()


def _now_ms() -> int:
    return int(time.time() * 1000)


def _json_number(value: Decimal) -> float:
    """LiqPay sends amounts as JSON numbers (e.g. 3.0, 150.5)."""
    return float(value)


class LiqPayReject(Exception):
    """A request LiqPay would refuse; `code` is the err_code it would give."""

    def __init__(self, code: str, description: str = "") -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description or code


@dataclass
class LiqPayOrder:
    order_id: str
    public_key: str
    version: int
    action: str
    amount: Decimal
    currency: str
    description: str
    server_url: str
    result_url: str
    language: str
    sandbox: bool
    expired_at: datetime | None
    request: dict[str, Any]
    status: str = "created"  # "created" until a payment exists
    payment_id: int | None = None
    transaction_id: int | None = None
    create_date: int = field(default_factory=_now_ms)
    end_date: int | None = None
    refunded: Decimal = Decimal(0)
    refund_date_last: int | None = None
    err_code: str = ""


@dataclass(frozen=True)
class SentCallback:
    order_id: str
    status: str
    fields: dict[str, str]
    response_status: int | None
    error: str = ""


class LiqPaySimulator(SimulatorServer):
    """`private_keys` maps each merchant's public key to its private key."""

    def __init__(self, private_keys: Mapping[str, str], *, callback_timeout: float = 5.0) -> None:
        super().__init__()
        self.private_keys = dict(private_keys)
        self.callback_timeout = callback_timeout
        self.orders: dict[str, LiqPayOrder] = {}
        self.rejections: list[tuple[str, str]] = []  # (path, err_code)
        self.callbacks: list[SentCallback] = []
        self.next_refund_error: tuple[str, str] | None = None
        """Set to (err_code, description) to make the next refund fail that way."""
        self._ids = itertools.count(1_000_001)
        self._order_lock = threading.RLock()

    # ------------------------------------------------------------------ HTTP side

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "POST":
            return SimResponse(405, body=b"POST only")
        if request.path == CHECKOUT_PATH:
            return self._checkout(request)
        if request.path == API_PATH:
            return self._api(request)
        if request.path == COMPLETE_PATH:
            return self._complete(request)
        return SimResponse(404, body=b"not found")

    def _checkout(self, request: SimRequest) -> SimResponse:
        try:
            payload = self._verified(request)
            order = self._intake(payload)
        except LiqPayReject as exc:
            self.rejections.append((request.path, exc.code))
            return SimResponse.html(f"<h1>LiqPay error</h1><p>{escape(exc.code)}</p>", 400)
        return SimResponse.html(self._payment_page(order))

    def _api(self, request: SimRequest) -> SimResponse:
        try:
            payload = self._verified(request)
            action = payload.get("action")
            if action == "status":
                return SimResponse.json({"result": "ok", **self._status(payload)})
            if action == "refund":
                return SimResponse.json(self._refund(payload))
            raise LiqPayReject("invalid_action", f"action {action!r} is not simulated")
        except LiqPayReject as exc:
            self.rejections.append((request.path, exc.code))
            return SimResponse.json(
                {
                    "result": "error",
                    "status": "error",
                    "err_code": exc.code,
                    "err_description": exc.description,
                }
            )

    def _complete(self, request: SimRequest) -> SimResponse:
        """The payment page's buttons: pay, then send the browser back to result_url."""
        form = dict(request.form())
        order = self.orders[form["order_id"]]
        self.pay(order.order_id, status=form.get("status", "success"))
        if order.result_url:
            return SimResponse.redirect(order.result_url)
        return SimResponse.html("<p>Payment finished.</p>")

    # ------------------------------------------------------------------ verification

    def _verified(self, request: SimRequest) -> dict[str, Any]:
        fields = dict(request.form())
        data, signature = fields.get("data", ""), fields.get("signature", "")
        if not data or not signature:
            raise LiqPayReject("missing_data_or_signature")
        try:
            text = base64.b64decode(data, validate=True).decode("utf-8")
            payload = json.loads(text, parse_float=Decimal)
        except (binascii.Error, UnicodeError, ValueError) as exc:
            raise LiqPayReject("invalid_data", str(exc)) from exc
        if not isinstance(payload, dict):
            raise LiqPayReject("invalid_data", "not a JSON object")
        private_key = self.private_keys.get(str(payload.get("public_key", "")))
        if private_key is None:
            raise LiqPayReject("public_key_not_found")
        version = _version(payload)
        if not hmac.compare_digest(lp_sign(private_key, data, version), signature):
            raise LiqPayReject("bad_signature", "Invalid signature")
        return payload

    def _intake(self, payload: dict[str, Any]) -> LiqPayOrder:
        missing = [name for name in REQUIRED_CHECKOUT_FIELDS if payload.get(name) in (None, "")]
        if missing:
            raise LiqPayReject("missing_params", ", ".join(missing))
        order_id = str(payload["order_id"])
        amount = _amount(payload["amount"])
        checks = [
            (str(payload["action"]) in ACTIONS, "invalid_action"),
            (payload["currency"] in CURRENCIES, "invalid_currency"),
            (len(order_id) <= 255, "order_id_too_long"),
            (len(str(payload.get("server_url", ""))) <= 510, "server_url_too_long"),
            (len(str(payload.get("result_url", ""))) <= 510, "result_url_too_long"),
            (str(payload.get("language", "uk")) in {"uk", "en"}, "invalid_language"),
        ]
        for ok, code in checks:
            if not ok:
                raise LiqPayReject(code)
        with self._order_lock:
            existing = self.orders.get(order_id)
            if existing is not None and existing.status != "created":
                raise LiqPayReject("order_id_duplicate", "payment for this order_id exists")
            order = LiqPayOrder(
                order_id=order_id,
                public_key=str(payload["public_key"]),
                version=_version(payload),
                action=str(payload["action"]),
                amount=amount,
                currency=str(payload["currency"]),
                description=str(payload["description"]),
                server_url=str(payload.get("server_url", "")),
                result_url=str(payload.get("result_url", "")),
                language=str(payload.get("language", "uk")),
                sandbox=str(payload.get("sandbox", "0")) == "1",
                expired_at=_expired_date(payload.get("expired_date")),
                request=payload,
            )
            self.orders[order_id] = order
        return order

    # ------------------------------------------------------------------ provider actions

    def build_callback(self, order_id: str, status: str = "success") -> dict[str, str]:
        """The signed callback form fields for the order's current payment, after
        moving it to `status` (tests tamper with these to forge callbacks)."""
        with self._order_lock:
            order = self.orders[order_id]
            if status == "success" and order.sandbox:
                status = "sandbox"
            if order.payment_id is None:
                order.payment_id = next(self._ids)
            order.transaction_id = next(self._ids)
            order.status = status
            order.end_date = _now_ms()
            order.err_code = "" if status in PAID_STATUSES else "err_payment"
            return self._signed(order, self._payment_fields(order))

    def pay(self, order_id: str, status: str = "success") -> httpx.Response:
        """The client pays (or fails to): send the callback to server_url now and return
        the merchant's HTTP response. Refuses an order past its expired_date."""
        order = self.orders[order_id]
        if order.expired_at is not None and datetime.now(UTC) >= order.expired_at:
            raise ValueError(f"order {order_id} expired at {order.expired_at}")
        return self._send(order, self.build_callback(order_id, status))

    def _status(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        order = self._paid_order(payload)
        return self._payment_fields(order)

    def _refund(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        with self._order_lock:
            order = self._paid_order(payload)
            if self.next_refund_error is not None:
                code, description = self.next_refund_error
                self.next_refund_error = None
                raise LiqPayReject(code, description)
            amount = _amount(payload["amount"]) if "amount" in payload else None
            callback = self._record_refund(order, amount)
            reply = {
                "result": "ok",
                "payment_id": order.payment_id,
                "status": "reversed",
                "order_id": order.order_id,
                "public_key": order.public_key,
            }
        self.run_in_background(lambda: self._send(order, callback))
        return reply

    def _record_refund(self, order: LiqPayOrder, amount: Decimal | None) -> dict[str, str]:
        """Refund `amount` (None: what is left) of the order; the signed `reversed` callback."""
        if order.status not in PAID_STATUSES:
            raise LiqPayReject("payment_not_refundable", f"status is {order.status}")
        remaining = order.amount - order.refunded
        amount = remaining if amount is None else amount
        if amount > remaining:
            raise LiqPayReject("refund_amount_limit", f"at most {remaining} can be refunded")
        order.refunded += amount
        order.refund_date_last = _now_ms()
        if order.refunded == order.amount:
            order.status = "reversed"
        fields = self._payment_fields(order)
        fields.update(status="reversed", end_date=_now_ms(), transaction_id=next(self._ids))
        return self._signed(order, fields)

    def build_dashboard_refund(
        self, order_id: str, amount: Decimal | None = None
    ) -> dict[str, str]:
        """A refund of `amount` hryvnias (None: the rest) made in LiqPay's own dashboard:
        recorded here, and the signed `reversed` callback's form fields returned."""
        with self._order_lock:
            return self._record_refund(self.orders[order_id], amount)

    def dashboard_refund(self, order_id: str, amount: Decimal | None = None) -> httpx.Response:
        """`build_dashboard_refund`, and the callback sent to server_url now."""
        fields = self.build_dashboard_refund(order_id, amount)
        return self._send(self.orders[order_id], fields)

    def _paid_order(self, payload: Mapping[str, Any]) -> LiqPayOrder:
        order = self.orders.get(str(payload.get("order_id", "")))
        if (
            order is None
            or order.payment_id is None
            or order.public_key != payload.get("public_key")
        ):
            raise LiqPayReject("payment_not_found", "payment_not_found")
        return order

    # ------------------------------------------------------------------ messages

    def _payment_fields(self, order: LiqPayOrder) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "payment_id": order.payment_id,
            "action": order.action,
            "status": order.status,
            "version": order.version,
            "type": "buy",
            "paytype": "card",
            "public_key": order.public_key,
            "acq_id": 414963,
            "order_id": order.order_id,
            "liqpay_order_id": f"SIM{order.payment_id}",
            "description": order.description,
            "sender_phone": "380950000001",
            "sender_card_mask2": "424242*42",
            "sender_card_bank": "Simulated bank",
            "amount": _json_number(order.amount),
            "currency": order.currency,
            "sender_commission": 0.0,
            "receiver_commission": _json_number(
                (order.amount * Decimal("0.015")).quantize(Decimal("0.01"))
            ),
            "agent_commission": 0.0,
            "amount_debit": _json_number(order.amount),
            "amount_credit": _json_number(order.amount),
            "commission_debit": 0.0,
            "commission_credit": 0.0,
            "create_date": order.create_date,
            "end_date": order.end_date,
            "transaction_id": order.transaction_id,
        }
        if order.err_code:
            fields.update(err_code=order.err_code, err_description="Simulated decline")
        if order.refunded:
            fields.update(
                refund_amount=_json_number(order.refunded), refund_date_last=order.refund_date_last
            )
        return fields

    def _signed(self, order: LiqPayOrder, payload: Mapping[str, Any]) -> dict[str, str]:
        data = lp_encode(payload)
        return {
            "data": data,
            "signature": lp_sign(self.private_keys[order.public_key], data, order.version),
        }

    def _send(self, order: LiqPayOrder, fields: dict[str, str]) -> httpx.Response:
        status = json.loads(base64.b64decode(fields["data"]))["status"]
        try:
            response = httpx.post(order.server_url, data=fields, timeout=self.callback_timeout)
        except httpx.HTTPError as exc:
            self.callbacks.append(SentCallback(order.order_id, status, fields, None, repr(exc)))
            raise
        self.callbacks.append(SentCallback(order.order_id, status, fields, response.status_code))
        return response

    def _payment_page(self, order: LiqPayOrder) -> str:
        buttons = "".join(
            f'<form method="post" action="{COMPLETE_PATH}">'
            f'<input type="hidden" name="order_id" value="{escape(order.order_id)}">'
            f'<input type="hidden" name="status" value="{status}">'
            f'<button type="submit" id="sim-{status}">{label}</button></form>'
            for status, label in (("success", "Pay"), ("failure", "Decline"))
        )
        return (
            "<!doctype html><title>LiqPay simulator</title>"
            f"<h1>LiqPay simulator</h1><p id='order'>{escape(order.order_id)}</p>"
            f"<p id='amount'>{order.amount} {escape(order.currency)}</p>"
            f"<p id='description'>{escape(order.description)}</p>{buttons}"
        )


def _version(payload: Mapping[str, Any]) -> int:
    try:
        return int(str(payload.get("version", 3)))
    except ValueError as exc:
        raise LiqPayReject("invalid_version") from exc


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise LiqPayReject("invalid_amount", repr(value)) from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise LiqPayReject("invalid_amount", repr(value))
    return amount


def _expired_date(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as exc:
        raise LiqPayReject("invalid_expired_date", str(value)) from exc
