"""Entries on a client's account: inserted, never changed but for one cancellation.

`entry_cancel` is a conditional UPDATE (`WHERE status = 'active'`), so two people
cancelling at once cannot both win. A cancelled entry takes with it what it caused outside
the ledger: the financial operation recorded for that money, and the sales receipt's
payment (or line) it stands for, in the same transaction (see the package's doc).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError, PermissionDenied
from zapys.core.stored_text import TextOrStored
from zapys.core.text import clean_line
from zapys.ledger.hooks import entry_cancelled_dispatch
from zapys.ledger.models import (
    Account,
    Entry,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
    SalesReceiptLine,
    SalesReceiptPayment,
)
from zapys.ledger.services.checks import actor_user_id, cause_fields
from zapys.ledger.services.writer import LedgerWrite

if TYPE_CHECKING:
    from zapys.accounts.models import Branch


CANCEL_ROLES = ("owner", "administrator")

#: Money received that the client paid in some way (cash, card, a terminal): the way is asked
#: of whoever records it by hand.
PAID_BY_CLIENT = (
    Entry.Purpose.PAYMENT,
    Entry.Purpose.TOP_UP,
    Entry.Purpose.PREPAYMENT,
    Entry.Purpose.INVOICE_PAYMENT,
)


def entry_create(
    *,
    client: Any,
    kind: str,
    amount: int,
    purpose: str,
    actor: Actor,
    account: Account | None = None,
    cause: Model | None = None,
    comment: TextOrStored = "",
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
    write: LedgerWrite | None = None,
) -> Entry:
    """Append one entry. Debit = money in (raises the balance); credit = a charge.

    Checked before anything is written; then one transaction (no savepoint inside the
    caller's). With `write`, the entry is only queued in the caller's `LedgerWrite`, whose
    `save()` writes it (with its id then) beside the caller's other rows."""
    mine = write is None
    if write is None:
        write = LedgerWrite(organization=client.organization, actor=actor)
    entry = write.entry(
        client=client,
        kind=kind,
        amount=amount,
        purpose=purpose,
        account=account,
        cause=cause,
        comment=comment,
        branch=branch,
        payment_type=payment_type,
    )
    if mine:
        with transaction.atomic(savepoint=False):
            write.save()
    return entry


def entry_record_by_staff(
    *,
    client: Any,
    kind: str,
    amount: int,
    purpose: str,
    actor: Actor,
    account: Account | None = None,
    comment: TextOrStored = "",
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
) -> Entry:
    """An entry a person adds by hand on the client's «Додати запис». Money received that the client paid (`PAID_BY_CLIENT`)
    must say how: without a payment method it reached no till and no day's report (fifth
    tour: «Спосіб оплати: Не вказано»), so it is refused on `payment_type_id`, nothing
    written. A correction, an opening balance, "other" and every charge need none. The
    system's own money paths — a provider's callback (online), a prepayment paid from the
    balance, the checkout — write through `entry_create` and `ledger.money` with the way
    they know, and are not asked."""
    if kind == Entry.Kind.DEBIT and purpose in PAID_BY_CLIENT and payment_type is None:
        raise DomainError(_("Choose how the client paid."), field="payment_type_id")
    return entry_create(
        client=client,
        kind=kind,
        amount=amount,
        purpose=purpose,
        actor=actor,
        account=account,
        comment=comment,
        branch=branch,
        payment_type=payment_type,
    )


@transaction.atomic
def entry_cancel(*, entry: Entry, actor: Actor, reason: str = "") -> Entry:
    """Mark an entry cancelled: it stays in the ledger, excluded from balances and reports.
    What it caused is cancelled with it (see the module doc): the financial operations
    recorded for it, and the receipt payments and lines that stand for it. 409 if it was
    cancelled already (including by someone else a moment ago)."""
    if actor.user is not None and getattr(actor.user, "role", "owner") not in CANCEL_ROLES:
        raise PermissionDenied(_("Only an owner or an administrator can cancel entries."))
    now = timezone.now()
    reason = clean_line(reason)
    org_id = entry.organization_id
    changed = (
        Entry.objects.for_org(org_id)
        .filter(pk=entry.pk)
        .cancel_active(cancelled_at=now, cancelled_by_id=actor_user_id(actor), reason=reason)
    )
    if changed != 1:
        raise Conflict(_("This entry is already cancelled."), field="status")
    fresh = Entry.objects.for_org(org_id).get(pk=entry.pk)
    changes: dict[str, Any] = {"status": ["active", "cancelled"], "reason": [None, reason]}
    changes.update(_cancel_caused_by(fresh, now=now, reason=reason))
    # What the entry stands for in the apps above the ledger (a membership sale...).
    changes.update(entry_cancelled_dispatch(fresh, actor=actor, reason=reason))
    audit_record(
        organization=fresh.organization,
        actor=actor,
        action="ledger.entry_cancel",
        obj=fresh,
        changes=changes,
    )
    return fresh


def _cancel_caused_by(entry: Entry, *, now: Any, reason: str) -> dict[str, Any]:
    """Cancel the operations, receipt payments and receipt lines linked to a cancelled
    entry; each with a conditional UPDATE (`WHERE status = 'active'`). Returns what changed,
    for the entry's audit row."""
    org_id = entry.organization_id
    active = FinancialOperation.Status.ACTIVE
    cancelled = FinancialOperation.Status.CANCELLED
    changes: dict[str, Any] = {}
    ops = FinancialOperation.objects.for_org(org_id).filter(entry_id=entry.pk, status=active)
    op_ids = sorted(ops.values_list("pk", flat=True))
    if op_ids:
        FinancialOperation.objects.for_org(org_id).filter(pk__in=op_ids, status=active).update(
            status=cancelled, cancelled_at=now, cancel_reason=reason[:500]
        )
        changes["operations_cancelled"] = op_ids
    for model, column, key in (
        (SalesReceiptPayment, "paid", "receipt_payments_cancelled"),
        (SalesReceiptLine, "total", "receipt_lines_cancelled"),
    ):
        rows = list(
            model.objects.for_org(org_id)
            .filter(entry_id=entry.pk, status=active)
            .values_list("pk", "receipt_id", "amount")
            .order_by("pk")
        )
        done = []
        for pk, receipt_id, amount in rows:
            won = (
                model.objects.for_org(org_id)
                .filter(pk=pk, status=active)
                .update(status=cancelled, cancelled_at=now)
            )
            if won:
                SalesReceipt.objects.for_org(org_id).filter(pk=receipt_id).update(
                    **{column: F(column) - amount}
                )
                done.append({"id": pk, "receipt": receipt_id, "amount": amount})
        if done:
            changes[key] = done
    return changes


@transaction.atomic
def entries_cancel_for_cause(*, cause: Model, actor: Actor, reason: str = "") -> int:
    """Cancel every active entry caused by `cause` (e.g. a membership sale undone)."""
    cause_type, cause_id = cause_fields(cause)
    org_id = cause.organization_id  # type: ignore[attr-defined]
    entries = list(
        Entry.objects.for_org(org_id).filter(
            cause_type=cause_type, cause_id=cause_id, status=Entry.Status.ACTIVE
        )
    )
    for entry in entries:
        entry_cancel(entry=entry, actor=actor, reason=reason)
    return len(entries)
