"""Phone numbers: what staff type ("067 123 45 67", "+38 (067) ...") → E.164 (C1)."""

from __future__ import annotations

# Typed and shown alike everywhere: the two live in core (the organization's phone uses them).
from zapys.core.phones import DEFAULT_REGION, display_phone, normalize_phone

__all__ = ["DEFAULT_REGION", "display_phone", "normalize_phone", "phone_search_digits"]


def phone_search_digits(text: str) -> str:
    """The digits of a search string that looks like (part of) a phone number, else ""."""
    stripped = text.strip()
    if not stripped or any(ch not in "0123456789+-() " for ch in stripped):
        return ""
    digits = "".join(ch for ch in stripped if ch.isdigit())
    return digits if len(digits) >= 3 else ""
