"""Request facts used by several apps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, overload

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from zapys.accounts.selectors import accessible_branches, current_branch
from zapys.core.audit import Actor

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization


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


# --- Staff requests: who acts, for which organization, in which branch ----------------
# One definition for every app's views (seven apps had their own `_actor`/`_org`/`_branch`).


def request_actor(request: HttpRequest) -> Actor:
    """Who the request acts as: the API key's actor when the API authenticated it, else the
    logged-in staff member."""
    actor = getattr(request, "actor", None)
    if actor is not None:
        return actor
    return Actor.staff(request.user)  # type: ignore[arg-type]


def request_organization(request: HttpRequest) -> Organization:
    """The organization the middleware (or the API key) activated for this request."""
    organization = getattr(request, "organization", None) or getattr(
        request.user, "organization", None
    )
    if organization is None:
        raise Http404(_("No organization is active for this request."))
    return organization


@overload
def request_branch(request: HttpRequest, *, required: Literal[True]) -> Branch: ...
@overload
def request_branch(request: HttpRequest, *, required: bool = False) -> Branch | None: ...


def request_branch(request: HttpRequest, *, required: bool = False) -> Branch | None:
    """The branch the staff member works in: `?branch=<id>` when it is one of theirs, else the
    one picked in the switcher, else their first. `required`: 404 when they have none."""
    branches = accessible_branches(request.user)  # type: ignore[arg-type]
    wanted = request.GET.get("branch", "")
    branch = next((b for b in branches if wanted.isdigit() and b.pk == int(wanted)), None)
    branch = branch or current_branch(request, branches)
    if branch is None and required:
        raise Http404(_("No branch is available to you."))
    return branch
