"""Payment provider registry: `get_provider("liqpay", credentials)` → a ready client.

The protocol layer only — no models, no database. See `base.Provider` for the
interface every provider implements.
"""

from __future__ import annotations

from typing import Any, TypeVar

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
)
from .liqpay import LiqPayProvider
from .wayforpay import WayForPayProvider

__all__ = [
    "PROVIDERS",
    "CallbackReply",
    "CheckoutForm",
    "CheckoutRequest",
    "InvalidCallback",
    "LiqPayProvider",
    "PaymentNotFound",
    "PaymentStatus",
    "Provider",
    "ProviderError",
    "ProviderEvent",
    "RefundResult",
    "WayForPayProvider",
    "get_provider",
    "register",
]

PROVIDERS: dict[str, type[Provider]] = {}

_P = TypeVar("_P", bound=type[Provider])


def register(cls: _P) -> _P:
    """Add a provider class under its `code` (usable as a decorator)."""
    existing = PROVIDERS.get(cls.code)
    if existing is not None and existing is not cls:
        raise ValueError(f"payment provider code {cls.code!r} is already taken by {existing!r}")
    PROVIDERS[cls.code] = cls
    return cls


def get_provider(
    code: str, credentials: dict[str, Any], *, base_url: str | None = None
) -> Provider:
    """A provider client for one organization's credentials.

    `base_url` points the client elsewhere (a local simulator in tests).
    """
    try:
        cls = PROVIDERS[code]
    except KeyError:
        raise ValueError(f"unknown payment provider {code!r}") from None
    return cls(credentials, base_url=base_url)


register(LiqPayProvider)
register(WayForPayProvider)
