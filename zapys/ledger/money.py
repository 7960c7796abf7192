"""Money in and money out: the one recipe every way of getting paid uses (DESIGN rule 13).

Money that reaches a client's account is three facts written together, in one transaction:
- the ledger entry on the client's account (a DEBIT raises the balance; a refund is a CREDIT),
- the financial operation of the branch's till (income / expense) — linked to that entry,
- the sales receipt: what was sold (a deposit line, or the lines of what the money paid for)
  and how it was paid (one receipt payment, linked to that entry).
The links are explicit (the entry is passed, never looked up by "same cause and amount"), so
cancelling the entry cancels exactly its operation and its receipt payment, and nothing else.

One rule decides where the money lands, whoever calls: the branch given, else the
organization's first active branch (operations and receipts belong to a branch; with no branch
at all only the entry is written); the payment type given, else the branch's default for the
method ("online" for provider payments). Apps (top-ups, prepayments, memberships, and the next
purposes) call these two functions and never build ledger rows themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.stored_text import TextOrStored
from zapys.ledger import services
from zapys.ledger.hooks import MoneyMoved, money_moved_dispatch
from zapys.ledger.models import (
    Account,
    Entry,
    FinanceArticle,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
    SalesReceiptPayment,
)
from zapys.ledger.services.writer import LedgerWrite


@dataclass(frozen=True)
class SoldLine:
    """A receipt line the money pays for: its name, amount and, when the sale charged the
    client's account, that charge entry (so cancelling the charge shows on the receipt).
    The name is text as typed (a service or plan the salon named: data) or a `StoredText`
    the system wrote ("Balance top-up"), read in each reader's language."""

    name: TextOrStored
    amount: int
    charge: Entry | None = None


@dataclass(frozen=True)
class MoneyRecorded:
    """What one movement of money wrote. `operation` and `receipt` are None when the
    organization has no branch (nowhere for a till operation to live)."""

    entry: Entry
    operation: FinancialOperation | None
    receipt: SalesReceipt | None
    branch: Branch | None
    payment_type: PaymentType | None


def money_branch(organization: Any, branch: Branch | None) -> Branch | None:
    """Where money lands when the caller has no branch: the first active one."""
    if branch is not None:
        return branch
    return Branch.objects.for_org(organization).filter(is_active=True).order_by("id").first()


def _article(organization: Any, article: FinanceArticle | str) -> FinanceArticle:
    if isinstance(article, FinanceArticle):
        return article
    return services.finance_article_for(organization=organization, code=article)


def _payment_type(
    organization: Any, branch: Branch | None, payment_type: PaymentType | None, method: str
) -> PaymentType | None:
    if payment_type is not None:
        if branch is not None and payment_type.branch_id != branch.pk:
            raise DomainError(
                _("This payment method belongs to another branch."), field="payment_type_id"
            )
        return payment_type
    if branch is None:
        return None
    return services.payment_type_for(organization=organization, branch=branch, method=method)


def _where(
    organization: Any, branch: Branch | None, payment_type: PaymentType | None, method: str
) -> tuple[Branch | None, PaymentType | None]:
    """The one rule for where money lands (see the module doc)."""
    branch = money_branch(organization, branch if branch is not None else _branch_of(payment_type))
    return branch, _payment_type(organization, branch, payment_type, method)


def _entry_and_operation(
    write: LedgerWrite,
    *,
    client: Any,
    kind: str,
    purpose: str,
    amount: int,
    article: FinanceArticle | str,
    cause: Model | None,
    comment: TextOrStored,
    branch: Branch | None,
    payment_type: PaymentType | None,
    method: str,
    account: Account | None,
) -> MoneyRecorded:
    """The client's entry and, when the money has a till, the till's operation linked to it:
    income for a DEBIT (money in), expense for a CREDIT (money out) — queued in `write`."""
    organization = client.organization
    branch, payment_type = _where(organization, branch, payment_type, method)
    article_row = _article(organization, article)  # an unknown code fails before any write
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
    if branch is None or payment_type is None:
        return MoneyRecorded(entry, None, None, branch, payment_type)
    operation = write.operation(
        branch=branch,
        kind=(
            FinancialOperation.Kind.INCOME
            if kind == Entry.Kind.DEBIT
            else FinancialOperation.Kind.EXPENSE
        ),
        amount=amount,
        article=article_row,
        payment_type=payment_type,
        cause=cause,
        client=client,
        comment=comment,
        entry=entry,
    )
    return MoneyRecorded(entry, operation, None, branch, payment_type)


def _writer(write: LedgerWrite | None, organization: Any, actor: Actor) -> LedgerWrite:
    return write if write is not None else LedgerWrite(organization=organization, actor=actor)


def _save_if_mine(write: LedgerWrite, given: LedgerWrite | None) -> None:
    """Write what was queued: in one transaction of its own when the caller gave no
    `LedgerWrite` (no savepoint inside the caller's), else the caller saves."""
    if given is None:
        with transaction.atomic(savepoint=False):
            write.save()


def money_received_record(
    *,
    client: Any,
    amount: int,
    purpose: str,
    article: FinanceArticle | str,
    actor: Actor,
    cause: Model | None,
    comment: TextOrStored,
    deposit_line: TextOrStored = "",
    sold: Sequence[SoldLine] = (),
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
    method: str = PaymentType.Method.ONLINE,
    account: Account | None = None,
    write: LedgerWrite | None = None,
) -> MoneyRecorded:
    """Money came in for `client`: a DEBIT entry (`purpose`), an income operation under
    `article` (an article or a registered code) and a receipt whose lines are `sold`, or one
    line named `deposit_line` when the money only raises the balance. Everything is checked
    before anything is written; with `write`, the rows are queued in the caller's
    `LedgerWrite` and written by its `save()` (the returned objects get their ids then)."""
    if not sold and not deposit_line:
        raise ValueError("A receipt line is needed: pass `sold` or `deposit_line`.")
    given, write = write, _writer(write, client.organization, actor)
    money = _entry_and_operation(
        write,
        client=client,
        kind=Entry.Kind.DEBIT,
        purpose=purpose,
        amount=amount,
        article=article,
        cause=cause,
        comment=comment,
        branch=branch,
        payment_type=payment_type,
        method=method,
        account=account,
    )
    if money.operation is None or money.branch is None or money.payment_type is None:
        _save_if_mine(write, given)
        return money
    lines = list(sold) or [SoldLine(deposit_line, amount)]
    receipt = write.receipt(
        branch=money.branch,
        client=client,
        lines=[(line.name, line.amount, line.charge) for line in lines],
        payments=[(money.payment_type, amount, money.entry)],
        cause=cause,
    )
    _moved(write, money.operation, "in", [(line.name, line.amount) for line in lines], actor)
    _save_if_mine(write, given)
    return MoneyRecorded(money.entry, money.operation, receipt, money.branch, money.payment_type)


def money_refunded_record(
    *,
    client: Any,
    amount: int,
    actor: Actor,
    cause: Model | None,
    comment: TextOrStored,
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
    method: str = PaymentType.Method.ONLINE,
    article: FinanceArticle | str = "refunds",
    account: Account | None = None,
    write: LedgerWrite | None = None,
) -> MoneyRecorded:
    """Money went back to `client`: a CREDIT entry "refund" and an expense operation linked
    to it (a refund has no receipt of its own). `write` as for `money_received_record`."""
    given, write = write, _writer(write, client.organization, actor)
    money = _entry_and_operation(
        write,
        client=client,
        kind=Entry.Kind.CREDIT,
        purpose=Entry.Purpose.REFUND,
        amount=amount,
        article=article,
        cause=cause,
        comment=comment,
        branch=branch,
        payment_type=payment_type,
        method=method,
        account=account,
    )
    if money.operation is not None:
        _moved(write, money.operation, "out", [], actor)
    _save_if_mine(write, given)
    return money


@dataclass(frozen=True)
class Received:
    """One way the money of a sale came in (cash, card, online) and how much of it."""

    amount: int
    method: str = PaymentType.Method.ONLINE
    payment_type: PaymentType | None = None


def money_received_many(
    *,
    client: Any,
    received: Sequence[Received],
    purpose: str,
    article: FinanceArticle | str,
    actor: Actor,
    cause: Model | None,
    comment: TextOrStored,
    sold: Sequence[SoldLine],
    branch: Branch | None = None,
    account: Account | None = None,
    write: LedgerWrite | None = None,
) -> list[MoneyRecorded]:
    """Money for one sale came in several ways at once (part cash, part card at the desk):
    per way a DEBIT entry and the till's income operation linked to it, as
    `money_received_record` writes them, and ONE receipt with the `sold` lines and a payment
    per way, each linked to its entry. Every way lands in the same branch. `write` as for
    `money_received_record` (the checkout passes its own: one INSERT per table)."""
    if not received or not sold:
        raise ValueError("A sale needs at least one way of paying and one receipt line.")
    given, write = write, _writer(write, client.organization, actor)
    article_row = _article(client.organization, article)  # looked up once for every way
    recorded: list[MoneyRecorded] = []
    for way in received:
        money = _entry_and_operation(
            write,
            client=client,
            kind=Entry.Kind.DEBIT,
            purpose=purpose,
            amount=way.amount,
            article=article_row,
            cause=cause,
            comment=comment,
            branch=branch,
            payment_type=way.payment_type,
            method=way.method,
            account=account,
        )
        branch = money.branch  # the next ways land where the first did
        recorded.append(money)
    if any(m.operation is None or m.payment_type is None for m in recorded) or branch is None:
        _save_if_mine(write, given)
        return recorded  # no branch: the entries only, as money_received_record does
    lines = [(line.name, line.amount) for line in sold]
    receipt = write.receipt(
        branch=branch,
        client=client,
        lines=[(line.name, line.amount, line.charge) for line in sold],
        payments=[(m.payment_type, m.entry.amount, m.entry) for m in recorded],  # type: ignore[misc]
        cause=cause,
    )
    for money in recorded:
        assert money.operation is not None
        _moved(write, money.operation, "in", lines, actor)
    _save_if_mine(write, given)
    return [
        MoneyRecorded(m.entry, m.operation, receipt, m.branch, m.payment_type) for m in recorded
    ]


def _moved(
    write: LedgerWrite,
    operation: FinancialOperation,
    direction: str,
    lines: list[tuple[TextOrStored, int]],
    actor: Actor,
) -> None:
    """Tell the apps that act on till movements (ledger.hooks.on_money_moved), once the
    operation is written: a fiscal receipt is asked for in this same transaction. The lines'
    names go as given (a `StoredText` too): the fiscal receipt puts them into Ukrainian."""
    moved = MoneyMoved(operation, direction, tuple(lines), actor)
    write.after_rows(lambda: money_moved_dispatch(moved))


def _branch_of(payment_type: PaymentType | None) -> Branch | None:
    return payment_type.branch if payment_type is not None else None


# --- Money before there is a client ----------------------------------------------------
# An online sale paid by a stranger (the buyer becomes a client only when someone activates
# the purchase): the till and the receipt have the money at once; the client's account gets
# it when the client is known. Assigning writes the entry and links the existing operation
# and receipt payment to it — the money is counted once, in every report, before and after.


@dataclass(frozen=True)
class UnassignedMoney:
    operation: FinancialOperation
    receipt: SalesReceipt
    receipt_payment: SalesReceiptPayment


def money_received_unassigned(
    *,
    organization: Any,
    amount: int,
    article: FinanceArticle | str,
    actor: Actor,
    cause: Model | None,
    comment: TextOrStored,
    sold: Sequence[SoldLine],
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
    method: str = PaymentType.Method.ONLINE,
) -> UnassignedMoney:
    """Money came in for no client yet: the income operation and the receipt, no entry."""
    branch, payment_type = _where(organization, branch, payment_type, method)
    if branch is None or payment_type is None:
        raise DomainError(_("Create a branch first."), field="branch_id")
    write = LedgerWrite(organization=organization, actor=actor)
    operation = write.operation(
        branch=branch,
        kind=FinancialOperation.Kind.INCOME,
        amount=amount,
        article=_article(organization, article),
        payment_type=payment_type,
        cause=cause,
        comment=comment,
    )
    operation.client_money = True  # a client's money, not the till's own: the reports count it
    receipt = write.receipt(
        branch=branch,
        client=None,
        lines=[(line.name, line.amount, line.charge) for line in sold],
        payments=[(payment_type, amount, None)],
        cause=cause,
    )
    _moved(write, operation, "in", [(line.name, line.amount) for line in sold], actor)
    with transaction.atomic(savepoint=False):
        write.save()
    return UnassignedMoney(operation, receipt, receipt.written_payments[0])  # type: ignore[attr-defined]


@transaction.atomic
def money_assign_to_client(
    *,
    money: UnassignedMoney,
    client: Any,
    purpose: str,
    actor: Actor,
    cause: Model | None,
    comment: TextOrStored,
    account: Account | None = None,
) -> Entry:
    """The buyer is known now: the money lands on `client`'s account as a DEBIT entry, and the
    operation and receipt payment recorded when it arrived are linked to it (not recorded
    again). Assigning the same money twice is a Conflict and changes nothing."""
    org_id = money.operation.organization_id
    if client.organization_id != org_id:
        raise DomainError(_("An object of another organization was given."), field="client_id")
    claimed = (
        FinancialOperation.objects.for_org(org_id)
        .select_for_update()
        .filter(pk=money.operation.pk, entry__isnull=True, status=FinancialOperation.Status.ACTIVE)
        .first()
    )
    if claimed is None:
        raise Conflict(_("This money is already on a client's balance."))
    write = LedgerWrite(organization=client.organization, actor=actor)
    entry = write.entry(
        client=client,
        kind=Entry.Kind.DEBIT,
        amount=claimed.amount,
        purpose=purpose,
        account=account,
        cause=cause,
        comment=comment,
        branch=claimed.branch,
        payment_type=claimed.payment_type,
    )
    # The money came in when it arrived, not when someone attached it: the reports counted it
    # on that day before (the operation) and count it on the same day after (the entry).
    entry.created_at = claimed.created_at
    write.save()  # the entry and its audit row (this function's is written below)
    FinancialOperation.objects.for_org(org_id).filter(pk=claimed.pk).update(
        entry=entry, client=client
    )
    SalesReceiptPayment.objects.for_org(org_id).filter(
        pk=money.receipt_payment.pk, entry__isnull=True
    ).update(entry=entry)
    SalesReceipt.objects.for_org(org_id).filter(pk=money.receipt.pk, client__isnull=True).update(
        client=client
    )
    audit_record(
        organization=client.organization,
        actor=actor,
        action="ledger.money_assigned",
        obj=claimed,
        changes={"client": [None, client.pk], "entry": [None, entry.pk]},
    )
    return entry


@transaction.atomic
def money_unassigned_cancel(*, money: UnassignedMoney, actor: Actor, reason: str) -> bool:
    """Money that arrived for no client went back (an online sale refunded before anyone
    attached it): its income operation and receipt payment are cancelled, kept and struck
    through, as a cancelled entry's are. False when it was assigned or cancelled already
    (then the client's entry is what to cancel)."""
    org_id = money.operation.organization_id
    now = timezone.now()
    active, cancelled = FinancialOperation.Status.ACTIVE, FinancialOperation.Status.CANCELLED
    won = (
        FinancialOperation.objects.for_org(org_id)
        .filter(pk=money.operation.pk, entry__isnull=True, status=active)
        .update(status=cancelled, cancelled_at=now, cancel_reason=reason[:500])
    )
    if not won:
        return False
    paid = money.receipt_payment
    if (
        SalesReceiptPayment.objects.for_org(org_id)
        .filter(pk=paid.pk, status=active)
        .update(status=cancelled, cancelled_at=now)
    ):
        SalesReceipt.objects.for_org(org_id).filter(pk=paid.receipt_id).update(
            paid=F("paid") - paid.amount
        )
    audit_record(
        organization=money.operation.organization,
        actor=actor,
        action="ledger.money_unassigned_cancel",
        obj=money.operation,
        changes={"status": ["active", "cancelled"], "reason": [None, reason]},
    )
    money_moved_dispatch(MoneyMoved(money.operation, "out", (), actor))
    return True
