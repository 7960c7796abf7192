"""Unguessable tokens for public links (≥128 bits, URL-safe) and API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_public_token() -> str:
    """192 random bits, URL-safe: for client links (payment page, cabinet, invoices)."""
    return secrets.token_urlsafe(24)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
