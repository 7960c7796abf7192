"""The transitions a payment makes — succeeded, failed, expired — each a conditional move
(`state._move`), then the purpose's step, then the audit row; and what happens when the
purpose's step raises (`PurposeFailed`): the payment still moves as the provider said, held
for review, with nothing the purpose half-wrote kept.

The private `_succeed/_fail/_expire` run inside a caller's transaction (the callback path's,
one transaction without a savepoint per step); `payment_succeed/fail/expire` are the public
services, each its own transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.payments import sql
from zapys.payments.models import Payment
from zapys.payments.providers import ProviderEvent
from zapys.payments.purposes import purpose_find
from zapys.payments.services.review import payment_hold
from zapys.payments.services.state import (
    OPEN_STATUSES,
    S,
    _audit_transition,
    _move,
    _provider_fields,
)

logger = logging.getLogger(__name__)


def payment_succeed(*, payment: Payment, actor: Actor, event: ProviderEvent | None = None) -> bool:
    """Money arrived. Also from failed/expired: a late success still credits the client."""
    try:
        with transaction.atomic():
            return _succeed(payment, actor, event)
    except PurposeFailed as failure:
        return _after_purpose_failure(payment, actor, failure, status="succeeded", event=event)


def payment_fail(*, payment: Payment, actor: Actor, event: ProviderEvent | None = None) -> bool:
    try:
        with transaction.atomic():
            return _fail(payment, actor, event)
    except PurposeFailed as failure:
        return _after_purpose_failure(payment, actor, failure, status="failed", event=event)


def payment_expire(*, payment: Payment, actor: Actor) -> bool:
    """The link's time ran out unpaid; the handler's `on_failed` sees status `expired`."""
    try:
        with transaction.atomic():
            return _expire(payment, actor)
    except PurposeFailed as failure:
        return _after_purpose_failure(payment, actor, failure, status="expired", event=None)


class PurposeFailed(Exception):
    """A purpose's transition raised. Raised out of the transition's transaction so that all
    of it — the purpose's half-written rows included — rolls back; the caller then records
    what happened in a fresh one (`_after_purpose_failure`)."""

    def __init__(self, payment: Payment, step: str, error: Exception) -> None:
        super().__init__(f"{payment.purpose}.{step} failed on payment {payment.pk}: {error!r}")
        self.step = step
        self.error = error

    def reason(self) -> StoredText:
        """For the staff: what went wrong, in words (a DomainError says it, as it was
        raised; anything else is a bug, logged with its traceback, not shown)."""
        detail: str | StoredText = (
            str(self.error.detail)
            if isinstance(self.error, DomainError)
            else StoredText(gettext_noop("an internal error (logged for the developers)"))
        )
        return StoredText(
            gettext_noop(
                "The payment went through at the payment service, but Zapys could not apply it: "
                "%(detail)s Check the client's balance and apply it by hand."
            ),
            detail=detail,
        )


def _purpose_step(payment: Payment, step: str, *args: Any) -> None:
    """Run the payment's purpose transition (`on_succeeded`, `on_failed`, `on_refunded`).

    A payment whose purpose no installed app declares any more still moves; there is
    nothing else to do for it."""
    purpose = purpose_find(payment.purpose)
    if purpose is None:
        return
    # What a purpose stores (ledger comments, staff notifications, receipt lines) is the
    # organization's, whichever request or provider caused it: its language, not theirs.
    language = payment.organization.language or None
    try:
        with translation.override(language):
            getattr(purpose, step)(payment, *args)
    except Exception as exc:
        raise PurposeFailed(payment, step, exc) from exc


def _after_purpose_failure(
    payment: Payment,
    actor: Actor,
    failure: PurposeFailed,
    *,
    status: str,
    event: ProviderEvent | None,
) -> bool:
    """The transition's transaction rolled back because its purpose raised. Record what the
    provider said anyway — the payment moves to `status` without the purpose — hold it for
    review and tell the staff, so the money is neither lost nor applied twice."""
    logger.error("payments: %s", failure, exc_info=failure.error)
    with transaction.atomic():
        locked = sql.fetch_one(
            Payment, {"organization_id": payment.organization_id, "id": payment.pk}, for_update=True
        )
        if locked is None:  # pragma: no cover - the row was there a moment ago
            return False
        locked.organization, locked.account = payment.organization, payment.account
        moved = _move_without_purpose(locked, actor, status=status, event=event)
        payment_hold(payment=locked, reason=failure.reason(), actor=actor)
        payment.status, payment.held_for_review = locked.status, True
        payment.review_reason = locked.review_reason
    return moved


def _move_without_purpose(
    payment: Payment, actor: Actor, *, status: str, event: ProviderEvent | None
) -> bool:
    if status == "succeeded":
        moved = _move(
            payment,
            to=S.SUCCEEDED,
            allowed=[S.CREATED, S.PENDING, S.FAILED, S.EXPIRED],
            paid_at=timezone.now(),
            **_provider_fields(event),
        )
    elif status in ("failed", "expired"):
        moved = _move(payment, to=S(status), allowed=OPEN_STATUSES, **_provider_fields(event))
    else:  # a refund: the refund row stays pending until a person looks
        return False
    if moved:
        _audit_transition(payment, actor, f"payment.{status}", status)
    return moved


# The transitions themselves, for callers that already hold the transaction (and the
# payment's row lock): `payment_event_process` calls them directly, so a callback is one
# transaction without a savepoint per step. A failure anywhere rolls all of it back.


def _succeed(payment: Payment, actor: Actor, event: ProviderEvent | None) -> bool:
    moved = _move(
        payment,
        to=S.SUCCEEDED,
        allowed=[S.CREATED, S.PENDING, S.FAILED, S.EXPIRED],
        paid_at=timezone.now(),
        **_provider_fields(event),
    )
    if not moved:
        return False
    _purpose_step(payment, "on_succeeded", actor)
    _audit_transition(payment, actor, "payment.succeeded", S.SUCCEEDED)
    return True


def _fail(payment: Payment, actor: Actor, event: ProviderEvent | None) -> bool:
    if not _move(payment, to=S.FAILED, allowed=OPEN_STATUSES, **_provider_fields(event)):
        return False
    _purpose_step(payment, "on_failed", actor)
    _audit_transition(payment, actor, "payment.failed", S.FAILED)
    return True


def _expire(payment: Payment, actor: Actor) -> bool:
    if not _move(payment, to=S.EXPIRED, allowed=OPEN_STATUSES):
        return False
    _purpose_step(payment, "on_failed", actor)
    _audit_transition(payment, actor, "payment.expired", S.EXPIRED)
    return True
