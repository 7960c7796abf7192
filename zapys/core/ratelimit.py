"""A per-address limit on guessing the tokens of public pages.

Public links (`/pay/<token>/`, `/p/<token>/`, `/book/<org>/done/<token>/`) are found
by a 192-bit random token or a signed value, so guessing one is hopeless; this limit is
defence in depth and keeps a scanner's noise out of the logs. An address that looked up
more than `ZAPYS_TOKEN_MISSES_PER_MINUTE` unknown tokens (default 20) in the current
minute gets a readable 429 page for every token page — found or not, or the limit would
still tell it which guesses hit — until the minute is over.

- Counted per client address (`core.http.client_ip`, so `TRUSTED_PROXIES` matters as
  for every throttle; IPv6 per /64, the block one subscriber gets). Other addresses'
  misses never block a client, and one budget covers all token pages.
- Counted in the database (`TokenMiss`, one row per address and minute, one upsert per
  miss), so two gunicorn processes or machines share it. The default cache is per
  process (local memory) and could not.
- A page that finds its token pays one indexed read; a miss pays the read and the
  upsert (and, once a minute per address, a trim of old rows).

Apply `limit_token_misses` to the view in the app's `urls.py`; the view signals a miss
by raising Http404, as it does anyway.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zapys.core.http import client_ip
from zapys.core.models import TokenMiss

logger = logging.getLogger(__name__)

DEFAULT_MISSES_PER_MINUTE = 20
#: Rows are kept this many minutes (only the current one is read); the rest are trimmed.
KEEP_MINUTES = 5
IPV6_CLIENT_PREFIX = 64


def misses_per_minute() -> int:
    value = getattr(settings, "ZAPYS_TOKEN_MISSES_PER_MINUTE", None)
    if value in (None, ""):
        value = os.environ.get("ZAPYS_TOKEN_MISSES_PER_MINUTE") or DEFAULT_MISSES_PER_MINUTE
    return int(value)


def client_key(request: HttpRequest) -> str:
    """The client as the limit counts it: its address, an IPv6 address's /64, or the
    raw (truncated) text when it is not an address at all."""
    raw = (client_ip(request) or "").strip()
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)


def current_minute() -> int:
    return int(time.time()) // 60


def misses(client: str, minute: int) -> int:
    """The client's misses in this minute (one indexed read)."""
    found = (
        TokenMiss.objects.filter(client=client, minute=minute)
        .values_list("misses", flat=True)
        .first()
    )
    return found or 0


def miss_record(client: str, minute: int) -> int:
    """Count a miss and return the minute's total: one atomic upsert, so concurrent
    misses from many processes all count. The first miss of a minute also trims rows
    older than KEEP_MINUTES (an indexed delete, usually of nothing)."""
    table = connection.ops.quote_name(TokenMiss._meta.db_table)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('client')}, {q('minute')}, {q('misses')}) "  # noqa: S608 - names from _meta
            f"VALUES (%s, %s, 1) ON CONFLICT ({q('client')}, {q('minute')}) "
            f"DO UPDATE SET {q('misses')} = {table}.{q('misses')} + 1 RETURNING {q('misses')}",
            [client, minute],
        )
        total = int(cursor.fetchone()[0])
    if total == 1:
        TokenMiss.objects.filter(minute__lt=minute - KEEP_MINUTES).delete()
    return total


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The readable 429 page (in the visitor's language, as the 404 page is)."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def limit_token_misses(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an address over its budget of unknown-token lookups; count its misses."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client, minute = client_key(request), current_minute()
        limit = misses_per_minute()
        if misses(client, minute) >= limit:
            return too_many(request, retry_after=60 - int(time.time()) % 60)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if miss_record(client, minute) == limit:
                logger.warning(
                    "public token pages: %s looked up %d unknown tokens this minute; "
                    "refused until the minute is over",
                    client,
                    limit,
                )
            raise

    return wrapped
