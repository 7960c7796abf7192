"""Structural tenancy: every organization-owned row is reached through an organization.

How it works
- Organization-owned models inherit `OrgOwned`; their default manager is `OrgManager`.
- A request (or a job, or a public link) activates one organization with `org_scope(org)`;
  the staff middleware does it for the logged-in user, the API auth for the key's owner,
  public views for the object found by token.
- Inside a scope every query on an `OrgOwned` model is filtered by that organization,
  so `Client.objects.get(pk=id)` with a foreign id raises DoesNotExist (→ 404).
- Outside any scope a query raises `TenancyError` — forgetting the organization is a
  crash in tests, not a leak in production. Code that really spans organizations
  (scheduler sweeps, management commands) says so with `unscoped()` or uses
  `Model.objects.for_org(org)` explicitly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

if TYPE_CHECKING:
    from zapys.accounts.models import Organization

_current_org: ContextVar[Organization | None] = ContextVar("zapys_current_org", default=None)
_unscoped: ContextVar[bool] = ContextVar("zapys_unscoped", default=False)

M = TypeVar("M", bound=models.Model)


class TenancyError(RuntimeError):
    """A query on organization-owned data was made with no organization in scope."""


def current_org() -> Organization | None:
    return _current_org.get()


def require_org() -> Organization:
    org = _current_org.get()
    if org is None:
        raise TenancyError("No organization is active for this operation.")
    return org


@contextlib.contextmanager
def org_scope(org: Organization) -> Iterator[Organization]:
    """Activate `org` for the queries inside the block (nested scopes restore the outer one)."""
    token = _current_org.set(org)
    try:
        yield org
    finally:
        _current_org.reset(token)


@contextlib.contextmanager
def unscoped() -> Iterator[None]:
    """Allow queries across organizations: sweeps and operator commands only."""
    org_token = _current_org.set(None)
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)
        _current_org.reset(org_token)


@contextlib.contextmanager
def no_scope() -> Iterator[None]:
    """Neither an organization nor `unscoped()`: an organization-owned model can only be
    queried with `for_org(...)` (core/prepared.py builds its shared statements here, so
    no request's organization is baked into them)."""
    org_token = _current_org.set(None)
    token = _unscoped.set(False)
    try:
        yield
    finally:
        _unscoped.reset(token)
        _current_org.reset(org_token)


def activate_org(org: Organization | None) -> None:
    """Set the scope for the rest of the current request (the middleware resets it)."""
    _current_org.set(org)


class OrgQuerySet(models.QuerySet[M]):
    def for_org(self, org: Organization) -> OrgQuerySet[M]:
        return self.filter(organization=org)


class OrgManager(models.Manager[M]):
    """Default manager of organization-owned models: filtered by the active organization."""

    _queryset_class = OrgQuerySet

    def get_queryset(self) -> OrgQuerySet[M]:
        qs: OrgQuerySet[M] = OrgQuerySet(self.model, using=self._db)
        org = _current_org.get()
        if org is not None:
            return qs.filter(organization_id=org.pk)
        if _unscoped.get():
            return qs
        raise TenancyError(
            f"{self.model.__name__} queried without an organization: use org_scope(org), "
            f"{self.model.__name__}.objects.for_org(org) or unscoped()."
        )

    def for_org(self, org: Organization) -> OrgQuerySet[M]:
        """Explicit scoping that works with or without an active scope."""
        return OrgQuerySet(self.model, using=self._db).filter(organization=org)


class OrgOwned(models.Model):
    """Abstract base of every organization-owned model."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects: Any = OrgManager()

    class Meta:
        abstract = True


def _activate_staff_language(request: HttpRequest, user: Any) -> None:
    """An explicit choice (the language switch's cookie) wins; otherwise the staff member's
    own setting, then the organization's language — not whatever the browser sends."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return
    language = user.language or user.organization.language
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


class OrganizationMiddleware:
    """Activates the logged-in staff member's organization for the whole request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_org.set(None)
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.organization_id:
                _current_org.set(user.organization)
                _activate_staff_language(request, user)
                # Times on staff pages are the organization's, not the server's: a salon in
                # another zone must see 10:00 where its calendar says 10:00.
                timezone.activate(organization_zone(user.organization))
            request.organization = _current_org.get()  # type: ignore[attr-defined]
            return self.get_response(request)
        finally:
            timezone.deactivate()
            _current_org.reset(token)


def organization_zone(organization: Organization) -> ZoneInfo:
    """The organization's time zone: what its pages, messages and calendar rules speak in."""
    try:
        return ZoneInfo(organization.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):  # a stored zone this machine doesn't know
        return ZoneInfo(settings.TIME_ZONE)


@contextlib.contextmanager
def public_scope(organization: Organization, language: str) -> Iterator[Organization]:
    """A public page found by token: the object's organization, the page's language and the
    organization's time zone (a client in Warsaw reads the Kyiv salon's "pay by 11:11")."""
    with (
        org_scope(organization),
        translation.override(language),
        timezone.override(organization_zone(organization)),
    ):
        yield organization
