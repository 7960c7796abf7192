"""The contract every outgoing-message transport honours (DESIGN.md rule 8).

A transport is a small object that knows one provider's wire protocol and nothing
about the database: the outbox stores the message, picks a transport from the
registry, calls `send()` and records the `SendResult` or the `TransportError`.
The only decision a transport makes for the outbox is whether a failure is worth
retrying (`permanent=False`) or not (`permanent=True`: invalid number, bot blocked,
bad credentials) — so that decision is made here, close to the provider's codes.
"""

from __future__ import annotations

import email.utils
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

import httpx

Channel = Literal["sms", "email", "telegram", "viber", "console"]
SendStatus = Literal["sent", "delivered"]

#: Credentials shorter than this are not scrubbed from error texts: masking "1" or
#: "25" (a port) would garble messages without protecting anything.
_MIN_SECRET_LENGTH = 6
_SECRET_KEY_HINTS = ("token", "password", "secret", "key")

#: Part of a lease no send may use: the claim before the first send, writing the results
#: after the last one, and clock differences between the machines running workers.
LEASE_MARGIN = timedelta(seconds=15)


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one recipient, already rendered.

    `recipient` is an E.164 phone number for SMS (and Viber by phone), an e-mail
    address, a Telegram chat id or a Viber user id. `idempotency_key` is the
    outbox row's stable key, the same on every attempt; transports whose protocol
    has a deduplication key pass it on (TurboSMS `sequence_id`, e-mail Message-ID).
    Telegram's Bot API, Viber's and Twilio's have none: a resend after an answer
    that never arrived reaches the recipient twice.
    """

    channel: Channel
    recipient: str
    text: str
    subject: str = ""
    idempotency_key: str = ""
    html: str = ""


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it accepted the message."""

    provider_message_id: str
    status: SendStatus = "sent"
    raw: dict[str, Any] | None = None


class TransportError(Exception):
    """The provider did not accept the message.

    `permanent=True` tells the outbox to stop retrying: the same request will fail
    the same way (invalid number, blocked bot, bad credentials). `retry_after` is
    the provider's hint in seconds (HTTP `Retry-After`, Telegram `retry_after`),
    so the outbox can back off at least that long. `recipient_gone=True` says this
    recipient cannot be reached on this channel any more (the user blocked the bot or
    left it): the outbox drops the client's messenger link and uses the next channel.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        recipient_gone: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.recipient_gone = recipient_gone

    def __repr__(self) -> str:
        return f"TransportError({self.message!r}, permanent={self.permanent})"


class Transport(ABC):
    """One provider for one channel. Instances are cheap; build one per send batch."""

    code: ClassVar[str]
    channel: ClassVar[Channel]
    default_base_url: ClassVar[str] = ""
    #: Credential keys that must be present and non-empty; checked in __init__ so a
    #: misconfigured organization fails permanently instead of retrying for hours.
    required_credentials: ClassVar[tuple[str, ...]] = ()
    #: Seconds the client library waits on one step of a send (the timeout it is given).
    send_timeout: ClassVar[float] = 10.0
    #: Steps of one send that may each take `send_timeout` (HTTP: connect, write, read).
    timeout_steps: ClassVar[int] = 3

    def __init__(
        self,
        credentials: Mapping[str, Any],
        *,
        base_url: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.credentials = dict(credentials or {})
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout = self.send_timeout if timeout is None else timeout
        self._check_credentials()

    @classmethod
    def max_send_time(cls) -> timedelta:
        """The longest one `send()` can take before its client gives up."""
        return timedelta(seconds=cls.send_timeout * cls.timeout_steps)

    @classmethod
    def lease(cls) -> timedelta:
        """How long a message claimed for this transport stays "sending" before the sweep
        takes it back from a worker presumed dead and another worker sends it again.

        Two longest sends plus the margin: a batch starts a send only while it can finish
        within the lease (see `messaging.outbox`), so a live worker is never overtaken, and
        a killed worker's messages wait about a minute instead of ten.
        """
        return 2 * cls.max_send_time() + LEASE_MARGIN

    def _check_credentials(self) -> None:
        missing = [key for key in self.required_credentials if not self.credentials.get(key)]
        if missing:
            raise TransportError(
                f"{self.code}: missing credentials: {', '.join(missing)}", permanent=True
            )

    @abstractmethod
    def send(self, message: OutgoingMessage) -> SendResult:
        """Hand the message to the provider or raise TransportError."""

    def scrub(self, text: str) -> str:
        """Mask credential values in `text`.

        Error texts end up in the outbox and the delivery log that staff can read;
        some providers put the token in the URL (Telegram), so never trust a
        library's exception text to be free of secrets.
        """
        for value in _secret_values(self.credentials):
            text = text.replace(value, "***")
        return text

    def error(
        self,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        recipient_gone: bool = False,
    ) -> TransportError:
        """Build a TransportError prefixed with the transport code and scrubbed of secrets."""
        return TransportError(
            self.scrub(f"{self.code}: {message}"),
            permanent=permanent,
            retry_after=retry_after,
            recipient_gone=recipient_gone,
        )


def _secret_values(credentials: Mapping[str, Any]) -> list[str]:
    """Values of secret-looking keys (token, password, secret, key), longest first.

    Only those: masking a host name or a sender name would make errors unreadable.
    Longest first, so a token containing a shorter secret is masked whole.
    """
    secrets = [
        value
        for key, value in credentials.items()
        if isinstance(value, str)
        and len(value) >= _MIN_SECRET_LENGTH
        and any(hint in key.lower() for hint in _SECRET_KEY_HINTS)
    ]
    return sorted(secrets, key=len, reverse=True)


class HttpTransport(Transport):
    """Shared httpx plumbing: one POST with the timeout, network failures → transient."""

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST and return the response whatever its status; only the network can raise.

        Timeouts, refused connections and broken responses are all worth a retry:
        the provider may or may not have seen the request, and the outbox bounds the
        number of attempts.
        """
        try:
            with httpx.Client(timeout=self.timeout) as client:
                return client.post(url, **kwargs)
        except httpx.TimeoutException as exc:
            raise self.error(
                f"timed out after {self.timeout:g}s ({type(exc).__name__})", permanent=False
            ) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            # A misconfigured base URL fails the same way on every attempt.
            raise self.error(f"invalid provider URL: {exc}", permanent=True) from exc
        except httpx.HTTPError as exc:
            raise self.error(
                f"network error: {type(exc).__name__}: {exc}", permanent=False
            ) from exc

    def transient_http_error(self, response: httpx.Response, detail: str = "") -> TransportError:
        """The error for a 429/5xx answer: retry later, honouring Retry-After if given."""
        text = detail or response.text[:200]
        return self.error(
            f"HTTP {response.status_code}: {text}",
            permanent=False,
            retry_after=retry_after_header(response),
        )


def is_retryable_status(status_code: int) -> bool:
    """429 (rate limited) and 5xx (provider trouble) are worth retrying; other 4xx are not."""
    return status_code == 429 or status_code >= 500


def retry_after_header(response: httpx.Response) -> float | None:
    """Parse `Retry-After` (seconds or HTTP date); None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def json_body(response: httpx.Response) -> dict[str, Any] | None:
    """The response's JSON object, or None when the body is not a JSON object."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
