"""One-time binding tokens: how a client (or a staff member) links a messenger without
sharing a phone number (K2, M6).

The cabinet's "Connect Telegram / Viber" buttons and a staff member's profile carry a deep
link with a token; the bot reads it from `/start <token>` (Telegram) or the conversation's
`context` (Viber) and links the chat. The token is signed (django.core.signing, salted per
purpose), names the organization and the client or user, and carries its issue time, so no
table is needed to issue one; "one-time" is enforced by the bot, which records the tokens
it has used (`bots.UsedBindingToken`) under a unique constraint.

Telegram allows 1–64 characters of `A-Za-z0-9_-` in a start parameter, so the token is not
`signing.dumps` (its `:` separators and JSON payload are longer and not allowed):

    c<org>_<id>_<issued>_<signature>      c = client, s = staff; numbers in base 62

and the signature is the first 27 characters (160 bits) of the Signer's HMAC-SHA256.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from django.core import signing
from django.utils.crypto import constant_time_compare

from zapys.core.crypto import DecryptionError, decrypt_json
from zapys.messaging.models import TransportAccount

if TYPE_CHECKING:
    from zapys.accounts.models import Organization, User
    from zapys.clients.models import Client

BindingKind = Literal["client", "staff"]

#: How long a link stays usable after it was shown.
BINDING_MAX_AGE = timedelta(days=7)
SIGNATURE_LENGTH = 27
_SALT = "zapys.messaging.binding"
_KIND_PREFIX: dict[str, BindingKind] = {"c": "client", "s": "staff"}
_PREFIX_OF = {kind: prefix for prefix, kind in _KIND_PREFIX.items()}
#: Telegram's limit for the start parameter.
MAX_TOKEN_LENGTH = 64


@dataclass(frozen=True)
class Binding:
    """What a valid token says: whose chat this is, in which organization."""

    kind: BindingKind
    organization_id: int
    subject_id: int  # the client's id, or the staff user's id
    issued_at: int  # unix seconds


@dataclass(frozen=True)
class DeepLink:
    channel: str  # "telegram" | "viber"
    url: str


def _signature(value: str) -> str:
    return signing.Signer(salt=_SALT, algorithm="sha256").signature(value)[:SIGNATURE_LENGTH]


def _token(kind: BindingKind, organization_id: int, subject_id: int, now: float | None) -> str:
    issued = int(time.time() if now is None else now)
    value = "_".join(
        (
            _PREFIX_OF[kind] + signing.b62_encode(organization_id),
            signing.b62_encode(subject_id),
            signing.b62_encode(issued),
        )
    )
    return f"{value}_{_signature(value)}"


def binding_token_for_client(client: Client, *, now: float | None = None) -> str:
    """A token that links the chat it arrives from to `client`."""
    return _token("client", client.organization_id, client.pk, now)


def binding_token_for_staff(
    user: User, organization: Organization, *, now: float | None = None
) -> str:
    """A token that links the chat it arrives from to a staff member, for notifications."""
    return _token("staff", organization.pk, user.pk, now)


def binding_read(
    token: str, *, max_age: timedelta = BINDING_MAX_AGE, now: float | None = None
) -> Binding | None:
    """The binding a token names, or None when it is malformed, forged or expired.

    Whether it was used already is the bot's to check (it records used tokens).
    """
    token = (token or "").strip()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    parts = token.split("_", 3)  # the signature may itself contain "_" (base64url)
    if len(parts) != 4 or not parts[0] or parts[0][0] not in _KIND_PREFIX:
        return None
    if not constant_time_compare(parts[3], _signature("_".join(parts[:3]))):
        return None
    try:
        organization_id = signing.b62_decode(parts[0][1:])
        subject_id = signing.b62_decode(parts[1])
        issued = signing.b62_decode(parts[2])
    except (ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    if issued > current + 60 or current - issued > max_age.total_seconds():
        return None
    return Binding(_KIND_PREFIX[parts[0][0]], organization_id, subject_id, issued)


def telegram_deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


def viber_deep_link(chat_uri: str, token: str) -> str:
    return f"viber://pa?chatURI={quote(chat_uri, safe='')}&context={quote(token, safe='')}"


def deep_links(organization: Organization, token: str) -> list[DeepLink]:
    """The organization's bots a chat can be linked through, each with its deep link.

    A bot is an active Telegram account with the bot's username (filled when the webhook is
    registered) or an active Viber account with its chat URI; one query.
    """
    links: dict[str, DeepLink] = {}
    accounts = TransportAccount.objects.for_org(organization).filter(
        channel__in=("telegram", "viber"), code__in=("telegram", "viber"), is_active=True
    )
    for account in accounts.order_by("priority", "id"):
        if account.channel in links:
            continue
        try:
            credentials = decrypt_json(account.credentials_encrypted)
        except DecryptionError:
            continue
        if account.code == "telegram" and credentials.get("username"):
            links["telegram"] = DeepLink(
                "telegram", telegram_deep_link(str(credentials["username"]), token)
            )
        elif account.code == "viber" and credentials.get("uri"):
            links["viber"] = DeepLink("viber", viber_deep_link(str(credentials["uri"]), token))
    return [links[channel] for channel in ("telegram", "viber") if channel in links]


def client_deep_links(client: Client) -> list[DeepLink]:
    """ "Connect Telegram / Viber" links for the client's cabinet (a fresh token each time)."""
    return deep_links(client.organization, binding_token_for_client(client))


def staff_deep_links(user: User, organization: Organization) -> list[DeepLink]:
    """A staff member's "Get notifications in Telegram" link."""
    return deep_links(organization, binding_token_for_staff(user, organization))
