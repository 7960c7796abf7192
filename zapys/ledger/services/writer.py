"""The ledger's statement-level writer: the rows of one write, checked, then inserted set-based.

Every ledger write — an entry, a till operation, a sales receipt with its lines and
payments, and the audit row of each — goes through a `LedgerWrite`:

1. the rows are *queued*: each one is checked as the services always checked it (amounts,
   kinds, one organization, links between the rows) and built in Python, nothing written;
   a refusal (`DomainError`) is raised here, before any write, so the caller's
   transaction is untouched and needs no savepoint to recover;
2. `save()` writes them, inside the caller's transaction (it asserts there is one — it
   never opens a savepoint): one INSERT per table for all the rows of that table
   (`ledger/sql.py`), the foreign keys between them filled from the ids just returned;
   then the apps that act on till movements are told (`ledger.hooks.on_money_moved`);
   then ALL the audit rows in one INSERT — the ledger's, and any another service queued
   with `audit` / `audit_add` for the same transaction (the checkout's, the arrival's).

Nothing just written is read back: the objects returned carry their ids. The public
services (`entry_create`, `financial_operation_create`, `sales_receipt_create`,
`ledger.money`) are thin: queue, then `save()` in `transaction.atomic(savepoint=False)` —
one transaction when called alone, no savepoint when called inside another. A service that
writes several ledger facts at once (the checkout: the charge, the money, the receipt) passes
its own `LedgerWrite` to them and saves once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_row
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.core.stored_text import TextOrStored, text_split
from zapys.core.text import clean_line, strip_control
from zapys.ledger.models import (
    Account,
    Entry,
    FinanceArticle,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
    SalesReceiptLine,
    SalesReceiptPayment,
)
from zapys.ledger.services.accounts import account_base_for
from zapys.ledger.services.checks import (
    actor_user_id,
    cause_fields,
    check_same_org,
    validate_amount,
)
from zapys.ledger.sql import insert_many

if TYPE_CHECKING:
    from zapys.accounts.models import Branch


def _comment(text: TextOrStored) -> tuple[str, dict[str, Any] | None]:
    """The comment's two columns (core.stored_text.text_split): the text, checked, and what
    renders a comment the system wrote in each reader's language."""
    shown, stored = text_split(text)
    comment = strip_control(shown).strip()  # see core.text: NUL breaks PostgreSQL, XLSX
    if len(comment) > 500:
        raise DomainError(_("The comment is too long (500 characters at most)."), field="comment")
    return comment, stored


def _line_name(name: TextOrStored) -> tuple[str, dict[str, Any] | None]:
    """A receipt line's two name columns, as a comment's: the text (one line, checked) and
    what renders a name the system wrote in each reader's language."""
    shown, stored = text_split(name)
    return clean_line(str(shown)), stored


class LedgerWrite:
    """The rows of one ledger write for one organization and actor (see the module doc).

    `organization=None` is a sweep's batch over several organizations (the due-fee job):
    entries only, each audit row in its entry's organization."""

    def __init__(self, *, organization: Any, actor: Actor) -> None:
        self.organization = organization
        self.actor = actor
        self.entries: list[Entry] = []
        self.operations: list[FinancialOperation] = []
        self.receipts: list[SalesReceipt] = []
        self.lines: list[SalesReceiptLine] = []
        self.payments: list[SalesReceiptPayment] = []
        # (action, object, changes) built after the insert (ids, reprs), or a ready row
        self._audit: list[tuple[str, Model, dict[str, Any]] | AuditLog] = []
        self._after_rows: list[Callable[[], None]] = []
        self.saved = False

    # --- queueing (checks only; nothing is written) -------------------------------------

    def entry(
        self,
        *,
        client: Any,
        kind: str,
        amount: int,
        purpose: str,
        account: Account | None = None,
        cause: Model | None = None,
        comment: TextOrStored = "",
        branch: Branch | None = None,
        payment_type: PaymentType | None = None,
    ) -> Entry:
        """An entry on the client's account. Debit = money in; credit = a charge. The
        client's base account is looked up when not given (pass it when you have it)."""
        if kind not in Entry.Kind.values:
            raise DomainError(
                f"Unknown kind {kind!r}: use {' or '.join(Entry.Kind.values)}.", field="kind"
            )
        if purpose not in Entry.Purpose.values:
            raise DomainError(f"Unknown purpose {purpose!r}.", field="purpose")
        validate_amount(amount)
        comment, comment_text = _comment(comment)
        check_same_org(client.organization_id, account, branch, payment_type, cause)
        if account is None:
            account = account_base_for(client=client)
        elif account.client_id != client.pk:
            raise DomainError(_("This balance belongs to another client."), field="account_id")
        if payment_type is not None and branch is None:
            branch = payment_type.branch
        cause_type, cause_id = cause_fields(cause)
        entry = Entry(
            organization_id=client.organization_id,
            account=account,
            client=client,
            kind=kind,
            amount=amount,
            purpose=purpose,
            comment=comment,
            comment_text=comment_text,
            cause_type=cause_type,
            cause_id=cause_id,
            branch=branch,
            payment_type=payment_type,
            created_by_id=actor_user_id(self.actor),
            created_by_label=self.actor.label[:200],
            created_at=timezone.now(),
        )
        self.entries.append(entry)
        self._audit.append(
            (
                "ledger.entry_create",
                entry,
                {
                    "kind": [None, kind],
                    "amount": [None, amount],
                    "purpose": [None, purpose],
                    "client": [None, client.pk],
                    "account": [None, account.pk],
                },
            )
        )
        return entry

    def operation(
        self,
        *,
        branch: Branch,
        kind: str,
        amount: int,
        article: FinanceArticle | None = None,
        payment_type: PaymentType | None = None,
        cause: Model | None = None,
        client: Any = None,
        comment: TextOrStored = "",
        entry: Entry | None = None,
    ) -> FinancialOperation:
        """Money into (income) or out of (expense) a branch's till; `entry` is the client's
        entry this money is (saved, or queued in this write)."""
        organization = self._one_organization()
        if kind not in FinancialOperation.Kind.values:
            raise DomainError(f"Unknown kind {kind!r}: use income or expense.", field="kind")
        validate_amount(amount)
        if branch is None:
            raise DomainError(_("Choose a branch."), field="branch_id")
        check_same_org(organization.pk, branch, article, payment_type, client, cause)
        if article is not None and article.kind != kind:
            raise DomainError(
                _("This category is for the other kind of operation."), field="article_id"
            )
        if payment_type is not None and payment_type.branch_id != branch.pk:
            raise DomainError(
                _("This payment method belongs to another branch."), field="payment_type_id"
            )
        comment, comment_text = _comment(comment)
        entry_kind = (
            Entry.Kind.DEBIT if kind == FinancialOperation.Kind.INCOME else Entry.Kind.CREDIT
        )
        if entry is not None:
            self._check_linked(entry, kind=entry_kind, field="entry_id")
        cause_type, cause_id = cause_fields(cause)
        operation = FinancialOperation(
            organization=organization,
            branch=branch,
            kind=kind,
            amount=amount,
            article=article,
            payment_type=payment_type,
            client=client,
            comment=comment,
            comment_text=comment_text,
            cause_type=cause_type,
            cause_id=cause_id,
            entry=entry,
            created_by_id=actor_user_id(self.actor),
            created_by_label=self.actor.label[:200],
            created_at=timezone.now(),
        )
        self.operations.append(operation)
        changes: dict[str, Any] = {"kind": [None, kind], "amount": [None, amount]}
        if entry is not None:
            # the entry's id once written (the audit row is built after the insert)
            changes["entry"] = [None, entry]
        self._audit.append(("ledger.operation_create", operation, changes))
        return operation

    def receipt(
        self,
        *,
        branch: Branch,
        client: Any,
        lines: Sequence[tuple[TextOrStored, int] | tuple[TextOrStored, int, Entry | None]],
        payments: Sequence[tuple[PaymentType, int] | tuple[PaymentType, int, Entry | None]],
        cause: Model | None = None,
    ) -> SalesReceipt:
        """A receipt of one sale: what was sold (lines, each maybe naming the entry that
        charged it) and how it was paid (payments, each maybe naming the money's entry;
        fewer than the total when sold on credit). A line's name is text as typed (a
        service, a plan: data) or a `StoredText` the system wrote ("Balance top-up"), kept
        in `name_text` so each reader sees it in their language. The written lines and
        payments are on the returned receipt as `written_lines` / `written_payments`."""
        organization = self._one_organization()
        if not lines:
            raise DomainError(_("A receipt needs at least one line."), field="lines")
        if branch is None:
            raise DomainError(_("Choose a branch."), field="branch_id")
        check_same_org(organization.pk, branch, client, cause)
        line_rows: list[tuple[str, dict[str, Any] | None, int, Entry | None]] = [
            (*_line_name(row[0]), row[1], row[2] if len(row) > 2 else None)  # type: ignore[misc]
            for row in lines
        ]
        payment_rows: list[tuple[PaymentType, int, Entry | None]] = [
            (row[0], row[1], row[2] if len(row) > 2 else None)  # type: ignore[misc]
            for row in payments
        ]
        for name, _text, amount, line_entry in line_rows:
            if not name:
                raise DomainError(_("Every line needs a name."), field="lines")
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                raise DomainError(_("Line amounts are whole, non-negative kopecks."), field="lines")
            if line_entry is not None:
                self._check_linked(line_entry, kind=line_entry.kind, field="lines")
        for payment_type, amount, payment_entry in payment_rows:
            validate_amount(amount, field="payments")
            check_same_org(organization.pk, payment_type)
            if payment_entry is not None:
                self._check_linked(payment_entry, kind=Entry.Kind.DEBIT, field="payments")
        total = sum(a for _n, _t, a, _e in line_rows)
        paid = sum(a for _p, a, _e in payment_rows)
        if paid > total:
            raise DomainError(_("The payments exceed the receipt's total."), field="payments")
        cause_type, cause_id = cause_fields(cause)
        receipt = SalesReceipt(
            organization=organization,
            branch=branch,
            client=client,
            total=total,
            paid=paid,
            cause_type=cause_type,
            cause_id=cause_id,
            created_by_id=actor_user_id(self.actor),
            created_by_label=self.actor.label[:200],
            created_at=timezone.now(),
        )
        receipt.written_lines = [  # type: ignore[attr-defined]
            SalesReceiptLine(
                organization=organization,
                receipt=receipt,
                name=n[:300],
                name_text=t,
                amount=a,
                entry=e,
            )
            for n, t, a, e in line_rows
        ]
        receipt.written_payments = [  # type: ignore[attr-defined]
            SalesReceiptPayment(
                organization=organization, receipt=receipt, payment_type=p, amount=a, entry=e
            )
            for p, a, e in payment_rows
        ]
        self.receipts.append(receipt)
        self.lines += receipt.written_lines  # type: ignore[attr-defined]
        self.payments += receipt.written_payments  # type: ignore[attr-defined]
        self._audit.append(
            ("ledger.receipt_create", receipt, {"total": [None, total], "paid": [None, paid]})
        )
        return receipt

    def audit(self, action: str, obj: Model, changes: dict[str, Any] | None = None) -> None:
        """An audit row of this transaction, written with the ledger's (one INSERT)."""
        self._audit.append((action, obj, changes or {}))

    def audit_add(self, row: AuditLog) -> None:
        """A ready audit row (`core.audit.audit_row`) another service built for this
        transaction."""
        self._audit.append(row)

    def after_rows(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the rows are written, before the audit rows (the till
        movements' hooks: they need the operation's id)."""
        self._after_rows.append(callback)

    def _one_organization(self) -> Any:
        if self.organization is None:
            raise ValueError("Operations and receipts are written for one organization.")
        return self.organization

    def _check_linked(self, entry: Entry, *, kind: str, field: str) -> None:
        if entry.pk is None and not any(e is entry for e in self.entries):
            raise DomainError(
                _("This ledger entry does not match the money recorded."), field=field
            )
        check_linked_entry(self._one_organization().pk, entry, kind=kind, field=field, saved=False)

    # --- writing ------------------------------------------------------------------------

    def save(self) -> None:
        """Write everything queued, in the caller's transaction: one INSERT per table, then
        the till hooks, then one INSERT of every audit row."""
        self.save_rows()
        self.save_audit()

    def save_rows(self) -> None:
        """The first half of `save()`: the ledger's rows and the till hooks. A caller that
        writes rows of its own needing these ids (the checkout: the attendance's charge)
        does so next, adds its audit rows, then calls `save_audit()`."""
        conn = connections[DEFAULT_DB_ALIAS]
        assert conn.in_atomic_block, "LedgerWrite.save() runs inside the caller's transaction"
        assert not self.saved, "a LedgerWrite is saved once"
        self.saved = True
        tables: tuple[Sequence[Model], ...] = (
            self.entries,
            self.operations,
            self.receipts,
            self.lines,
            self.payments,
        )
        for table in tables:
            insert_many(table)
        for callback in self._after_rows:
            callback()

    def save_audit(self) -> None:
        """Every audit row queued, in one INSERT (after `save_rows()`)."""
        assert self.saved, "the rows are written first: save_rows()"
        audit_rows: list[AuditLog] = []
        for item in self._audit:
            if isinstance(item, AuditLog):
                audit_rows.append(item)
                continue
            action, obj, changes = item
            row = audit_row(
                organization=self.organization,
                actor=self.actor,
                action=action,
                obj=obj,
                changes=changes,
            )
            if self.organization is None:  # a batch over organizations: the row's own
                row.organization_id = obj.organization_id  # type: ignore[attr-defined]
            audit_rows.append(row)
        self._audit = []
        insert_many(audit_rows)


def check_linked_entry(
    organization_id: int, entry: Entry, *, kind: str, field: str, saved: bool = True
) -> None:
    """An entry linked to an operation, receipt line or payment: of this organization, of
    the right kind, active (and written, unless it is queued in the same write)."""
    if entry.organization_id != organization_id:
        raise DomainError(_("An object of another organization was given."), field=field)
    if (saved and entry.pk is None) or entry.kind != kind:
        raise DomainError(_("This ledger entry does not match the money recorded."), field=field)
    if entry.status != Entry.Status.ACTIVE:
        raise DomainError(_("This ledger entry is cancelled."), field=field)
