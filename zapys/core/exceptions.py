"""Domain errors raised by services; the API and views turn them into field-level errors."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out as asked. Nothing was written.

    `field` names the input at fault (for field-level errors); `status` is the HTTP
    status the API answers with (400 bad input, 409 conflict with the current state).
    """

    status = 400

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
        status: int | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or ([{"field": field, "message": detail}] if field else [])
        if status is not None:
            self.status = status
        self.extra = extra or {}


class Conflict(DomainError):
    """The object's current state forbids the change (e.g. an entry already cancelled)."""

    status = 409


class PermissionDenied(DomainError):
    """The actor's role does not allow this action."""

    status = 403


class NotFound(DomainError):
    status = 404
