"""Which credential fields each transport takes, and how they are shown back.

The transports themselves only check required keys; the settings form needs labels,
which fields are secret (never shown back in full, kept when left empty on edit) and
which channel a provider code may serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from zapys.core.crypto import decrypt_json, mask_secret


@dataclass(frozen=True)
class CredentialField:
    key: str
    label: Any
    secret: bool = False
    required: bool = False


CREDENTIAL_FIELDS: dict[str, tuple[CredentialField, ...]] = {
    "console": (),
    "turbosms": (
        CredentialField("token", _("API token"), secret=True, required=True),
        CredentialField("sender", _("Sender name"), required=True),
    ),
    "twilio": (
        CredentialField("account_sid", _("Account SID"), required=True),
        CredentialField("auth_token", _("Auth token"), secret=True, required=True),
        CredentialField("from_number", _("From number")),
        CredentialField("messaging_service_sid", _("Messaging service SID")),
    ),
    "email": (
        CredentialField("host", _("SMTP host")),
        CredentialField("port", _("SMTP port")),
        CredentialField("username", _("SMTP user")),
        CredentialField("password", _("SMTP password"), secret=True),
        CredentialField("use_tls", _("Use STARTTLS (1/0)")),
        CredentialField("from_email", _("From address")),
    ),
    "telegram": (
        CredentialField("token", _("Bot token"), secret=True, required=True),
        # The bot's @username, for "connect Telegram" deep links (filled by the bot's
        # webhook registration from getMe when left empty).
        CredentialField("username", _("Bot username")),
    ),
    "viber": (
        CredentialField("token", _("Bot token"), secret=True, required=True),
        CredentialField("sender_name", _("Sender name"), required=True),
        # The public account's chat URI, for "connect Viber" deep links.
        CredentialField("uri", _("Bot chat URI")),
    ),
}

#: Provider codes offered per channel in the settings form ("console" serves any).
CODES_FOR_CHANNEL: dict[str, tuple[str, ...]] = {
    "sms": ("turbosms", "twilio", "console"),
    "email": ("email", "console"),
    "telegram": ("telegram", "console"),
    "viber": ("viber", "console"),
}


def fields_for(code: str) -> tuple[CredentialField, ...]:
    return CREDENTIAL_FIELDS.get(code, ())


def masked_credentials(encrypted: str, code: str) -> dict[str, str]:
    """Credentials for display: secrets masked, the rest as stored."""
    data = decrypt_json(encrypted)
    shown: dict[str, str] = {}
    for field in fields_for(code):
        value = str(data.get(field.key) or "")
        if value:
            shown[field.key] = mask_secret(value) if field.secret else value
    return shown


def labelled_credentials(encrypted: str, code: str) -> list[tuple[str, str]]:
    """`masked_credentials` under each field's label ("API token"), for the accounts' table:
    it listed them by their stored keys ("token", "from_email")."""
    labels = {field.key: str(field.label) for field in fields_for(code)}
    return [(labels[key], value) for key, value in masked_credentials(encrypted, code).items()]
