"""The unsubscribe link of broadcasts: `/u/<client id>.<HMAC>/`.

The token carries the client's id and 128 bits of a keyed HMAC of it (SECRET_KEY, own
salt): short enough for an SMS, unguessable, checked in constant time, and needing no
stored token. Pure functions, so the selectors and the services can both use them.
"""

from __future__ import annotations

import base64
import functools
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

if TYPE_CHECKING:
    from zapys.clients.models import Client

_SALT = "zapys.messaging.unsubscribe"


def unsubscribe_token(client: Client) -> str:
    """`<client id>.<22 characters of HMAC>`: the unsubscribe link's token."""
    return f"{client.pk}.{_signature(client.pk)}"


def unsubscribe_url(client: Client) -> str:
    """The absolute unsubscribe link (on ZAPYS_PUBLIC_URL), as put into a broadcast."""
    prefix, suffix = _path_around_token()
    token = unsubscribe_token(client)
    return f"{settings.ZAPYS_PUBLIC_URL.rstrip('/')}{prefix}{token}{suffix}"


@functools.cache
def _path_around_token() -> tuple[str, str]:
    """The link's path before and after the token, reversed once per process (a broadcast
    writes a link per recipient; `reverse` for each was a fifth of the batch's time)."""
    marker = "0.marker"
    path = reverse("messaging:unsubscribe", args=[marker])
    prefix, _sep, suffix = path.partition(marker)
    return prefix, suffix


def unsubscribe_client_id(token: str) -> int | None:
    """The client id a token was made for, or None for a forged or mangled token."""
    head, _sep, signature = token.partition(".")
    if not head.isdigit() or len(head) > 18 or not signature:
        return None
    client_id = int(head)
    if not constant_time_compare(signature, _signature(client_id)):
        return None
    return client_id


def _signature(client_id: int) -> str:
    digest = salted_hmac(_SALT, str(client_id), algorithm="sha256").digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
