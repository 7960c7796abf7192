"""Encryption at rest for credentials stored in the database (payment accounts, transports).

Fernet (AES-128-CBC + HMAC-SHA256) with the key from ZAPYS_ENCRYPTION_KEY (a Fernet key, or
any passphrase, which is stretched); when unset it is derived from SECRET_KEY so the
embedded mode works with no configuration. Production should set it explicitly.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class DecryptionError(RuntimeError):
    """Stored secrets cannot be read with the configured key."""


@lru_cache(maxsize=4)
def _fernet(material: str) -> Fernet:
    try:
        return Fernet(material.encode())
    except ValueError:
        digest = hashlib.sha256(("zapys-encryption:" + material).encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


def _key_material() -> str:
    return settings.ZAPYS_ENCRYPTION_KEY or settings.SECRET_KEY


def encrypt_json(data: dict[str, Any]) -> str:
    return _fernet(_key_material()).encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_fernet(_key_material()).decrypt(token.encode()))
    except InvalidToken as exc:
        raise DecryptionError(
            "Stored credentials cannot be decrypted with the current key."
        ) from exc


def mask_secret(value: str, visible: int = 4) -> str:
    """'sandbox_abc123XYZ' → '••••••••XYZ' for showing a stored secret back in part."""
    if not value:
        return ""
    return "•" * 8 + value[-visible:] if len(value) > visible else "•" * len(value)
