"""Writes of the ledger, financial operations and sales receipts.

Every function is one transaction with one audit row. Entries are only ever inserted;
`entry_cancel` is the single state change and it is a conditional UPDATE
(`WHERE status = 'active'`), so two people cancelling at once cannot both win.

A cancelled entry takes with it what it caused outside the ledger (seed: a cancelled
transaction "stays in the system with the cancelled status and does not count in the
payments report"; FEATURES C5: "excluded from balance and reports"): the financial
operation recorded for that money, and the sales receipt's payment (or line) it stands
for. They are cancelled in the same transaction — kept, marked, excluded from every total
— and the receipt's `paid` (or `total`) goes down, so a receipt whose payment was
cancelled shows as unpaid again. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError, PermissionDenied
from zapys.core.text import clean_line, strip_control
from zapys.ledger.hooks import (
    entry_cancelled_dispatch,
    finance_article_declare,
    finance_articles_declared,
)
from zapys.ledger.models import (
    Account,
    CashDesk,
    Entry,
    FinanceArticle,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
    SalesReceiptLine,
    SalesReceiptPayment,
)

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization

# 10 million UAH in one entry is surely a typo; it also keeps sums far from 2^63.
MAX_AMOUNT = 1_000_000_000

CANCEL_ROLES = ("owner", "administrator")


def validate_amount(amount: Any, *, field: str = "amount") -> int:
    """A positive whole number of kopecks; anything else is a field error (never rounded)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DomainError(_("The amount must be a whole number of kopecks."), field=field)
    if amount <= 0:
        raise DomainError(_("The amount must be greater than zero."), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large."), field=field)
    return amount


def _cause_fields(cause: Model | None) -> tuple[str, str]:
    if cause is None:
        return "", ""
    if cause.pk is None:
        raise DomainError(_("The cause of an entry must be saved first."))
    return cause._meta.label_lower, str(cause.pk)


def _check_same_org(organization_id: int, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and getattr(obj, "organization_id", organization_id) != organization_id:
            raise DomainError(_("An object of another organization was given."))


def _user_id(actor: Actor) -> int | None:
    return actor.user.pk if actor.user is not None else None


# --- Accounts -------------------------------------------------------------------------


def account_base_for(*, client: Any) -> Account:
    """The client's base account, created on first use (race-safe: unique constraint)."""
    account = (
        Account.objects.for_org(client.organization_id)
        .filter(client_id=client.pk, kind=Account.Kind.BASE)
        .first()
    )
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.for_org(client.organization_id).create(
                organization_id=client.organization_id, client=client, kind=Account.Kind.BASE
            )
    except IntegrityError:
        return Account.objects.for_org(client.organization_id).get(
            client_id=client.pk, kind=Account.Kind.BASE
        )


@transaction.atomic
def account_create_separate(*, client: Any, name: str, actor: Actor) -> Account:
    """A separate account (per membership when its plan says so)."""
    account = Account.objects.for_org(client.organization_id).create(
        organization_id=client.organization_id,
        client=client,
        kind=Account.Kind.MEMBERSHIP,
        name=clean_line(name)[:200],
    )
    audit_record(
        organization=client.organization, actor=actor, action="ledger.account_create", obj=account
    )
    return account


# --- Entries --------------------------------------------------------------------------


def _insert_entry(
    *,
    client: Any,
    kind: str,
    amount: int,
    purpose: str,
    actor: Actor,
    account: Account | None,
    cause: Model | None,
    comment: str,
    branch: Branch | None,
    payment_type: PaymentType | None,
) -> Entry:
    if kind not in Entry.Kind.values:
        raise DomainError(
            f"Unknown kind {kind!r}: use {' or '.join(Entry.Kind.values)}.", field="kind"
        )
    if purpose not in Entry.Purpose.values:
        raise DomainError(f"Unknown purpose {purpose!r}.", field="purpose")
    validate_amount(amount)
    comment = strip_control(comment).strip()  # see core.text: NUL breaks PostgreSQL, XLSX
    if len(comment) > 500:
        raise DomainError(_("The comment is too long (500 characters at most)."), field="comment")
    _check_same_org(client.organization_id, account, branch, payment_type, cause)
    if account is None:
        account = account_base_for(client=client)
    elif account.client_id != client.pk:
        raise DomainError(_("This account belongs to another client."), field="account_id")
    if payment_type is not None and branch is None:
        branch = payment_type.branch
    cause_type, cause_id = _cause_fields(cause)
    entry = Entry(
        organization_id=client.organization_id,
        account=account,
        client=client,
        kind=kind,
        amount=amount,
        purpose=purpose,
        comment=comment,
        cause_type=cause_type,
        cause_id=cause_id,
        branch=branch,
        payment_type=payment_type,
        created_by_id=_user_id(actor),
        created_by_label=actor.label[:200],
        created_at=timezone.now(),
    )
    entry.save()
    audit_record(
        organization=client.organization,
        actor=actor,
        action="ledger.entry_create",
        obj=entry,
        changes={
            "kind": [None, kind],
            "amount": [None, amount],
            "purpose": [None, purpose],
            "client": [None, client.pk],
            "account": [None, account.pk],
        },
    )
    return entry


@transaction.atomic
def entry_create(
    *,
    client: Any,
    kind: str,
    amount: int,
    purpose: str,
    actor: Actor,
    account: Account | None = None,
    cause: Model | None = None,
    comment: str = "",
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
) -> Entry:
    """Append one entry. Debit = money in (raises the balance); credit = a charge."""
    return _insert_entry(
        client=client,
        kind=kind,
        amount=amount,
        purpose=purpose,
        actor=actor,
        account=account,
        cause=cause,
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
        .cancel_active(cancelled_at=now, cancelled_by_id=_user_id(actor), reason=reason)
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
    cause_type, cause_id = _cause_fields(cause)
    org_id = cause.organization_id  # type: ignore[attr-defined]
    entries = list(
        Entry.objects.for_org(org_id).filter(
            cause_type=cause_type, cause_id=cause_id, status=Entry.Status.ACTIVE
        )
    )
    for entry in entries:
        entry_cancel(entry=entry, actor=actor, reason=reason)
    return len(entries)


# --- Payment types, cash desks, articles ----------------------------------------------

# Stored names, in the organization's language (they are data the business may rename).
DEFAULT_PAYMENT_TYPE_NAMES = {
    "en": {"cash": "Cash", "card": "Card", "online": "Online payment"},
    "uk": {"cash": "Готівка", "card": "Картка", "online": "Онлайн-оплата"},
}


def payment_type_for(*, organization: Organization, branch: Branch, method: str) -> PaymentType:
    """The branch's default payment type for a method, created on first use."""
    if method not in PaymentType.Method.values:
        raise DomainError(f"Unknown payment method {method!r}.", field="method")
    _check_same_org(organization.pk, branch)
    qs = PaymentType.objects.for_org(organization).filter(branch=branch, method=method)
    found = qs.filter(is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PaymentType.objects.for_org(organization).create(
                organization=organization,
                branch=branch,
                method=method,
                name=DEFAULT_PAYMENT_TYPE_NAMES.get(
                    organization.language, DEFAULT_PAYMENT_TYPE_NAMES["en"]
                )[method],
                is_default=True,
            )
    except IntegrityError:
        return qs.get(is_default=True)


@transaction.atomic
def payment_type_create(
    *,
    organization: Organization,
    branch: Branch,
    method: str,
    name: str,
    actor: Actor,
    cash_desk: CashDesk | None = None,
    is_default: bool = False,
) -> PaymentType:
    if method not in PaymentType.Method.values:
        raise DomainError(f"Unknown payment method {method!r}.", field="method")
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    _check_same_org(organization.pk, branch, cash_desk)
    if cash_desk is not None and cash_desk.branch_id != branch.pk:
        raise DomainError(_("The cash desk belongs to another branch."), field="cash_desk")
    qs = PaymentType.objects.for_org(organization)
    if is_default:
        qs.filter(branch=branch, method=method, is_default=True).update(is_default=False)
    pt = qs.create(
        organization=organization,
        branch=branch,
        method=method,
        name=name[:100],
        cash_desk=cash_desk,
        is_default=is_default,
    )
    audit_record(
        organization=organization, actor=actor, action="ledger.payment_type_create", obj=pt
    )
    return pt


@transaction.atomic
def payment_type_set_active(
    *, payment_type: PaymentType, is_active: bool, actor: Actor
) -> PaymentType:
    before = payment_type.is_active
    payment_type.is_active = is_active
    payment_type.save(update_fields=["is_active"])
    audit_record(
        organization=payment_type.organization,
        actor=actor,
        action="ledger.payment_type_update",
        obj=payment_type,
        changes={"is_active": [before, is_active]},
    )
    return payment_type


@transaction.atomic
def cash_desk_create(
    *, organization: Organization, branch: Branch, name: str, actor: Actor
) -> CashDesk:
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    _check_same_org(organization.pk, branch)
    desk = CashDesk.objects.for_org(organization).create(
        organization=organization, branch=branch, name=name[:200]
    )
    audit_record(organization=organization, actor=actor, action="ledger.cash_desk_create", obj=desk)
    return desk


@transaction.atomic
def finance_article_create(
    *, organization: Organization, kind: str, name: str, actor: Actor, code: str = ""
) -> FinanceArticle:
    if kind not in FinanceArticle.Kind.values:
        raise DomainError(f"Unknown article kind {kind!r}.", field="kind")
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    article = FinanceArticle.objects.for_org(organization).create(
        organization=organization, kind=kind, name=name[:200], code=code
    )
    audit_record(
        organization=organization, actor=actor, action="ledger.article_create", obj=article
    )
    return article


@transaction.atomic
def finance_article_set_archived(
    *, article: FinanceArticle, is_archived: bool, actor: Actor
) -> FinanceArticle:
    before = article.is_archived
    article.is_archived = is_archived
    article.save(update_fields=["is_archived"])
    audit_record(
        organization=article.organization,
        actor=actor,
        action="ledger.article_update",
        obj=article,
        changes={"is_archived": [before, is_archived]},
    )
    return article


# The ledger's own articles; every other app declares its own (`ledger.hooks`).
finance_article_declare("services", kind="income", label=gettext_lazy("Services"))
finance_article_declare("refunds", kind="expense", label=gettext_lazy("Refunds"))


def finance_article_for(*, organization: Organization, code: str) -> FinanceArticle:
    """An article some app declared (`ledger.hooks.finance_article_declare`), created in the
    organization on first use; the business may rename it."""
    declared = finance_articles_declared().get(code)
    if declared is None:
        raise DomainError(f"Unknown system article {code!r}.", field="article")
    qs = FinanceArticle.objects.for_org(organization).filter(code=code)
    found = qs.first()
    if found is not None:
        return found
    kind, label = declared.kind, declared.label
    with translation.override(organization.language or "uk"):
        name = str(label)  # named in the organization's language, whoever caused it
    try:
        with transaction.atomic():
            return FinanceArticle.objects.for_org(organization).create(
                organization=organization, kind=kind, name=name, code=code
            )
    except IntegrityError:
        return qs.get()


# --- Financial operations -------------------------------------------------------------


@transaction.atomic
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
    comment: str = "",
    entry: Entry | None = None,
) -> FinancialOperation:
    """Record money that came in (income) or went out (expense) of a branch.

    `entry` is the client's ledger entry this money is (a payment for income, a refund
    for expense): cancelling the entry cancels the operation. The link is always given,
    never guessed (`ledger.money` records entry and operation together); an operation
    without an entry is the till's own (rent, supplies)."""
    if kind not in FinancialOperation.Kind.values:
        raise DomainError(f"Unknown kind {kind!r}: use income or expense.", field="kind")
    validate_amount(amount)
    if branch is None:
        raise DomainError(_("Choose a branch."), field="branch_id")
    _check_same_org(organization.pk, branch, article, payment_type, client, cause)
    if article is not None and article.kind != kind:
        raise DomainError(_("This article is for the other kind of operation."), field="article_id")
    if payment_type is not None and payment_type.branch_id != branch.pk:
        raise DomainError(
            _("This payment type belongs to another branch."), field="payment_type_id"
        )
    comment = strip_control(comment).strip()
    if len(comment) > 500:
        raise DomainError(_("The comment is too long (500 characters at most)."), field="comment")
    entry_kind = Entry.Kind.DEBIT if kind == FinancialOperation.Kind.INCOME else Entry.Kind.CREDIT
    if entry is not None:
        _check_linked_entry(organization.pk, entry, kind=entry_kind, field="entry_id")
    cause_type, cause_id = _cause_fields(cause)
    op = FinancialOperation.objects.for_org(organization).create(
        organization=organization,
        branch=branch,
        kind=kind,
        amount=amount,
        article=article,
        payment_type=payment_type,
        client=client,
        comment=comment,
        cause_type=cause_type,
        cause_id=cause_id,
        entry=entry,
        created_by_id=_user_id(actor),
        created_by_label=actor.label[:200],
        created_at=timezone.now(),
    )
    changes: dict[str, Any] = {"kind": [None, kind], "amount": [None, amount]}
    if entry is not None:
        changes["entry"] = [None, entry.pk]
    audit_record(
        organization=organization,
        actor=actor,
        action="ledger.operation_create",
        obj=op,
        changes=changes,
    )
    return op


def _check_linked_entry(organization_id: int, entry: Entry, *, kind: str, field: str) -> None:
    if entry.organization_id != organization_id:
        raise DomainError(_("An object of another organization was given."), field=field)
    if entry.pk is None or entry.kind != kind:
        raise DomainError(_("This ledger entry does not match the money recorded."), field=field)
    if entry.status != Entry.Status.ACTIVE:
        raise DomainError(_("This ledger entry is cancelled."), field=field)


# --- Sales receipts -------------------------------------------------------------------


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
    _check_same_org(organization.pk, branch, client, cause)
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
            _check_linked_entry(organization.pk, line_entry, kind=line_entry.kind, field="lines")
    for payment_type, amount, payment_entry in payment_rows:
        validate_amount(amount, field="payments")
        _check_same_org(organization.pk, payment_type)
        if payment_entry is not None:
            _check_linked_entry(
                organization.pk, payment_entry, kind=Entry.Kind.DEBIT, field="payments"
            )
    total = sum(a for _n, a, _e in line_rows)
    paid = sum(a for _p, a, _e in payment_rows)
    if paid > total:
        raise DomainError(_("The payments exceed the receipt's total."), field="payments")
    cause_type, cause_id = _cause_fields(cause)
    receipt = SalesReceipt.objects.for_org(organization).create(
        organization=organization,
        branch=branch,
        client=client,
        total=total,
        paid=paid,
        cause_type=cause_type,
        cause_id=cause_id,
        created_by_id=_user_id(actor),
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
