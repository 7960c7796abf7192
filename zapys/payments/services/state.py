"""The payment state machine's one move (DESIGN rule 7): a status changes only through `_move`,
a conditional UPDATE whose row count says whether it won, and each transition leaves the same
audit row. Shared by every other module of the package."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.core.models import AuditLog
from zapys.payments import sql
from zapys.payments.models import Payment
from zapys.payments.providers import ProviderEvent

S = Payment.Status
OPEN_STATUSES = (S.CREATED, S.PENDING)
PAID_STATUSES = (S.SUCCEEDED, S.PARTIALLY_REFUNDED)


def _scoped(payment: Payment) -> models.QuerySet[Payment]:
    return Payment.objects.for_org(payment.organization).filter(pk=payment.pk)


def _move(payment: Payment, *, to: str, allowed: Iterable[str], **fields: Any) -> bool:
    """The one way a payment's status changes: UPDATE ... WHERE status IN (allowed)."""
    now = timezone.now()
    changed = sql.update(
        Payment,
        {"status": to, "updated_at": now, **fields},
        {"id": payment.pk, "organization_id": payment.organization_id},
        where_in=("status", list(allowed)),
    )
    if changed != 1:
        return False
    payment.status = to
    payment.updated_at = now
    for name, value in fields.items():
        setattr(payment, name, value)
    return True


def _audit_transition(payment: Payment, actor: Actor, action: str, status: str) -> None:
    """The audit row of a status transition: the row `core.audit.audit_record` writes,
    inserted with `sql.insert` (a transition is on every callback's path; `save()` would
    compile an INSERT each time)."""
    sql.insert(
        AuditLog(
            organization_id=payment.organization_id,
            actor_kind=actor.kind,
            actor_user_id=actor.user.pk if actor.user is not None else None,
            actor_label=actor.label[:200],
            action=action,
            object_type=payment._meta.label_lower,
            object_id=str(payment.pk),
            object_repr=str(payment)[:300],
            # where it went, one value: the UPDATE moved it from any of the allowed
            # statuses, so a "before" would be a guess (it read "Status: — → Paid")
            changes={"status": str(status)},
        )
    )


def _provider_fields(event: ProviderEvent | None) -> dict[str, Any]:
    if event is None:
        return {}
    return {
        "provider_payment_id": event.provider_payment_id[:100],
        "provider_status": event.provider_status[:40],
    }
