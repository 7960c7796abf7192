"""WayForPay — see docs/providers.md.

Protocol in one paragraph: every signature is lowercase hex HMAC-MD5 (key = secret)
over the `;`-joined *text* of some fields. The browser posts the Purchase form to
`secure.wayforpay.com/pay`; WayForPay posts a JSON callback to our `serviceUrl` and
keeps resending until we answer with a signed `accept`; our server posts JSON to
`api.wayforpay.com/api` for CHECK_STATUS and REFUND and verifies the signed replies.

Byte-identical values matter: the amount is formatted once (`format_amount`, shortest
exact decimal, e.g. "1547.36", "1000", "150.5") and that string is both posted and
signed. In JSON requests it goes out as a number whose JSON text is that same string,
which is also what a PHP server prints when it turns the number back into text.

`event_id` for WayForPay is `"{orderReference}:{transactionStatus}:{processingDate}"`:
a resent callback is identical, and a CHECK_STATUS reply for the same state carries
the same three values. `provider_payment_id` is the orderReference: WayForPay
identifies payments by the merchant's reference and its callback has no payment id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from zapys.core import boundedjson

from .base import (
    MINOR_UNITS,
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
    format_amount,
    parse_amount,
    require_credentials,
)

logger = logging.getLogger(__name__)

PAY_PATH = "/pay"
API_PATH = "/api"
DEFAULT_API_BASE_URL = "https://api.wayforpay.com"
API_VERSION = 1
LANGUAGES = {"uk": "UA", "en": "EN"}
REASON_CODE_OK = "1100"
DEFAULT_REFUND_COMMENT = "Refund"  # WayForPay requires a non-empty comment

ORDER_LIFETIME_FIELD = "orderLifetime"
ORDER_LIFETIME_UNIT_SECONDS = 1
"""UNCONFIRMED: `orderLifetime` (how long the order may be paid) is an integer number of
seconds. If WayForPay turns out to count minutes, set the unit to 60."""

ORDER_NOT_FOUND_REASON_CODES = frozenset({"1127"})
"""UNCONFIRMED: the `reasonCode` of a CHECK_STATUS reply for an order WayForPay has
never seen. Other replies without a transactionStatus are a plain ProviderError."""

ACCEPT_ALTERNATIVE_AMOUNT_SPELLINGS = True
"""UNCONFIRMED: which text of the callback `amount` WayForPay signs. We try the JSON
token exactly as received first, then the same value spelled shortest ("1000") and with
two decimals ("1000.00"). All spell one value, so accepting them weakens nothing."""

SUCCEEDED_STATUSES = frozenset({"Approved"})
FAILED_STATUSES = frozenset({"Declined"})
EXPIRED_STATUSES = frozenset({"Expired"})
REFUNDED_STATUSES = frozenset({"Refunded", "Voided"})
PENDING_STATUSES = frozenset(
    {"Created", "InProcessing", "WaitingAuthComplete", "Pending", "RefundInProcessing"}
)
"""`RefundInProcessing` is reported for an order that was paid and whose refund waits
for funds on the shop balance; callers must not move a paid order back to pending."""

CALLBACK_SIGNED_FIELDS = (
    "merchantAccount",
    "orderReference",
    "amount",
    "currency",
    "authCode",
    "cardPan",
    "transactionStatus",
    "reasonCode",
)
CHECK_STATUS_SIGNED_FIELDS = CALLBACK_SIGNED_FIELDS
REFUND_SIGNED_FIELDS = ("merchantAccount", "orderReference", "transactionStatus", "reasonCode")
CALLBACK_REQUIRED_FIELDS = (
    "merchantAccount",
    "orderReference",
    "merchantSignature",
    "amount",
    "currency",
    "transactionStatus",
)


@dataclass(frozen=True)
class Product:
    """One line of the Purchase form; all values are the exact strings posted."""

    name: str
    price: str
    count: str = "1"


# --------------------------------------------------------------------------- signing


def sign(secret_key: str, values: Iterable[str]) -> str:
    """Lowercase hex HMAC-MD5 of the values joined with `;` (UTF-8)."""
    message = ";".join(values).encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.md5).hexdigest()


def verify(secret_key: str, values: Iterable[str], signature: str) -> bool:
    """Constant-time comparison with the expected signature."""
    return hmac.compare_digest(sign(secret_key, values).encode(), signature.lower().encode())


def purchase_signature_values(
    *,
    merchant_account: str,
    merchant_domain: str,
    order_reference: str,
    order_date: str,
    amount: str,
    currency: str,
    products: Sequence[Product],
) -> list[str]:
    """Purchase order: account;domain;ref;date;amount;currency;all names;all counts;all
    prices (products flattened field by field, not product by product)."""
    return [
        merchant_account,
        merchant_domain,
        order_reference,
        order_date,
        amount,
        currency,
        *(product.name for product in products),
        *(product.count for product in products),
        *(product.price for product in products),
    ]


def signature_text(value: Any) -> str:
    """A field as text the way WayForPay's PHP joins it: null → "", true → "1"."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, str | int):
        return str(value)
    raise ValueError(f"unsignable value {value!r}")


def amount_spellings(token: str) -> list[str]:
    """The texts of one amount to try when checking a signature (see the switch)."""
    spellings = [token]
    if not ACCEPT_ALTERNATIVE_AMOUNT_SPELLINGS:
        return spellings
    try:
        kopecks = parse_amount(token)
    except ValueError:
        return spellings
    if kopecks >= 0:
        whole, cents = divmod(kopecks, MINOR_UNITS)
        for text in (format_amount(kopecks), f"{whole}.{cents:02d}"):
            if text not in spellings:
                spellings.append(text)
    return spellings


def verify_fields(
    secret_key: str, payload: Mapping[str, Any], fields: Sequence[str], signature: str
) -> bool:
    """Check a signature over `fields` of a payload whose numbers are JSON token texts."""
    texts = [signature_text(payload.get(name)) for name in fields]
    if "amount" not in fields:
        return verify(secret_key, texts, signature)
    position = fields.index("amount")
    results = []
    for spelling in amount_spellings(texts[position]):
        texts[position] = spelling
        results.append(verify(secret_key, texts, signature))
    return any(results)


def map_status(status: str) -> PaymentStatus:
    """WayForPay transactionStatus → Zapys status; unknown ones are `pending` (logged)."""
    if status in SUCCEEDED_STATUSES:
        return "succeeded"
    if status in FAILED_STATUSES:
        return "failed"
    if status in EXPIRED_STATUSES:
        return "expired"
    if status in REFUNDED_STATUSES:
        return "refunded"
    if status not in PENDING_STATUSES:
        logger.warning("wayforpay: unknown transactionStatus %r treated as pending", status)
    return "pending"


# --------------------------------------------------------------------------- body parsing


def load_callback_json(body: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(textual, plain) views of a callback body.

    `textual` keeps every number as its JSON token text, for signatures and exact
    amounts; `plain` is ordinary JSON for storage. Accepts a JSON body whatever its
    Content-Type, and the form-encoded variant where the whole JSON is one form key.
    Nesting is bounded (`core.boundedjson`); the body's size is the caller's to bound.
    """
    try:
        text = body.decode("utf-8").strip()
    except UnicodeError as exc:
        raise InvalidCallback("wayforpay: body is not UTF-8") from exc
    for candidate in (text, _json_from_form_key(text)):
        if not candidate:
            continue
        try:
            # The signature is a field of this JSON, so it must be parsed unverified:
            # within bounds, or a deeply nested body is a RecursionError (a 500).
            boundedjson.check(candidate)
            textual = json.loads(candidate, parse_float=str, parse_int=str)
            plain = json.loads(candidate)
        except boundedjson.JSONLimitError as exc:
            raise InvalidCallback(f"wayforpay: {exc}") from exc
        except ValueError:
            continue
        if isinstance(textual, dict):
            return textual, plain
        raise InvalidCallback("wayforpay: callback is not a JSON object")
    raise InvalidCallback("wayforpay: callback body is not JSON")


def _json_from_form_key(text: str) -> str:
    """`%7B...%7D=` (or `{...}=`): the JSON is the only key, with an empty value."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=5)
    except ValueError:
        return ""
    if len(pairs) == 1 and pairs[0][1] == "" and pairs[0][0].lstrip().startswith("{"):
        return pairs[0][0]
    return ""


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- the provider


class WayForPayProvider(Provider):
    """WayForPay for one merchant. Credentials: `merchant_account`, `secret_key`,
    `merchant_domain`.

    Two hosts: secure.wayforpay.com (`/pay`) and api.wayforpay.com (`/api`). A
    `base_url` override points both at one place (the simulator serves both paths).
    """

    code = "wayforpay"
    default_base_url = "https://secure.wayforpay.com"

    def __init__(
        self, credentials: dict[str, Any], *, base_url: str | None = None, timeout: float = 10.0
    ) -> None:
        super().__init__(credentials, base_url=base_url, timeout=timeout)
        require_credentials(credentials, "merchant_account", "secret_key", "merchant_domain")
        self.merchant_account = str(credentials["merchant_account"])
        self.secret_key = str(credentials["secret_key"])
        self.merchant_domain = str(credentials["merchant_domain"])
        self.api_base_url = self.base_url if base_url else DEFAULT_API_BASE_URL

    # ------------------------------------------------------------------ checkout

    def build_checkout(self, req: CheckoutRequest) -> CheckoutForm:
        _validate_checkout(req)
        order_date = int(self.clock())
        amount = format_amount(req.amount)
        products = [Product(name=req.description, price=amount, count="1")]
        signature = sign(
            self.secret_key,
            purchase_signature_values(
                merchant_account=self.merchant_account,
                merchant_domain=self.merchant_domain,
                order_reference=req.order_id,
                order_date=str(order_date),
                amount=amount,
                currency=req.currency,
                products=products,
            ),
        )
        fields = [
            ("merchantAccount", self.merchant_account),
            ("merchantAuthType", "SimpleSignature"),
            ("merchantDomainName", self.merchant_domain),
            ("merchantTransactionSecureType", "AUTO"),
            ("merchantSignature", signature),
            ("apiVersion", str(API_VERSION)),
            ("language", LANGUAGES[req.language]),
            ("returnUrl", req.result_url),
            ("serviceUrl", req.server_url),
            ("orderReference", req.order_id),
            ("orderDate", str(order_date)),
            ("amount", amount),
            ("currency", req.currency),
        ]
        if req.expires_at is not None:
            fields.append((ORDER_LIFETIME_FIELD, str(self._lifetime(req, order_date))))
        fields += [("productName[]", product.name) for product in products]
        fields += [("productPrice[]", product.price) for product in products]
        fields += [("productCount[]", product.count) for product in products]
        fields += [(name, value) for name, value in _client_fields(req) if value]
        return CheckoutForm(action=self.base_url + PAY_PATH, fields=fields)

    def _lifetime(self, req: CheckoutRequest, order_date: int) -> int:
        assert req.expires_at is not None
        if req.expires_at.tzinfo is None or req.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be an aware datetime")
        seconds = int(req.expires_at.timestamp()) - order_date
        if seconds <= 0:
            raise ValueError("expires_at is in the past")
        return max(1, seconds // ORDER_LIFETIME_UNIT_SECONDS)

    # ------------------------------------------------------------------ callbacks

    def parse_callback(self, body: bytes, content_type: str) -> ProviderEvent:
        """Verify a callback (JSON, or JSON as the only form key; Content-Type is not
        trusted to tell which)."""
        textual, plain = load_callback_json(body)
        missing = [name for name in CALLBACK_REQUIRED_FIELDS if textual.get(name) in (None, "")]
        if missing:
            raise InvalidCallback(f"wayforpay: callback lacks {', '.join(missing)}")
        if not hmac.compare_digest(
            _text(textual, "merchantAccount").encode(), self.merchant_account.encode()
        ):
            raise InvalidCallback(
                f"wayforpay: callback is for merchant {textual['merchantAccount']!r}"
            )
        try:
            valid = verify_fields(
                self.secret_key,
                textual,
                CALLBACK_SIGNED_FIELDS,
                _text(textual, "merchantSignature"),
            )
            if not valid:
                raise InvalidCallback("wayforpay: signature does not match")
            return self._event(textual, plain)
        except ValueError as exc:
            raise InvalidCallback(f"wayforpay: {exc}") from exc

    def peek_order_id(self, body: bytes, content_type: str) -> str | None:
        try:
            textual, _ = load_callback_json(body)
        except InvalidCallback:
            return None
        reference = textual.get("orderReference")
        return reference if isinstance(reference, str) and reference else None

    def callback_reply(
        self, event: ProviderEvent | None, *, order_id: str | None = None
    ) -> CallbackReply:
        """The signed `accept` WayForPay needs to stop resending (for days otherwise).

        With neither an event nor an order id there is nothing to sign: 400.
        """
        reference = event.order_id if event is not None else order_id
        if not reference:
            return CallbackReply(400, "text/plain; charset=utf-8", b"invalid callback")
        now = int(self.clock())
        reply = {
            "orderReference": reference,
            "status": "accept",
            "time": now,
            "signature": sign(self.secret_key, [reference, "accept", str(now)]),
        }
        return CallbackReply(200, "application/json", json.dumps(reply).encode("utf-8"))

    # ------------------------------------------------------------------ server to server

    def fetch_status(self, order_id: str) -> ProviderEvent:
        textual, plain = self._api(
            "CHECK_STATUS", {"orderReference": order_id}, [self.merchant_account, order_id]
        )
        if not textual.get("transactionStatus"):
            reason_code = _text(textual, "reasonCode")
            message = (
                f"wayforpay: status of {order_id!r}: {_text(textual, 'reason')} ({reason_code})"
            )
            if reason_code in ORDER_NOT_FOUND_REASON_CODES:
                raise PaymentNotFound(message, code=reason_code)
            raise ProviderError(message, transient=False, code=reason_code)
        reply = self._verified_reply(
            textual, order_id, CHECK_STATUS_SIGNED_FIELDS, outcome_unknown=False
        )
        try:
            return self._event(reply, plain)
        except ValueError as exc:
            raise ProviderError(
                f"wayforpay: malformed status reply: {exc}", transient=True
            ) from exc

    def refund(self, *, order_id: str, amount: int, currency: str, comment: str) -> RefundResult:
        """REFUND all or part of an order.

        No transactionStatus in the reply means WayForPay refused the request (its
        `reason` is the message) → `failed`. A signed Refunded/Voided → `succeeded`,
        Declined → `failed`, anything else (RefundInProcessing, unknown) → `pending`.
        """
        if amount <= 0:
            raise ValueError("refund amount must be positive")
        amount_text = format_amount(amount)
        textual, plain = self._api(
            "REFUND",
            {
                "orderReference": order_id,
                "amount": amount_json_number(amount),
                "currency": currency,
                "comment": comment or DEFAULT_REFUND_COMMENT,
            },
            [self.merchant_account, order_id, amount_text, currency],
            outcome_unknown=True,
        )
        status = _text(textual, "transactionStatus")
        reason = f"{_text(textual, 'reason')} ({_text(textual, 'reasonCode')})"
        if not status:
            return RefundResult("failed", "", reason, plain)
        self._verified_reply(textual, order_id, REFUND_SIGNED_FIELDS, outcome_unknown=True)
        if status in REFUNDED_STATUSES:
            return RefundResult("succeeded", status, reason, plain)
        if status in FAILED_STATUSES:
            return RefundResult("failed", status, reason, plain)
        return RefundResult("pending", status, reason, plain)

    def _api(
        self,
        transaction_type: str,
        body: Mapping[str, Any],
        signed_values: Sequence[str],
        *,
        outcome_unknown: bool = False,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """POST one API request; returns the (textual, plain) reply."""
        request = {
            "transactionType": transaction_type,
            "merchantAccount": self.merchant_account,
            **body,
            "merchantSignature": sign(self.secret_key, signed_values),
            "apiVersion": API_VERSION,
        }
        response = self._post(self.api_base_url + API_PATH, json_body=request)
        textual = self._json_reply(response, numbers_as_text=True)
        return textual, json.loads(response.content)

    def _verified_reply(
        self,
        textual: Mapping[str, Any],
        order_id: str,
        fields: Sequence[str],
        *,
        outcome_unknown: bool,
    ) -> dict[str, Any]:
        """A reply that changes our books must be signed, ours, and about this order.

        A reply may leave out the account and order it is about (they were in our
        request); they are filled in before checking the signature, which covers them.
        """
        reply = {"merchantAccount": self.merchant_account, "orderReference": order_id}
        reply.update({key: value for key, value in textual.items() if value not in (None, "")})
        try:
            valid = verify_fields(self.secret_key, reply, fields, _text(reply, "merchantSignature"))
        except ValueError:
            valid = False
        problem = ""
        if not valid:
            problem = "signature does not match"
        elif reply["merchantAccount"] != self.merchant_account:
            problem = f"reply is for merchant {reply['merchantAccount']!r}"
        elif reply["orderReference"] != order_id:
            problem = f"reply is about order {reply['orderReference']!r}"
        if problem:
            raise ProviderError(
                f"wayforpay: {problem}", transient=False, outcome_unknown=outcome_unknown
            )
        return reply

    def _event(self, textual: Mapping[str, Any], plain: dict[str, Any]) -> ProviderEvent:
        """Normalize a verified callback or CHECK_STATUS reply; ValueError if malformed."""
        order_id = _text(textual, "orderReference")
        status = _text(textual, "transactionStatus")
        if not order_id or not status:
            raise ValueError("missing orderReference or transactionStatus")
        amount_token = textual.get("amount")
        amount = None if amount_token in (None, "") else parse_amount(_amount_token(amount_token))
        processed = _text(textual, "processingDate") or _text(textual, "createdDate")
        return ProviderEvent(
            order_id=order_id,
            status=map_status(status),
            provider_status=status,
            amount=amount,
            currency=_text(textual, "currency") or None,
            provider_payment_id=order_id,
            account_key=_text(textual, "merchantAccount"),
            event_id=f"{order_id}:{status}:{processed}",
            raw=plain,
        )


def _amount_token(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"bad amount {value!r}")
    return value


def _client_fields(req: CheckoutRequest) -> list[tuple[str, str]]:
    return [
        ("clientFirstName", req.client_first_name),
        ("clientLastName", req.client_last_name),
        ("clientEmail", req.client_email),
        ("clientPhone", req.client_phone),
    ]


def _validate_checkout(req: CheckoutRequest) -> None:
    """Catch programming errors before the client sees WayForPay's error page."""
    if isinstance(req.amount, bool) or not isinstance(req.amount, int) or req.amount <= 0:
        raise ValueError(f"amount must be a positive number of kopecks, got {req.amount!r}")
    if not req.order_id:
        raise ValueError("order_id is required")
    if not req.description:
        raise ValueError("description is required (it is the product name)")
    if not req.currency:
        raise ValueError("currency is required")
    if req.language not in LANGUAGES:
        raise ValueError(f"unsupported language {req.language!r}")
