"""Registry of outgoing-message transports, looked up by a provider code.

Organizations store a provider code and credentials; the outbox turns them into a
transport with `get_transport()` and never imports a provider module directly, so
adding a gateway is one module plus one `register()` call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    LEASE_MARGIN,
    Channel,
    HttpTransport,
    OutgoingMessage,
    SendResult,
    Transport,
    TransportError,
)
from .console import ConsoleTransport
from .email import EmailTransport
from .telegram import TelegramTransport
from .turbosms import TurboSmsTransport
from .twilio import TwilioTransport
from .viber import ViberTransport

__all__ = [
    "LEASE_MARGIN",
    "TRANSPORTS",
    "Channel",
    "ConsoleTransport",
    "EmailTransport",
    "HttpTransport",
    "OutgoingMessage",
    "SendResult",
    "TelegramTransport",
    "Transport",
    "TransportError",
    "TurboSmsTransport",
    "TwilioTransport",
    "UnknownTransport",
    "ViberTransport",
    "codes_for_channel",
    "get_transport",
    "register",
]

TRANSPORTS: dict[str, type[Transport]] = {}


class UnknownTransport(LookupError):
    """No transport is registered under the code (a configuration or data error)."""


def register(cls: type[Transport]) -> type[Transport]:
    """Add a transport class under its `code`; usable as a class decorator."""
    existing = TRANSPORTS.get(cls.code)
    if existing is not None and existing is not cls:
        raise ValueError(f"transport code {cls.code!r} is already taken by {existing.__name__}")
    TRANSPORTS[cls.code] = cls
    return cls


def get_transport(
    code: str,
    credentials: Mapping[str, Any],
    *,
    base_url: str | None = None,
    timeout: float | None = None,
) -> Transport:
    """Build the transport registered under `code` (with its own `send_timeout` unless
    `timeout` is given: the outbox never gives one, so its leases hold).

    Raises UnknownTransport for an unknown code, and TransportError(permanent=True)
    when required credentials are missing.
    """
    try:
        cls = TRANSPORTS[code]
    except KeyError:
        raise UnknownTransport(f"unknown message transport {code!r}") from None
    return cls(credentials, base_url=base_url, timeout=timeout)


def codes_for_channel(channel: Channel) -> list[str]:
    """Registered provider codes for a channel, for settings forms."""
    return sorted(code for code, cls in TRANSPORTS.items() if cls.channel == channel)


for _cls in (
    ConsoleTransport,
    EmailTransport,
    TelegramTransport,
    TurboSmsTransport,
    TwilioTransport,
    ViberTransport,
):
    register(_cls)
