"""Activation codes (O3): short, read aloud at a front desk, typed or scanned.

Crockford's base32 alphabet: digits and capitals without I, L, O and U, so nothing looks like
something else; what people type is normalised — lowercase, spaces and dashes, and the
look-alikes O→0, I/L→1 — before it is compared. Seven characters shown as `K7M-4Q2P`'s
3+4 groups: 32⁷ ≈ 34 billion codes, unique per organization (a database constraint).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 7
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:3]}-{raw[3:]}"


def code_normalise(text: str) -> str:
    """`k7m 4q2p`, `K7M-4Q2P`, `k7m–4q2p ` → `K7M-4Q2P`; "" when it cannot be a code."""
    raw = _SEPARATORS.sub("", (text or "").replace("–", "-").upper()).translate(_LOOK_ALIKES)
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return ""
    return f"{raw[:3]}-{raw[3:]}"
