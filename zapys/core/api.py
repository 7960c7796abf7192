"""Shared API plumbing: bearer-key auth, the uniform error format, pagination, helpers.

Errors always look like {"detail": "<sentence>", "errors": [{"field", "message"}]} (API.md).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer

from zapys.accounts.services import apikey_authenticate
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.http import request_actor as request_actor  # re-exported (defined once)
from zapys.core.schema_types import Count
from zapys.core.tenancy import activate_org

logger = logging.getLogger("zapys.api")


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>`; activates the key owner's organization for the request."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:

        key = apikey_authenticate(token)
        if key is None:
            return None
        activate_org(key.organization)
        request.user = key.user
        request.organization = key.organization  # type: ignore[attr-defined]
        request.actor = Actor.api_key(key.user, key.name)  # type: ignore[attr-defined]
        return key


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


_TRANSPORT = ("body", "query", "path", "payload", "form", "data")


def _field_name(loc: tuple | list) -> str:
    # ninja locations look like ("body", "payload", "phone"); drop the transport parts, and
    # pydantic's names of union members ("constrained-str", "literal['']"), which are not
    # fields a client sent.
    parts = [str(p) for p in loc if p not in _TRANSPORT and re.fullmatch(r"\w+", str(p))]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def validation_errors(error_contexts: list[Any]) -> list[dict[str, Any]]:
    """ninja's reshaping of pydantic errors (locations by parameter source), keeping whether
    the input was `null` (ninja drops the input so as not to echo it back)."""
    errors: list[dict[str, Any]] = []
    for context in error_contexts:
        model = context.model
        for err in context.pydantic_validation_error.errors(include_url=False):
            err["loc"] = (
                model.__ninja_param_source__,
                *model.__ninja_flatten_map_reverse__.get(err["loc"], err["loc"]),
            )
            err["null"] = err.pop("input", ...) is None
            if "ctx" in err and isinstance(err["ctx"].get("error"), Exception):
                err["ctx"]["error"] = str(err["ctx"]["error"])
            errors.append(dict(err))
    return errors


def _message(err: dict[str, Any]) -> str:
    if err.get("null") and str(err.get("type", "")).endswith("_type"):
        # `null` for a field that may be left out but not emptied (PATCH schemas).
        return gettext("This field cannot be null.")
    # pydantic prefixes the text of a ValueError raised by a validator; the sentence is ours.
    return str(err.get("msg", "Invalid value")).removeprefix("Value error, ")


def install_error_handlers(api: NinjaAPI) -> None:
    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        body = error_body(exc.detail, exc.errors)
        body.update(exc.extra)
        return api.create_response(request, body, status=exc.status)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            {
                "field": _field_name(err.get("loc", ())),
                "message": _message(err),
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

    def on_out_of_range(request: HttpRequest, exc: Any) -> HttpResponse:
        # The last line of defence: the schema types (core/schema_types.py) bound every input,
        # so reaching this is a gap in them, logged (and failed by the API fuzz test). The
        # client still gets an honest answer: a value the database or Python cannot hold is
        # bad input, not a server error. Nothing was written (the service's transaction, or
        # the statement itself, failed).
        logger.warning(
            "out-of-range input reached %s: %s: %s",
            request.path,
            type(exc).__name__,
            exc,
        )
        return api.create_response(
            request,
            error_body(gettext("Invalid input: a value is out of range.")),
            status=422,
        )

    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(DataError, on_out_of_range)
    api.add_exception_handler(OverflowError, on_out_of_range)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)


class PageQuery(Schema):
    limit: int = Field(
        settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
    )
    offset: Count = 0


class Pagination(LimitOffsetPagination):
    """`limit`/`offset` in, `{"items": [...], "count": N}` out (API.md). The offset is bounded
    (an offset beyond bigint was a database error, a 500)."""

    Input = PageQuery  # type: ignore[assignment]


# --- errors in the OpenAPI schema ---------------------------------------------------------


class ErrorItem(Schema):
    field: str = Field(description="the input at fault (dotted path); empty for the whole request")
    message: str


class ErrorOut(Schema):
    """Every 4xx answer: a sentence and field-level errors (some add context, e.g. `booking_id`)."""

    detail: str
    errors: list[ErrorItem]


_ERROR_DESCRIPTIONS = {
    400: "The request cannot be carried out as asked (nothing was written)",
    401: "No valid API key",
    403: "The key's user's role does not allow this",
    404: "The object, or an object the request names, is not in this organization",
    409: "The object's current state forbids the change",
    422: "Invalid input (field-level errors)",
}
_WRITES = {"post", "put", "patch", "delete"}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error answers an operation can give, by rule (a test holds every operation to them,
    and the API fuzz test checks no other status is ever answered):
    every operation needs a key (401); one that takes input can get it wrong (422); one with a
    path parameter can name a missing object (404); a write goes through a service, which can
    refuse (400), check the role (403), not find an object the body names (404) or find the
    state changed (409). A read that can refuse more declares it with
    `openapi_extra={"x-errors": [...]}`."""
    statuses = {401}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if "{" in path:
        statuses.add(404)
    if method in _WRITES:
        statuses |= {400, 403, 404, 409}
    statuses |= set(operation.pop("x-errors", ()))
    return statuses


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses (with the error schema) to every operation of an OpenAPI dict."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorOut"] = error_schema
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, path, operation)):
                if status in responses or str(status) in responses:
                    continue
                responses[status] = {
                    "description": _ERROR_DESCRIPTIONS[status],
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                    },
                }
    return schema


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
