"""Sales receipts: what was sold to a client and how it was paid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model

from zapys.core.audit import Actor
from zapys.core.stored_text import TextOrStored
from zapys.ledger.models import Entry, PaymentType, SalesReceipt
from zapys.ledger.services.writer import LedgerWrite

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization


def sales_receipt_create(
    *,
    organization: Organization,
    branch: Branch,
    client: Any,
    lines: Sequence[tuple[TextOrStored, int] | tuple[TextOrStored, int, Entry | None]],
    payments: Sequence[tuple[PaymentType, int] | tuple[PaymentType, int, Entry | None]],
    actor: Actor,
    cause: Model | None = None,
    write: LedgerWrite | None = None,
) -> SalesReceipt:
    """A receipt of one sale: what was sold (lines) and how it was paid (payments, which
    may be fewer than the total when sold on credit).

    A line's name is text as typed or a `StoredText` the system wrote (see
    `LedgerWrite.receipt`). A line may name the ledger entry that charged it, `(name, amount, entry)`, and a
    payment the entry of the money, `(payment_type, amount, entry)`; cancelling the entry
    cancels the line or payment. Links are given, never guessed (see `ledger.money`).
    Checked before anything is written; with `write`, only queued in the caller's
    `LedgerWrite`."""
    mine = write is None
    if write is None:
        write = LedgerWrite(organization=organization, actor=actor)
    receipt = write.receipt(
        branch=branch, client=client, lines=lines, payments=payments, cause=cause
    )
    if mine:
        with transaction.atomic(savepoint=False):
            write.save()
    return receipt
