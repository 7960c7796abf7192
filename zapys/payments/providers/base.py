"""The provider-neutral protocol layer: request/result dataclasses, errors, money edges.

Nothing here touches Django or the database. A provider turns a `CheckoutRequest` into
an HTML form the browser posts, turns a provider callback into a verified, normalized
`ProviderEvent`, and talks to the provider's server-to-server API with httpx.

Money is integer kopecks everywhere inside Zapys. It becomes a provider's decimal text
only at the edge (`format_amount`), and provider amounts come back through
`parse_amount` with `Decimal` and half-up rounding, never through float.
"""

from __future__ import annotations

import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar, Literal

import httpx

logger = logging.getLogger(__name__)

MINOR_UNITS = 100  # UAH, USD and EUR all have two decimal places

PaymentStatus = Literal[
    "pending", "succeeded", "failed", "expired", "refunded", "partially_refunded"
]
RefundStatus = Literal["succeeded", "pending", "failed"]


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class CheckoutRequest:
    """What Zapys wants paid. `amount` is integer kopecks; `expires_at` must be aware."""

    order_id: str
    amount: int
    currency: str
    description: str
    result_url: str
    server_url: str
    language: str = "uk"  # "uk" | "en"
    expires_at: datetime | None = None
    client_first_name: str = ""
    client_last_name: str = ""
    client_email: str = ""
    client_phone: str = ""


@dataclass(frozen=True)
class CheckoutForm:
    """An HTML form for the client's browser: POST `fields` (in order) to `action`.

    `fields` is a list, not a dict, because WayForPay repeats `productName[]` etc.
    """

    action: str
    fields: list[tuple[str, str]]
    method: str = "POST"


@dataclass(frozen=True)
class ProviderEvent:
    """A verified statement from the provider about one order.

    `event_id` identifies the *state report*, so repeated deliveries of the same
    callback (and a status poll that reports the same state) dedupe to one row; each
    provider module documents how it builds it.
    """

    order_id: str
    status: PaymentStatus
    provider_status: str  # the provider's own status text, unmapped
    amount: int | None  # kopecks
    currency: str | None
    provider_payment_id: str
    account_key: str  # LiqPay public_key / WayForPay merchantAccount
    event_id: str
    raw: dict[str, Any]
    #: Kopecks refunded in all, when the provider says (the sandbox's `refunded`, LiqPay's
    #: `refund_amount`); None: not said — the payments app then holds a refund it did not
    #: ask for for review rather than guess part or whole.
    refunded_total: int | None = None


@dataclass(frozen=True)
class RefundResult:
    """The provider's answer to a refund request.

    `failed` means the provider definitely did not refund (declined, bad request);
    `pending` means accepted but not final, or a status we do not recognise — never
    retry a pending refund blindly, poll the status instead.
    """

    status: RefundStatus
    provider_status: str
    message: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class CallbackReply:
    """The HTTP response the callback view must send back to the provider."""

    status_code: int
    content_type: str
    body: bytes


# --------------------------------------------------------------------------- errors


class InvalidCallback(Exception):
    """A callback that must not be trusted: forged signature, malformed base64, not JSON,
    missing fields, or addressed to another merchant account. The message says which."""


class ProviderError(Exception):
    """The provider could not give a usable answer.

    `transient` — worth retrying later (network error, timeout, HTTP 5xx/429, garbled
    body). Not transient — the provider declared an error about our request, or the
    response failed verification; retrying the same request will not help.

    `outcome_unknown` — the request may have reached the provider and been executed
    (read timeout, 5xx, garbled reply). Only matters for refunds: check the status
    before sending another refund, or the client may be refunded twice.

    `code` — the provider's error code when it gave one (LiqPay `err_code`, WayForPay
    `reasonCode`).
    """

    def __init__(
        self, message: str, *, transient: bool, code: str = "", outcome_unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code
        self.outcome_unknown = outcome_unknown


class PaymentNotFound(ProviderError):
    """The provider does not know this order (the client never reached the checkout).

    A status poll that gets this should leave the payment pending until it expires.
    """

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message, transient=False, code=code)


# --------------------------------------------------------------------------- money edges


def format_amount(kopecks: int) -> str:
    """Kopecks as the shortest exact decimal text: 300 → "3", 15050 → "150.5", 734 → "7.34".

    Integer arithmetic only. The shortest form is what PHP prints for the same number
    (`(string) 150.5 === "150.5"`), which matters for WayForPay, whose server rebuilds
    the signature string from the JSON number we send.
    """
    _check_kopecks(kopecks)
    units, cents = divmod(kopecks, MINOR_UNITS)
    if cents == 0:
        return str(units)
    if cents % 10 == 0:
        return f"{units}.{cents // 10}"
    return f"{units}.{cents:02d}"


def parse_amount(value: str | int | Decimal) -> int:
    """A provider's decimal amount back to kopecks exactly (Decimal, half-up).

    Floats are refused on purpose: JSON is parsed with `parse_float=Decimal` (or the
    raw token text) so no binary rounding ever happens.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"not an amount: {value!r}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return int((number * MINOR_UNITS).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount_json_number(kopecks: int) -> int | float:
    """A JSON number whose text is exactly `format_amount(kopecks)`.

    Python's json module cannot emit a Decimal, so non-whole amounts go out as a float
    — and only after checking that its JSON text is byte-identical to the decimal text
    (true for any realistic amount; refuses absurd ones instead of corrupting them).
    """
    text = format_amount(kopecks)
    number: int | float = int(text) if "." not in text else float(text)
    if json.dumps(number) != text:
        raise ValueError(f"amount {kopecks} kopecks cannot be sent as an exact JSON number")
    return number


def _check_kopecks(kopecks: int) -> None:
    if isinstance(kopecks, bool) or not isinstance(kopecks, int):
        raise ValueError(f"amount must be integer kopecks, got {kopecks!r}")
    if kopecks < 0:
        raise ValueError(f"amount must not be negative, got {kopecks}")


def refund_outcome(paid: int, refunded_total: int) -> PaymentStatus:
    """`refunded` or `partially_refunded` from the caller's own totals (kopecks).

    Neither provider's callback reliably says whether a reversal was partial (see the
    provider modules), so the caller decides from its own ledger of refunds.
    """
    if refunded_total <= 0:
        raise ValueError("nothing was refunded")
    return "refunded" if refunded_total >= paid else "partially_refunded"


# --------------------------------------------------------------------------- the interface


def require_credentials(credentials: Mapping[str, Any], *names: str) -> None:
    """Fail early, at construction, on a misconfigured organization."""
    missing = [name for name in names if not credentials.get(name)]
    if missing:
        raise ValueError(f"missing provider credentials: {', '.join(missing)}")


class Provider(ABC):
    """One payment provider. Instances are cheap; build one per organization and call."""

    code: ClassVar[str]
    default_base_url: ClassVar[str]

    def __init__(
        self, credentials: dict[str, Any], *, base_url: str | None = None, timeout: float = 10.0
    ) -> None:
        self.credentials = dict(credentials)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout = timeout
        # Seconds since the epoch; tests replace it to get fixed `orderDate`/`time` values.
        self.clock: Callable[[], float] = time.time

    @abstractmethod
    def build_checkout(self, req: CheckoutRequest) -> CheckoutForm:
        """The form that sends the client's browser to the provider's payment page."""

    @abstractmethod
    def parse_callback(self, body: bytes, content_type: str) -> ProviderEvent:
        """Verify (constant-time) and normalize a callback; raise InvalidCallback if not."""

    @abstractmethod
    def peek_order_id(self, body: bytes, content_type: str) -> str | None:
        """The order id a callback *claims* to be about, without verifying anything.

        Only for logging, or for `callback_reply(None, order_id=...)`; never trust it.
        """

    @abstractmethod
    def callback_reply(
        self, event: ProviderEvent | None, *, order_id: str | None = None
    ) -> CallbackReply:
        """What to answer the provider.

        Pass the verified `event` — also when the order is unknown to Zapys or nothing
        changed, so the provider stops resending. Pass `None` when the callback failed
        verification: the reply is then a rejection (HTTP 400), unless an `order_id` is
        given, in which case the provider's usual acknowledgement for that order is sent.
        """

    @abstractmethod
    def fetch_status(self, order_id: str) -> ProviderEvent:
        """Ask the provider server-to-server; raise PaymentNotFound / ProviderError."""

    @abstractmethod
    def refund(self, *, order_id: str, amount: int, currency: str, comment: str) -> RefundResult:
        """Refund `amount` kopecks (all or part) of a paid order."""

    # ------------------------------------------------------------------ HTTP helpers

    def _post(
        self, url: str, *, data: Mapping[str, str] | None = None, json_body: Any = None
    ) -> httpx.Response:
        """POST and map transport failures to ProviderError.

        Connection failures never reached the provider (`outcome_unknown=False`); a
        read timeout or an HTTP 5xx may have been executed there.
        """
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.post(url, data=data, json=json_body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ProviderError(
                f"{self.code}: cannot connect to {url}: {exc!r}", transient=True
            ) from exc
        except httpx.UnsupportedProtocol as exc:
            raise ProviderError(f"{self.code}: bad URL {url!r}", transient=False) from exc
        except httpx.TransportError as exc:  # read/write timeouts, dropped connections
            raise ProviderError(
                f"{self.code}: no reply from {url}: {exc!r}", transient=True, outcome_unknown=True
            ) from exc
        _raise_for_http_status(self.code, response)
        return response

    def _json_reply(
        self, response: httpx.Response, *, numbers_as_text: bool = False
    ) -> dict[str, Any]:
        """The reply as a JSON object; garbled replies are transient.

        Numbers come back as Decimal, or — with `numbers_as_text` — as their exact JSON
        token text, for providers that sign the textual form of numbers.
        """
        try:
            if numbers_as_text:
                payload = json.loads(response.content, parse_float=str, parse_int=str)
            else:
                payload = json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise ProviderError(
                f"{self.code}: reply is not JSON: {response.text[:200]!r}",
                transient=True,
                outcome_unknown=True,
            ) from exc
        if not isinstance(payload, dict):
            raise ProviderError(
                f"{self.code}: reply is not a JSON object", transient=True, outcome_unknown=True
            )
        return payload


def _raise_for_http_status(code: str, response: httpx.Response) -> None:
    status = response.status_code
    if status >= 500 or status == 429:
        raise ProviderError(
            f"{code}: HTTP {status} from {response.request.url}",
            transient=True,
            code=str(status),
            outcome_unknown=True,
        )
    if status >= 400:
        raise ProviderError(
            f"{code}: HTTP {status} from {response.request.url}: {response.text[:200]!r}",
            transient=False,
            code=str(status),
        )


def plain_json(value: Any) -> Any:
    """Parsed-with-Decimal JSON turned back into what plain `json.loads` would give.

    `raw` payloads are stored by the caller (a JSONField cannot hold Decimal). Amounts
    are always read from the exact Decimal before this conversion, never from `raw`.
    """
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: plain_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_json(item) for item in value]
    return value
