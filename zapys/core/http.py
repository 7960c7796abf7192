"""Request facts used by several apps."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address for throttling and evidence (login failures, online booking
    rate limit, the prepayment agreement's acceptance).

    Behind N reverse proxies (`TRUSTED_PROXIES=N`) REMOTE_ADDR is the last proxy; the
    client is then the N-th address from the end of X-Forwarded-For, the part the trusted
    proxies appended (anything further left is whatever the client chose to send).
    """
    if request is None:
        return None
    hops = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
