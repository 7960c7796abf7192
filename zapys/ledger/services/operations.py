"""Financial operations: money that came into or went out of a branch's till."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model

from zapys.core.audit import Actor
from zapys.core.stored_text import TextOrStored
from zapys.ledger.models import Entry, FinanceArticle, FinancialOperation, PaymentType
from zapys.ledger.services.writer import LedgerWrite, check_linked_entry

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization

__all__ = ["check_linked_entry", "financial_operation_create"]


def financial_operation_create(
    *,
    organization: Organization,
    branch: Branch,
    kind: str,
    amount: int,
    actor: Actor,
    article: FinanceArticle | None = None,
    payment_type: PaymentType | None = None,
    cause: Model | None = None,
    client: Any = None,
    comment: TextOrStored = "",
    entry: Entry | None = None,
    write: LedgerWrite | None = None,
) -> FinancialOperation:
    """Record money that came in (income) or went out (expense) of a branch.

    `entry` is the client's ledger entry this money is (a payment for income, a refund
    for expense): cancelling the entry cancels the operation. The link is always given,
    never guessed (`ledger.money` records entry and operation together); an operation
    without an entry is the till's own (rent, supplies). Checked before anything is
    written; with `write`, only queued in the caller's `LedgerWrite`."""
    mine = write is None
    if write is None:
        write = LedgerWrite(organization=organization, actor=actor)
    operation = write.operation(
        branch=branch,
        kind=kind,
        amount=amount,
        article=article,
        payment_type=payment_type,
        cause=cause,
        client=client,
        comment=comment,
        entry=entry,
    )
    if mine:
        with transaction.atomic(savepoint=False):
            write.save()
    return operation
