"""Sales receipts: what was sold to a client and how it was paid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError
from zapys.core.text import clean_line
from zapys.ledger.models import (
    Entry,
    PaymentType,
    SalesReceipt,
    SalesReceiptLine,
    SalesReceiptPayment,
)
from zapys.ledger.services.checks import (
    actor_user_id,
    cause_fields,
    check_same_org,
    validate_amount,
)
from zapys.ledger.services.operations import check_linked_entry

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization


@transaction.atomic
def sales_receipt_create(
    *,
    organization: Organization,
    branch: Branch,
    client: Any,
    lines: Sequence[tuple[str, int] | tuple[str, int, Entry | None]],
    payments: Sequence[tuple[PaymentType, int] | tuple[PaymentType, int, Entry | None]],
    actor: Actor,
    cause: Model | None = None,
) -> SalesReceipt:
    """A receipt of one sale: what was sold (lines) and how it was paid (payments, which
    may be fewer than the total when sold on credit).

    A line may name the ledger entry that charged it, `(name, amount, entry)`, and a
    payment the entry of the money, `(payment_type, amount, entry)`; cancelling the entry
    cancels the line or payment. Links are given, never guessed (see `ledger.money`)."""
    if not lines:
        raise DomainError(_("A receipt needs at least one line."), field="lines")
    if branch is None:
        raise DomainError(_("Choose a branch."), field="branch_id")
    check_same_org(organization.pk, branch, client, cause)
    line_rows: list[tuple[str, int, Entry | None]] = [
        (clean_line(str(row[0])), row[1], row[2] if len(row) > 2 else None)  # type: ignore[misc]
        for row in lines
    ]
    payment_rows: list[tuple[PaymentType, int, Entry | None]] = [
        (row[0], row[1], row[2] if len(row) > 2 else None)  # type: ignore[misc]
        for row in payments
    ]
    for name, amount, line_entry in line_rows:
        if not name:
            raise DomainError(_("Every line needs a name."), field="lines")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise DomainError(_("Line amounts are whole, non-negative kopecks."), field="lines")
        if line_entry is not None:
            check_linked_entry(organization.pk, line_entry, kind=line_entry.kind, field="lines")
    for payment_type, amount, payment_entry in payment_rows:
        validate_amount(amount, field="payments")
        check_same_org(organization.pk, payment_type)
        if payment_entry is not None:
            check_linked_entry(
                organization.pk, payment_entry, kind=Entry.Kind.DEBIT, field="payments"
            )
    total = sum(a for _n, a, _e in line_rows)
    paid = sum(a for _p, a, _e in payment_rows)
    if paid > total:
        raise DomainError(_("The payments exceed the receipt's total."), field="payments")
    cause_type, cause_id = cause_fields(cause)
    receipt = SalesReceipt.objects.for_org(organization).create(
        organization=organization,
        branch=branch,
        client=client,
        total=total,
        paid=paid,
        cause_type=cause_type,
        cause_id=cause_id,
        created_by_id=actor_user_id(actor),
        created_by_label=actor.label[:200],
        created_at=timezone.now(),
    )
    SalesReceiptLine.objects.for_org(organization).bulk_create(
        [
            SalesReceiptLine(
                organization=organization, receipt=receipt, name=str(n)[:300], amount=a, entry=e
            )
            for n, a, e in line_rows
        ]
    )
    SalesReceiptPayment.objects.for_org(organization).bulk_create(
        [
            SalesReceiptPayment(
                organization=organization, receipt=receipt, payment_type=p, amount=a, entry=e
            )
            for p, a, e in payment_rows
        ]
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="ledger.receipt_create",
        obj=receipt,
        changes={"total": [None, total], "paid": [None, paid]},
    )
    return receipt
