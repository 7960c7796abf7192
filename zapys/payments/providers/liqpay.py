"""LiqPay (API v3, and the newer v7 signing) — see docs/providers.md.

Protocol in one paragraph: every message is `data` = base64(JSON) plus `signature` =
base64(hash(private_key + data + private_key)) over the base64 *text*. The browser
posts both to `/api/3/checkout`; LiqPay posts both back to our `server_url`; our
server posts both to `/api/request` for `status` and `refund`, and gets plain JSON
back. Money goes out as a JSON number built from integer kopecks and comes back
through `parse_amount` (Decimal, half-up).

`event_id` for LiqPay is `"{payment_id}:{status}:{end_date}:{transaction_id}"` (missing
parts empty; `order_id` stands in for a missing `payment_id`). A redelivered callback
has identical fields and so the same id; a status poll reporting the same state
usually does too. Being specific errs on the safe side: two partial refunds must never
collapse into one event, while an extra event for the same state is a no-op for the
caller's idempotent transitions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from zapys.core import boundedjson

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
    amount_json_number,
    parse_amount,
    plain_json,
    require_credentials,
)

logger = logging.getLogger(__name__)

CHECKOUT_PATH = "/api/3/checkout"
API_PATH = "/api/request"
DEFAULT_API_VERSION = 3

SHA3_FROM_VERSION = 7
"""UNCONFIRMED (not on LiqPay's official pages): from API version 7 the signature hash
is SHA3-256 instead of SHA1. The hash is always chosen from the message's `version`,
and Zapys sends version 3 unless the credentials say `"api_version": 7`."""

SHA3_SIGNATURE_LENGTH = 44  # base64 of a 32-byte digest; SHA1's 20 bytes give 28

NOT_FOUND_ERR_CODES = frozenset({"payment_not_found", "order_not_found"})
"""UNCONFIRMED: the `err_code` LiqPay's `status` action returns for an order it has
never seen. Any other `result: error` without a `payment_id` is a plain ProviderError."""

CURRENCIES = frozenset({"UAH", "USD", "EUR"})
LANGUAGES = {"uk": "uk", "en": "en"}
MAX_ORDER_ID_LENGTH = 255
MAX_URL_LENGTH = 510
EXPIRED_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC

TEST_STATUSES = frozenset({"sandbox"})  # a successful *test* payment
SUCCEEDED_STATUSES = frozenset({"success"}) | TEST_STATUSES
FAILED_STATUSES = frozenset({"failure", "error"})
REFUNDED_STATUSES = frozenset({"reversed"})
VERIFY_STATUSES = frozenset(
    {
        "otp_verify",
        "3ds_verify",
        "cvv_verify",
        "sender_verify",
        "receiver_verify",
        "phone_verify",
        "ivr_verify",
        "pin_verify",
        "captcha_verify",
        "password_verify",
        "senderapp_verify",
        "p24_verify",
        "mp_verify",
    }
)
IN_PROGRESS_STATUSES = frozenset(
    {
        "processing",
        "prepared",
        "wait_accept",
        "wait_card",
        "wait_compensation",
        "wait_lc",
        "wait_reserve",
        "wait_secure",
        "hold_wait",
        "cash_wait",
        "invoice_wait",
        "wait_qr",
        "wait_sender",
        "try_again",
    }
)
REFUND_AMOUNT_IS_TOTAL = True
"""UNCONFIRMED: what `refund_amount` means. LiqPay's callback documentation
(https://www.liqpay.ua/en/doc/callback; the same list in third-party clients generated
from it) has `refund_amount` "Refund amount" and `refund_date_last` "Date of last payment
refund" among the payment's fields, and says no more. The callback describes the payment
(its amount, its dates), so its refund amount is read as what was refunded of it in all —
which is also what makes a resent or polled report of the same refund a no-op. With this
switch off, a `reversed` status states no total and a refund made in LiqPay's dashboard is
held for review (the behaviour before the field was read)."""

SUBSCRIPTION_STATUSES = frozenset({"subscribed", "unsubscribed"})
"""Final for `subscribe` actions, which Zapys never issues: they say nothing about a
one-off payment, so they map to `pending` rather than to an outcome."""


# --------------------------------------------------------------------------- signing


def encode_data(payload: Mapping[str, Any]) -> str:
    """base64 of the compact UTF-8 JSON, standard alphabet, padded, no line breaks."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def sign(private_key: str, data: str, *, version: int = DEFAULT_API_VERSION) -> str:
    """base64 of the raw digest of private_key + data + private_key (SHA1, or SHA3-256
    from `SHA3_FROM_VERSION`). Signs the base64 text exactly as it is posted."""
    message = (private_key + data + private_key).encode("utf-8")
    digest = (
        hashlib.sha3_256(message).digest()
        if version >= SHA3_FROM_VERSION
        else hashlib.sha1(message).digest()  # noqa: S324 - mandated by the protocol
    )
    return base64.b64encode(digest).decode("ascii")


def decode_data(data: str) -> dict[str, Any]:
    """The JSON object inside `data`, numbers that are not integers as Decimal.

    Strict: non-alphabet characters, line breaks, bad padding, bad UTF-8, non-JSON,
    JSON nested too deeply (`core.boundedjson`) or a non-object all raise InvalidCallback.
    """
    try:
        text = base64.b64decode(data.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidCallback(f"liqpay: data is not valid base64 ({exc})") from exc
    try:
        payload = boundedjson.loads(text, parse_float=Decimal)
    except boundedjson.JSONLimitError as exc:
        raise InvalidCallback(f"liqpay: {exc}") from exc
    except ValueError as exc:
        raise InvalidCallback("liqpay: data is not JSON") from exc
    if not isinstance(payload, dict):
        raise InvalidCallback("liqpay: data is not a JSON object")
    return payload


def version_of(payload: Mapping[str, Any]) -> int:
    """The API version a message declares (`3` and `"3"` alike); 3 when absent."""
    value = payload.get("version", DEFAULT_API_VERSION)
    try:
        return int(str(value))
    except ValueError as exc:
        raise InvalidCallback(f"liqpay: bad version {value!r}") from exc


def decode_and_verify(private_key: str, data: str, signature: str) -> dict[str, Any]:
    """Check `signature` over the posted base64 text in constant time, then decode.

    The hash depends on the `version` inside `data`, but a forger's text must not be
    parsed before it is authenticated. The two hashes give signatures of different
    lengths (SHA1: 28 base64 characters, SHA3-256: 44), so the signature says which
    hash to check, and the decoded `version` must then call for that same hash: the
    messages accepted are exactly those signed with the hash their version names.
    """
    sha3 = len(signature) == SHA3_SIGNATURE_LENGTH
    expected = sign(private_key, data, version=SHA3_FROM_VERSION if sha3 else DEFAULT_API_VERSION)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8")):
        raise InvalidCallback("liqpay: signature does not match")
    payload = decode_data(data)
    if (version_of(payload) >= SHA3_FROM_VERSION) != sha3:
        raise InvalidCallback("liqpay: signature hash does not match the message's version")
    return payload


def map_status(status: str) -> PaymentStatus:
    """LiqPay status → Zapys status. Unknown statuses are `pending` (and logged):
    never call something paid or failed that we do not understand."""
    if status in SUCCEEDED_STATUSES:
        return "succeeded"
    if status in FAILED_STATUSES:
        return "failed"
    if status in REFUNDED_STATUSES:
        return "refunded"
    if status not in VERIFY_STATUSES | IN_PROGRESS_STATUSES | SUBSCRIPTION_STATUSES:
        logger.warning("liqpay: unknown status %r treated as pending", status)
    return "pending"


def format_expired_date(moment: datetime) -> str:
    """`expired_date`: UTC, `yyyy-MM-dd HH:mm:ss`. Naive datetimes are refused: their
    time zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("expires_at must be an aware datetime")
    return moment.astimezone(UTC).strftime(EXPIRED_DATE_FORMAT)


def _truthy(value: Any) -> bool:
    """Credentials may come from a form or env: "0"/"false"/"" are off."""
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no", "off"}
    return bool(value)


def _parse_form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
        pairs = parse_qs(text, keep_blank_values=True, max_num_fields=20)
    except (UnicodeError, ValueError) as exc:
        raise InvalidCallback(f"liqpay: body is not a form ({exc})") from exc
    if any(len(values) != 1 for values in pairs.values()):
        raise InvalidCallback("liqpay: repeated form fields")
    return {key: values[0] for key, values in pairs.items()}


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- the provider


class LiqPayProvider(Provider):
    """LiqPay for one merchant. Credentials: `public_key`, `private_key`, `sandbox`
    (bool; test payments end in status `sandbox`) and optionally `api_version`."""

    code = "liqpay"
    default_base_url = "https://www.liqpay.ua"

    def __init__(
        self, credentials: dict[str, Any], *, base_url: str | None = None, timeout: float = 10.0
    ) -> None:
        super().__init__(credentials, base_url=base_url, timeout=timeout)
        require_credentials(credentials, "public_key", "private_key")
        self.public_key = str(credentials["public_key"])
        self.private_key = str(credentials["private_key"])
        self.sandbox = _truthy(credentials.get("sandbox", False))
        self.api_version = int(credentials.get("api_version") or DEFAULT_API_VERSION)

    # ------------------------------------------------------------------ checkout

    def build_checkout(self, req: CheckoutRequest) -> CheckoutForm:
        payload = self._checkout_payload(req)
        data = encode_data(payload)
        return CheckoutForm(
            action=self.base_url + CHECKOUT_PATH,
            fields=[("data", data), ("signature", self._sign(data))],
        )

    def _checkout_payload(self, req: CheckoutRequest) -> dict[str, Any]:
        _validate_checkout(req)
        payload: dict[str, Any] = {
            "version": self.api_version,
            "public_key": self.public_key,
            "action": "pay",
            "amount": amount_json_number(req.amount),
            "currency": req.currency,
            "description": req.description,
            "order_id": req.order_id,
        }
        if req.result_url:
            payload["result_url"] = req.result_url
        if req.server_url:
            payload["server_url"] = req.server_url
        payload["language"] = LANGUAGES[req.language]
        if self.sandbox:
            payload["sandbox"] = 1
        if req.expires_at is not None:
            payload["expired_date"] = format_expired_date(req.expires_at)
        return payload

    # ------------------------------------------------------------------ callbacks

    def parse_callback(self, body: bytes, content_type: str) -> ProviderEvent:
        """Verify a `data` + `signature` form. `content_type` is not trusted: whatever
        it says, the body must parse as that form."""
        fields = _parse_form(body)
        data, signature = fields.get("data"), fields.get("signature")
        if not data or not signature:
            raise InvalidCallback("liqpay: callback lacks data or signature")
        payload = decode_and_verify(self.private_key, data, signature)
        self._check_public_key(payload, callback=True)
        try:
            return self._event(payload)
        except ValueError as exc:
            raise InvalidCallback(f"liqpay: {exc}") from exc

    def peek_order_id(self, body: bytes, content_type: str) -> str | None:
        try:
            payload = decode_data(_parse_form(body).get("data", ""))
        except InvalidCallback:
            return None
        order_id = payload.get("order_id")
        return str(order_id) if order_id not in (None, "") else None

    def callback_reply(
        self, event: ProviderEvent | None, *, order_id: str | None = None
    ) -> CallbackReply:
        """LiqPay reads only the HTTP status: 200 with an empty body acknowledges.
        UNCONFIRMED: LiqPay is reported to retry on anything else, so an unverifiable
        callback gets 400 — a genuine one (e.g. after a key change) comes back later."""
        if event is not None or order_id:
            return CallbackReply(200, "text/plain; charset=utf-8", b"")
        return CallbackReply(400, "text/plain; charset=utf-8", b"invalid callback")

    # ------------------------------------------------------------------ server to server

    def fetch_status(self, order_id: str) -> ProviderEvent:
        reply = self._api({"action": "status", "order_id": order_id})
        if reply.get("result") == "error" and not reply.get("payment_id"):
            err_code = _text(reply, "err_code")
            message = (
                f"liqpay: status of {order_id!r}: {err_code} {_text(reply, 'err_description')}"
            )
            if err_code in NOT_FOUND_ERR_CODES:
                raise PaymentNotFound(message, code=err_code)
            raise ProviderError(message, transient=False, code=err_code)
        self._check_public_key(reply, callback=False)
        if _text(reply, "order_id") not in ("", order_id):
            raise ProviderError(
                f"liqpay: status reply is about another order {reply.get('order_id')!r}",
                transient=False,
            )
        try:
            return self._event({"order_id": order_id, **reply})
        except ValueError as exc:
            raise ProviderError(f"liqpay: malformed status reply: {exc}", transient=True) from exc

    def refund(self, *, order_id: str, amount: int, currency: str, comment: str) -> RefundResult:
        """Refund all or part of a payment. LiqPay takes no comment or currency for a
        refund; they are accepted for the common interface and not sent. A refund is
        followed by a `reversed` callback."""
        if amount <= 0:
            raise ValueError("refund amount must be positive")
        reply = self._api(
            {"action": "refund", "order_id": order_id, "amount": amount_json_number(amount)},
            outcome_unknown=True,
        )
        raw = plain_json(reply)
        status = _text(reply, "status")
        if reply.get("result") == "error":
            message = f"{_text(reply, 'err_code')} {_text(reply, 'err_description')}".strip()
            return RefundResult("failed", status or "error", message, raw)
        if status in REFUNDED_STATUSES:
            return RefundResult("succeeded", status, "", raw)
        return RefundResult("pending", status, _text(reply, "err_description"), raw)

    def _api(self, request: Mapping[str, Any], *, outcome_unknown: bool = False) -> dict[str, Any]:
        """POST a signed action to /api/request and return the reply object.

        `outcome_unknown` marks garbled replies to actions that change money.
        """
        payload = {
            "action": request["action"],
            "version": self.api_version,
            "public_key": self.public_key,
        }
        payload.update(request)
        data = encode_data(payload)
        response = self._post(
            self.base_url + API_PATH, data={"data": data, "signature": self._sign(data)}
        )
        reply = self._json_reply(response)
        return self._unwrap(reply, outcome_unknown=outcome_unknown)

    def _unwrap(self, reply: dict[str, Any], *, outcome_unknown: bool) -> dict[str, Any]:
        """Replies are plain JSON (as LiqPay's SDKs read them). UNCONFIRMED variant: a
        signed `{"data", "signature"}` envelope — verified and decoded if it appears."""
        if "result" in reply or not {"data", "signature"} <= reply.keys():
            return reply
        try:
            return decode_and_verify(self.private_key, str(reply["data"]), str(reply["signature"]))
        except InvalidCallback as exc:
            raise ProviderError(
                f"liqpay: signed reply failed verification: {exc}",
                transient=False,
                outcome_unknown=outcome_unknown,
            ) from exc

    # ------------------------------------------------------------------ helpers

    def _sign(self, data: str) -> str:
        return sign(self.private_key, data, version=self.api_version)

    def _check_public_key(self, payload: Mapping[str, Any], *, callback: bool) -> None:
        """A verified message for another merchant's key must not move our payment.

        Status replies may omit the key (our signed request already named it); a
        callback must carry it.
        """
        key = _text(payload, "public_key")
        if key and hmac.compare_digest(key.encode(), self.public_key.encode()):
            return
        if not key and not callback:
            return
        message = f"liqpay: public_key {key!r} is not this merchant's"
        if callback:
            raise InvalidCallback(message)
        raise ProviderError(message, transient=False)

    def _map_status(self, status: str) -> PaymentStatus:
        """`map_status`, except that a test payment (`sandbox`) is not money: outside
        sandbox mode it stays `pending` — e.g. a late callback for a test payment made
        before the organization switched to live keys must not mark an order paid."""
        if status in TEST_STATUSES and not self.sandbox:
            logger.warning("liqpay: test-mode status %r outside sandbox mode", status)
            return "pending"
        return map_status(status)

    def _event(self, payload: Mapping[str, Any]) -> ProviderEvent:
        """Normalize a decoded callback or status reply; ValueError when malformed."""
        status, order_id = _text(payload, "status"), _text(payload, "order_id")
        missing = [
            name for name, value in (("status", status), ("order_id", order_id)) if not value
        ]
        if missing:
            raise ValueError(f"missing fields: {', '.join(missing)}")
        amount_value = payload.get("amount")
        amount = None if amount_value in (None, "") else parse_amount(_amount_input(amount_value))
        payment_id = _text(payload, "payment_id") or order_id
        end_date = _text(payload, "end_date") or _text(payload, "create_date")
        return ProviderEvent(
            order_id=order_id,
            status=self._map_status(status),
            provider_status=status,
            amount=amount,
            currency=_text(payload, "currency") or None,
            provider_payment_id=payment_id,
            account_key=_text(payload, "public_key") or self.public_key,
            event_id=f"{payment_id}:{status}:{end_date}:{_text(payload, 'transaction_id')}",
            raw=plain_json(dict(payload)),
            refunded_total=_refunded_total(status, payload),
        )


def _refunded_total(status: str, payload: Mapping[str, Any]) -> int | None:
    """Kopecks refunded in all, as a `reversed` report states them (`REFUND_AMOUNT_IS_TOTAL`);
    None when the report does not say (no field, or nothing refunded)."""
    if status not in REFUNDED_STATUSES or not REFUND_AMOUNT_IS_TOTAL:
        return None
    value = payload.get("refund_amount")
    if value in (None, ""):
        return None
    total = parse_amount(_amount_input(value))
    if total < 0:
        raise ValueError(f"negative refund_amount {value!r}")
    return total or None


def _amount_input(value: Any) -> str | int | Decimal:
    """Amounts arrive as Decimal/int (JSON numbers) or strings; anything else is malformed."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"bad amount {value!r}")
    return value


def _validate_checkout(req: CheckoutRequest) -> None:
    """Catch programming errors before the client sees LiqPay's error page."""
    if isinstance(req.amount, bool) or not isinstance(req.amount, int) or req.amount <= 0:
        raise ValueError(f"amount must be a positive number of kopecks, got {req.amount!r}")
    if req.currency not in CURRENCIES:
        raise ValueError(f"LiqPay does not take currency {req.currency!r}")
    if not req.order_id or len(req.order_id) > MAX_ORDER_ID_LENGTH:
        raise ValueError("order_id must be 1..255 characters")
    if not req.description:
        raise ValueError("description is required")
    if req.language not in LANGUAGES:
        raise ValueError(f"unsupported language {req.language!r}")
    for url in (req.result_url, req.server_url):
        if len(url) > MAX_URL_LENGTH:
            raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters: {url[:60]}…")
