"""Where providers live and how Zapys is reached from outside.

Provider base URLs come from settings or the environment (`ZAPYS_LIQPAY_URL`,
`ZAPYS_WAYFORPAY_URL`; unset = the real hosts) so tests and staging point them at
local simulators. Callback and result URLs are built from `ZAPYS_PUBLIC_URL`.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.urls import reverse

#: Pending payments older than this are polled at the provider (X8).
RECONCILE_AFTER_MINUTES_DEFAULT = 10


def _setting(name: str, default: Any = None) -> Any:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name) or default
    return value


def provider_base_url(code: str) -> str | None:
    """The provider's base URL override; None means the provider's real host."""
    if code == "sandbox":
        return public_base()
    return _setting(f"ZAPYS_{code.upper()}_URL")


def public_base() -> str:
    return str(settings.ZAPYS_PUBLIC_URL).rstrip("/")


def public_url(url_name: str, **kwargs: Any) -> str:
    return public_base() + reverse(url_name, kwargs=kwargs or None)


def reconcile_after_minutes() -> int:
    return int(_setting("ZAPYS_PAYMENTS_RECONCILE_AFTER_MINUTES", RECONCILE_AFTER_MINUTES_DEFAULT))


def max_callback_bytes() -> int:
    return int(_setting("ZAPYS_PAYMENTS_MAX_CALLBACK_BYTES", 64 * 1024))


def provider_timeout() -> float:
    """Seconds to wait for a provider's server-to-server answer."""
    return float(_setting("ZAPYS_PAYMENTS_PROVIDER_TIMEOUT", 10.0))
