"""A local fake of WayForPay: Purchase intake (`/pay`), callbacks, `/api` CHECK_STATUS
and REFUND. One server plays both hosts (secure.wayforpay.com and api.wayforpay.com).

Behaviour follows docs/providers.md. Where the document is silent the simulator makes
a choice and says so here, so tests do not mistake it for WayForPay's word:

* Signatures are HMAC-MD5 hex over `;`-joined texts, checked in constant time. A JSON
  number in an API request is turned back into text the way a PHP server would
  (shortest decimal: 1000.00 → "1000"), so a client that signs "1000.00" but sends the
  number 1000.00 is caught.
* A bad Purchase answers 400 with an HTML error page. A bad API request answers 200
  with `{"reason", "reasonCode"}` and no transactionStatus. The reason codes are the
  simulator's picks: 1113 bad signature, 1127 order not found, 1115 missing
  parameter, 1126 illegal order state, 1128 refund limit, 1109 format error.
* `pay()` sends the callback synchronously (JSON, or with `form_encoded=True` the whole
  JSON as one url-encoded form key), then checks the merchant's signed `accept` reply
  and records the verdict in `accepted[order_ref]`. The callback's `amount` is a JSON
  number and the signature covers its JSON text.
* A REFUND answers transactionStatus `Refunded` (partial or full); the order's own
  status becomes `Refunded` only once refunded in full, else stays `Approved`.
  No callback is sent for refunds (providers.md describes none).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any
from urllib.parse import urlencode

import httpx

from .base import SimRequest, SimResponse, SimulatorServer

PAY_PATH = "/pay"
API_PATH = "/api"
COMPLETE_PATH = "/_sim/complete"
REQUIRED_PURCHASE_FIELDS = (
    "merchantAccount",
    "merchantDomainName",
    "merchantTransactionSecureType",
    "merchantSignature",
    "orderReference",
    "orderDate",
    "amount",
    "currency",
)
CALLBACK_SIGNED = (
    "merchantAccount",
    "orderReference",
    "amount",
    "currency",
    "authCode",
    "cardPan",
    "transactionStatus",
    "reasonCode",
)


def wfp_sign(secret: str, values: Iterable[str]) -> str:
    """The provider side of the signature (written independently of the client)."""
    return hmac.new(secret.encode(), ";".join(values).encode(), hashlib.md5).hexdigest()


def php_text(value: Any) -> str:
    """A decoded JSON value as PHP's string conversion would print it."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _json_number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


class WayForPayReject(Exception):
    def __init__(self, reason_code: int, reason: str) -> None:
        super().__init__(f"{reason_code} {reason}")
        self.reason_code = reason_code
        self.reason = reason


@dataclass
class WayForPayOrder:
    merchant_account: str
    domain: str
    reference: str
    order_date: str
    amount: Decimal
    currency: str
    product_names: list[str]
    product_prices: list[str]
    product_counts: list[str]
    service_url: str
    return_url: str
    language: str
    lifetime: str
    client_email: str
    fields: list[tuple[str, str]]
    status: str = "Created"
    reason_code: int = 1100
    reason: str = "Ok"
    auth_code: str = ""
    card_pan: str = ""
    created_date: int = 0
    processing_date: int = 0
    refunded: Decimal = Decimal(0)


@dataclass(frozen=True)
class SentCallback:
    reference: str
    status: str
    body: bytes
    response_status: int | None
    accepted: bool
    error: str = ""


class WayForPaySimulator(SimulatorServer):
    """`secret_keys` maps each merchantAccount to its secret key."""

    def __init__(self, secret_keys: Mapping[str, str], *, callback_timeout: float = 5.0) -> None:
        super().__init__()
        self.secret_keys = dict(secret_keys)
        self.callback_timeout = callback_timeout
        self.orders: dict[str, WayForPayOrder] = {}
        self.accepted: dict[str, bool] = {}
        self.callbacks: list[SentCallback] = []
        self.rejections: list[tuple[str, int]] = []  # (path, reasonCode)
        self.next_refund_status: tuple[str, int, str] | None = None
        """Set to (transactionStatus, reasonCode, reason) to answer the next REFUND so,
        signed, without changing the order (e.g. ("Declined", 1123, "Refund not allowed"))."""
        self._order_lock = threading.RLock()

    # ------------------------------------------------------------------ HTTP side

    def handle(self, request: SimRequest) -> SimResponse:
        if request.method != "POST":
            return SimResponse(405, body=b"POST only")
        if request.path == PAY_PATH:
            return self._purchase(request)
        if request.path == API_PATH:
            return self._api(request)
        if request.path == COMPLETE_PATH:
            return self._complete(request)
        return SimResponse(404, body=b"not found")

    def _purchase(self, request: SimRequest) -> SimResponse:
        try:
            order = self._intake(request.form())
        except WayForPayReject as exc:
            self.rejections.append((request.path, exc.reason_code))
            return SimResponse.html(
                f"<h1>WayForPay error</h1><p>{exc.reason_code} {escape(exc.reason)}</p>", 400
            )
        return SimResponse.html(self._payment_page(order))

    def _api(self, request: SimRequest) -> SimResponse:
        try:
            try:
                body = request.json(parse_float=Decimal)
            except ValueError as exc:
                raise WayForPayReject(1109, "Format error") from exc
            if not isinstance(body, dict):
                raise WayForPayReject(1109, "Format error")
            kind = body.get("transactionType")
            if kind == "CHECK_STATUS":
                return SimResponse.json(self._check_status(body))
            if kind == "REFUND":
                return SimResponse.json(self._refund(body))
            raise WayForPayReject(1109, f"transactionType {kind!r} is not simulated")
        except WayForPayReject as exc:
            self.rejections.append((request.path, exc.reason_code))
            return SimResponse.json({"reason": exc.reason, "reasonCode": exc.reason_code})

    def _complete(self, request: SimRequest) -> SimResponse:
        """The payment page's buttons: pay, then send the browser back to returnUrl."""
        form = dict(request.form())
        order = self.orders[form["orderReference"]]
        self.pay(order.reference, status=form.get("status", "Approved"))
        if order.return_url:
            return SimResponse.redirect(order.return_url)
        return SimResponse.html("<p>Payment finished.</p>")

    # ------------------------------------------------------------------ intake

    def _intake(self, fields: list[tuple[str, str]]) -> WayForPayOrder:
        single = {name: value for name, value in fields if not name.endswith("[]")}
        names = [value for name, value in fields if name == "productName[]"]
        prices = [value for name, value in fields if name == "productPrice[]"]
        counts = [value for name, value in fields if name == "productCount[]"]
        missing = [name for name in REQUIRED_PURCHASE_FIELDS if not single.get(name)]
        if missing or not names or not (len(names) == len(prices) == len(counts)):
            raise WayForPayReject(
                1115, f"missing or inconsistent: {', '.join(missing) or 'products'}"
            )
        secret = self.secret_keys.get(single["merchantAccount"])
        if secret is None:
            raise WayForPayReject(1121, "Account Not Found")
        values = [
            single["merchantAccount"],
            single["merchantDomainName"],
            single["orderReference"],
            single["orderDate"],
            single["amount"],
            single["currency"],
            *names,
            *counts,
            *prices,
        ]
        if not hmac.compare_digest(wfp_sign(secret, values), single["merchantSignature"]):
            raise WayForPayReject(1113, "Invalid signature")
        amount = _positive_amount(single["amount"])
        reference = single["orderReference"]
        with self._order_lock:
            existing = self.orders.get(reference)
            if existing is not None and existing.status != "Created":
                raise WayForPayReject(1112, "Duplicate Order ID")
            order = WayForPayOrder(
                merchant_account=single["merchantAccount"],
                domain=single["merchantDomainName"],
                reference=reference,
                order_date=single["orderDate"],
                amount=amount,
                currency=single["currency"],
                product_names=names,
                product_prices=prices,
                product_counts=counts,
                service_url=single.get("serviceUrl", ""),
                return_url=single.get("returnUrl", ""),
                language=single.get("language", ""),
                lifetime=single.get("orderLifetime", ""),
                client_email=single.get("clientEmail", ""),
                fields=fields,
                created_date=int(time.time()),
            )
            self.orders[reference] = order
        return order

    # ------------------------------------------------------------------ callbacks

    def build_callback(
        self, reference: str, status: str = "Approved", *, reason_code: int | None = None
    ) -> dict[str, Any]:
        """Move the order to `status` and return the signed callback payload."""
        with self._order_lock:
            order = self.orders[reference]
            approved = status == "Approved"
            order.status = status
            default_code = 1101 if status == "Declined" else 1100
            order.reason_code = default_code if reason_code is None else reason_code
            order.reason = "Ok" if order.reason_code == 1100 else "Declined To Card Issuer"
            order.auth_code = "541963" if approved else ""
            order.card_pan = "41****8217"
            order.processing_date = int(time.time())
            return self._order_payload(order)

    def pay(
        self,
        reference: str,
        status: str = "Approved",
        *,
        reason_code: int | None = None,
        form_encoded: bool = False,
    ) -> httpx.Response:
        """The client pays (or not): POST the callback to serviceUrl, verify the
        merchant's `accept` reply into `accepted[reference]`, return the response.
        Refuses an order past its orderLifetime (read as seconds, like the client)."""
        order = self.orders[reference]
        if order.lifetime and time.time() > int(order.order_date) + int(order.lifetime):
            raise ValueError(f"order {reference} is past its orderLifetime")
        payload = self.build_callback(reference, status, reason_code=reason_code)
        return self.send_callback(reference, payload, form_encoded=form_encoded)

    def send_callback(
        self, reference: str, payload: Mapping[str, Any], *, form_encoded: bool = False
    ) -> httpx.Response:
        order = self.orders[reference]
        text = json.dumps(payload, ensure_ascii=False)
        if form_encoded:
            body = urlencode({text: ""}).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            body, content_type = text.encode(), "application/json"
        try:
            response = httpx.post(
                order.service_url,
                content=body,
                headers={"Content-Type": content_type},
                timeout=self.callback_timeout,
            )
        except httpx.HTTPError as exc:
            self.accepted[reference] = False
            self.callbacks.append(
                SentCallback(
                    reference, str(payload.get("transactionStatus")), body, None, False, repr(exc)
                )
            )
            raise
        accepted = self._is_accept(order, response)
        self.accepted[reference] = accepted
        self.callbacks.append(
            SentCallback(
                reference,
                str(payload.get("transactionStatus")),
                body,
                response.status_code,
                accepted,
            )
        )
        return response

    def _is_accept(self, order: WayForPayOrder, response: httpx.Response) -> bool:
        """`{"orderReference", "status": "accept", "time", "signature"}`, correctly signed."""
        if response.status_code != 200:
            return False
        try:
            reply = response.json()
        except ValueError:
            return False
        if not isinstance(reply, dict) or reply.get("status") != "accept":
            return False
        if reply.get("orderReference") != order.reference or "time" not in reply:
            return False
        expected = wfp_sign(
            self.secret_keys[order.merchant_account],
            [order.reference, "accept", php_text(reply["time"])],
        )
        return hmac.compare_digest(expected, str(reply.get("signature", "")))

    # ------------------------------------------------------------------ API

    def _api_order(self, body: Mapping[str, Any], signed: list[str]) -> WayForPayOrder:
        missing = [
            n for n in ("merchantAccount", "orderReference", "merchantSignature") if not body.get(n)
        ]
        if missing:
            raise WayForPayReject(1115, f"Parameter {missing[0]} is missing")
        secret = self.secret_keys.get(str(body["merchantAccount"]))
        if secret is None:
            raise WayForPayReject(1121, "Account Not Found")
        values = [php_text(body.get(name)) for name in signed]
        if not hmac.compare_digest(wfp_sign(secret, values), str(body["merchantSignature"])):
            raise WayForPayReject(1113, "Invalid signature")
        order = self.orders.get(str(body["orderReference"]))
        if order is None or order.merchant_account != body["merchantAccount"]:
            raise WayForPayReject(1127, "Order Not Found")
        return order

    def _check_status(self, body: Mapping[str, Any]) -> dict[str, Any]:
        order = self._api_order(body, ["merchantAccount", "orderReference"])
        with self._order_lock:
            return self._order_payload(order)

    def _refund(self, body: Mapping[str, Any]) -> dict[str, Any]:
        order = self._api_order(body, ["merchantAccount", "orderReference", "amount", "currency"])
        if not str(body.get("comment") or "").strip():
            raise WayForPayReject(1115, "Parameter comment is missing")
        amount = _positive_amount(php_text(body.get("amount")))
        with self._order_lock:
            if self.next_refund_status is not None:
                status, code, reason = self.next_refund_status
                self.next_refund_status = None
                return self._refund_reply(order, status, code, reason)
            if order.status != "Approved":
                raise WayForPayReject(1126, "Illegal Order State")
            if body.get("currency") != order.currency:
                raise WayForPayReject(1110, "Invalid Currency")
            if amount > order.amount - order.refunded:
                raise WayForPayReject(1128, "Refund limit exceeded")
            order.refunded += amount
            if order.refunded == order.amount:
                order.status = "Refunded"
                order.processing_date = int(time.time())
            return self._refund_reply(order, "Refunded", 1100, "Ok")

    def _refund_reply(
        self, order: WayForPayOrder, status: str, code: int, reason: str
    ) -> dict[str, Any]:
        secret = self.secret_keys[order.merchant_account]
        return {
            "merchantAccount": order.merchant_account,
            "orderReference": order.reference,
            "transactionStatus": status,
            "reason": reason,
            "reasonCode": code,
            "merchantSignature": wfp_sign(
                secret, [order.merchant_account, order.reference, status, str(code)]
            ),
        }

    # ------------------------------------------------------------------ messages

    def _order_payload(self, order: WayForPayOrder) -> dict[str, Any]:
        amount = _json_number(format(order.amount, "f"))
        payload: dict[str, Any] = {
            "merchantAccount": order.merchant_account,
            "orderReference": order.reference,
            "amount": amount,
            "currency": order.currency,
            "authCode": order.auth_code,
            "email": order.client_email or "client@example.com",
            "phone": "380501234567",
            "createdDate": order.created_date,
            "processingDate": order.processing_date,
            "cardPan": order.card_pan,
            "cardType": "Visa",
            "issuerBankCountry": "Ukraine",
            "issuerBankName": "Simulated bank",
            "recToken": "",
            "transactionStatus": order.status,
            "reason": order.reason,
            "reasonCode": order.reason_code,
            "fee": 0,
            "paymentSystem": "card",
        }
        texts = [_token(payload[name]) for name in CALLBACK_SIGNED]
        payload["merchantSignature"] = wfp_sign(self.secret_keys[order.merchant_account], texts)
        return payload

    def _payment_page(self, order: WayForPayOrder) -> str:
        buttons = "".join(
            f'<form method="post" action="{COMPLETE_PATH}">'
            f'<input type="hidden" name="orderReference" value="{escape(order.reference)}">'
            f'<input type="hidden" name="status" value="{status}">'
            f'<button type="submit" id="sim-{status.lower()}">{label}</button></form>'
            for status, label in (("Approved", "Pay"), ("Declined", "Decline"))
        )
        return (
            "<!doctype html><title>WayForPay simulator</title>"
            f"<h1>WayForPay simulator</h1><p id='order'>{escape(order.reference)}</p>"
            f"<p id='amount'>{order.amount} {escape(order.currency)}</p>"
            f"<p id='description'>{escape('; '.join(order.product_names))}</p>{buttons}"
        )


def _token(value: Any) -> str:
    """The JSON text of a value as it appears in the message (strings unquoted)."""
    return value if isinstance(value, str) else json.dumps(value)


def _positive_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise WayForPayReject(1130, "Invalid Amount") from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise WayForPayReject(1130, "Invalid Amount")
    return amount
