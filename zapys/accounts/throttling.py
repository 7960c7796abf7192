"""Staff login throttling: django-axes records the failures, this module decides the lockout.

Two budgets, both kept in axes' `AccessAttempt` rows (one row per login, address and
user agent, with its failure count and the time of its last failure):

- **a login from one address** (`AXES_FAILURE_LIMIT`, 5): guessing one person's
  password. Only that combination is locked: the same person signs in from anywhere
  else, and nobody can lock a colleague out by typing wrong passwords for them.
- **one address across all logins** (`LOGIN_MAX_FAILURES_PER_ADDRESS`, 30): credential
  stuffing, one password tried against many logins. Only that address is locked.

A budget that is spent locks for `LOGIN_LOCKOUT_MINUTES` (5), and every further failure
doubles it (5, 10, 20 … minutes, at most `LOGIN_LOCKOUT_MAX`, a day): a person who
mistyped waits a few minutes, a script gets about a dozen more guesses a day. Tries
refused during a lockout are not counted (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
= False`), so the time the page promises holds. Failures are forgotten after
`AXES_COOLOFF_TIME` (two days) without a new one, and a successful sign-in clears that
login's failures from that address (`AXES_RESET_ON_SUCCESS`) — never the address's
failures for other logins.

Why a handler instead of axes' settings alone: axes compares every lockout parameter
with one `AXES_FAILURE_LIMIT`, and its `AXES_COOLOFF_TIME` callable gets only the request
and is applied to everybody's rows at once (the counting window and the deletion of
expired rows), so it cannot give each client its own growing back-off. Axes itself
documents `AXES_HANDLER` as the place for such a policy; recording, the authentication
backend, the middleware and the reset commands stay axes'.

The address is `zapys.core.http.client_ip` (`TRUSTED_PROXIES`), so every throttle in the
project sees the same client; IPv6 clients are counted per /64, the block one subscriber
gets, or rotating addresses within it would buy fresh budgets.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any

from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.http import HttpRequest

from zapys.core.http import client_ip

#: An IPv6 subscriber gets a whole /64; its addresses count as one client.
IPV6_CLIENT_PREFIX = 64


def client_address(request: HttpRequest) -> str | None:
    """The client's address for throttling (AXES_CLIENT_IP_CALLABLE).

    `client_ip` honours TRUSTED_PROXIES. A value that is not an address at all (only
    possible with TRUSTED_PROXIES set higher than the proxies really there, so the
    client wrote it) falls back to the connection's own address; PostgreSQL would
    refuse it in the `inet` column anyway.
    """
    for candidate in (client_ip(request), request.META.get("REMOTE_ADDR")):
        try:
            address = ipaddress.ip_address(str(candidate).strip())
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address):
            if address.ipv4_mapped is not None:  # "::ffff:192.0.2.1" is an IPv4 client
                return str(address.ipv4_mapped)
            network = ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False)
            return str(network.network_address)
        return str(address)
    return None


def lockout_for(failures: int, limit: int) -> timedelta | None:
    """How long `failures` against a budget of `limit` lock out: None below the limit,
    then LOGIN_LOCKOUT_MINUTES doubled for every failure past it, at most LOGIN_LOCKOUT_MAX."""
    if limit <= 0 or failures < limit:
        return None
    first = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    # Past 2**32 the product would overflow timedelta; the ceiling is reached long before.
    doublings = min(failures - limit, 32)
    return min(first * 2**doublings, settings.LOGIN_LOCKOUT_MAX)


def locked_until(*, username: str | None, ip_address: str | None, now: datetime) -> datetime | None:
    """When this login from this address may try again, or None if it may now.

    One query: the address's failures (all logins) and, within them, this login's.
    """
    remembered = get_cool_off()
    rows = AccessAttempt.objects.filter(ip_address=ip_address)
    if remembered is not None:
        rows = rows.filter(attempt_time__gte=now - remembered)
    login = Q(username=username)
    found = rows.aggregate(
        address_failures=Sum("failures_since_start"),
        address_last=Max("attempt_time"),
        login_failures=Sum("failures_since_start", filter=login),
        login_last=Max("attempt_time", filter=login),
    )
    budgets = (
        (found["login_failures"], found["login_last"], int(settings.AXES_FAILURE_LIMIT)),
        (found["address_failures"], found["address_last"], settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
    )
    until = None
    for failures, last, limit in budgets:
        lockout = lockout_for(failures or 0, limit)
        if lockout is not None and last is not None and last + lockout > now:
            until = max(until or now, last + lockout)
    return until


def request_locked_until(
    request: HttpRequest, credentials: dict[str, Any] | None
) -> datetime | None:
    """`locked_until` for a request axes has already annotated (address, time)."""
    return locked_until(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        now=request.axes_attempt_time,  # type: ignore[attr-defined]
    )


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with the two budgets and the growing lockout above.

    `AXES_LOCKOUT_PARAMETERS` names only the (login, address) combination, so axes'
    own counting, resetting on success and reset commands work on that; the address
    budget and the back-off are added here.
    """

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if not axes_settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        return request_locked_until(request, credentials) is not None

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        # Axes records the failure and locks the combination once it reaches the limit
        # (the failure just made is the latest, so the back-off runs from now).
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_locked(request, credentials):  # the address budget is now spent
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )


def forget_failures(*, now: datetime) -> int:
    """Delete failure records past AXES_COOLOFF_TIME (axes only does it on a login)."""
    remembered = get_cool_off()
    if remembered is None:
        return 0
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=now - remembered).delete()
    return deleted
