"""Shared API plumbing: bearer-key auth, the uniform error format, pagination, helpers.

Errors always look like {"detail": "<sentence>", "errors": [{"field", "message"}]} (API.md).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer

from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import activate_org


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`; activates the key owner's organization for the request."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from zapys.accounts.services import apikey_authenticate

        key = apikey_authenticate(token)
        if key is None:
            return None
        activate_org(key.organization)
        request.user = key.user
        request.organization = key.organization  # type: ignore[attr-defined]
        request.actor = Actor.api_key(key.user, key.name)  # type: ignore[attr-defined]
        return key


def request_actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if actor is None:
        return Actor.staff(request.user)  # type: ignore[arg-type]
    return actor


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


def _field_name(loc: tuple | list) -> str:
    # ninja locations look like ("body", "payload", "phone"); drop the transport parts.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form", "data")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def install_error_handlers(api: NinjaAPI) -> None:
    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        body = error_body(exc.detail, exc.errors)
        body.update(exc.extra)
        return api.create_response(request, body, status=exc.status)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            {
                "field": _field_name(err.get("loc", ())),
                "message": str(err.get("msg", "Invalid value")),
            }
            for err in exc.errors
        ]
        fields = ", ".join(e["field"] for e in errors if e["field"])
        detail = f"Invalid input: {fields}." if fields else "Invalid input."
        return api.create_response(request, error_body(detail, errors), status=422)

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field, "message": str(msg)}
                for field, msgs in exc.message_dict.items()
                for msg in msgs
            ]
        else:
            errors = [{"field": "", "message": str(m)} for m in exc.messages]
        return api.create_response(
            request,
            error_body(errors[0]["message"] if errors else "Invalid input.", errors),
            status=400,
        )

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, error_body("Not found."), status=404)

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(
            request,
            error_body("Authentication required: send Authorization: Bearer <API key>."),
            status=401,
        )

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, error_body(str(exc)), status=exc.status_code)

    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)


class Pagination(LimitOffsetPagination):
    """`limit`/`offset` in, `{"items": [...], "count": N}` out (API.md)."""


def referenced_object(model: Any, pk: int | None, *, field: str, status: int = 404) -> Any:
    """The object a request body names by id, looked up in the active organization (the
    scoped manager); None when no id was given. An unknown or foreign id is an error that
    names the field and never confirms that another organization's object exists."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        name = field.removesuffix("_id").replace("_", " ")
        raise DomainError(gettext("Unknown %(name)s.") % {"name": name}, field=field, status=status)
    return obj
