"""Reads of the ledger: balances (derived from entries), entry lists, reports."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Model, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from zapys.accounts.models import Branch
from zapys.core.prepared import PreparedQuery
from zapys.core.tenancy import current_org
from zapys.ledger.models import (
    Account,
    Entry,
    FinanceArticle,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
    SalesReceiptPayment,
)

# Σ active debits − Σ active credits, as one SQL expression over Entry rows.
SIGNED_AMOUNT = Case(
    When(kind=Entry.Kind.DEBIT, then=F("amount")),
    default=-F("amount"),
    output_field=IntegerField(),
)


def _balance_of(qs: QuerySet[Entry]) -> int:
    row = qs.filter(status=Entry.Status.ACTIVE).aggregate(
        balance=Coalesce(Sum(SIGNED_AMOUNT), Value(0))
    )
    return int(row["balance"])


def client_balance(client: Any) -> int:
    """The client's balance over all their accounts, in kopecks (negative = owes)."""
    return _balance_of(Entry.objects.filter(client_id=client.pk))


def account_balance(account: Account) -> int:
    return _balance_of(Entry.objects.filter(account_id=account.pk))


def balances_for(client_ids: Iterable[int]) -> dict[int, int]:
    """{client_id: balance} for many clients in one query; ids without entries → 0."""
    return _balances_by("client_id", client_ids)


def account_balances_for(account_ids: Iterable[int]) -> dict[int, int]:
    """{account_id: balance} for many accounts in one query; ids without entries → 0."""
    return _balances_by("account_id", account_ids)


def _balances_by(column: str, ids: Iterable[int]) -> dict[int, int]:
    wanted = list({int(i) for i in ids})
    result = dict.fromkeys(wanted, 0)
    if not wanted:
        return result
    org = current_org()
    if len(wanted) == 1 and org is not None:  # one client's (a checkout): compiled once
        for key, balance in _BALANCE_OF[column].rows(org=org.pk, key=wanted[0]):
            result[key] = int(balance or 0)
        return result
    rows = (
        Entry.objects.filter(**{f"{column}__in": wanted}, status=Entry.Status.ACTIVE)
        .values(column)
        .annotate(balance=Sum(SIGNED_AMOUNT))
        .order_by()
    )
    for row in rows:
        result[row[column]] = int(row["balance"] or 0)
    return result


def _balance_of_one(column: str) -> PreparedQuery[Entry]:
    return PreparedQuery(
        lambda s: (
            Entry.objects.for_org(s.org())
            .filter(**{column: s.number("key")}, status=Entry.Status.ACTIVE)
            .values_list(column)
            .annotate(balance=Sum(SIGNED_AMOUNT))
            .order_by()
        )
    )


_BALANCE_OF = {column: _balance_of_one(column) for column in ("client_id", "account_id")}


def account_balances_for_client(client: Any) -> list[tuple[Account, int]]:
    """Every account of the client with its balance (two queries)."""
    accounts = list(Account.objects.filter(client_id=client.pk).order_by("kind", "id"))
    rows = (
        Entry.objects.filter(client_id=client.pk, status=Entry.Status.ACTIVE)
        .values("account_id")
        .annotate(balance=Sum(SIGNED_AMOUNT))
        .order_by()
    )
    by_account = {r["account_id"]: int(r["balance"] or 0) for r in rows}
    return [(a, by_account.get(a.pk, 0)) for a in accounts]


def top_debtors(*, limit: int = 100) -> list[tuple[int, int]]:
    """[(client_id, balance)] of the clients who owe the most (most negative first)."""
    rows = (
        Entry.objects.filter(status=Entry.Status.ACTIVE)
        .values("client_id")
        .annotate(balance=Sum(SIGNED_AMOUNT))
        .filter(balance__lt=0)
        .order_by("balance", "client_id")[:limit]
    )
    return [(r["client_id"], int(r["balance"])) for r in rows]


def cause_of(obj: Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def entries_for_cause(obj: Model) -> QuerySet[Entry]:
    cause_type, cause_id = cause_of(obj)
    return Entry.objects.filter(cause_type=cause_type, cause_id=cause_id).order_by(
        "created_at", "id"
    )


def client_entries(*, client: Any) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(client_id=client.pk)
        .select_related("account", "payment_type", "branch")
        .order_by("-created_at", "-id")
    )


# --- Payments report ------------------------------------------------------------------


@dataclass
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    branch_id: int | None = None
    purpose: str = ""
    payment_type_id: int | None = None
    kind: str = ""
    include_cancelled: bool = False


@dataclass
class ReportTotals:
    debit: int = 0
    credit: int = 0
    count: int = 0
    by_purpose: list[dict[str, Any]] = field(default_factory=list)
    #: imported opening balances (debit − credit): not money received or charged in the
    #: period, so outside `debit`/`credit` and `by_purpose`, shown apart
    opening: int = 0

    @property
    def net(self) -> int:
        return self.debit - self.credit


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def payments_report_entries(filters: ReportFilters) -> QuerySet[Entry]:
    qs = _payments_filtered(
        Entry.objects.select_related("client", "payment_type", "branch"),
        filters,
        active=Entry.Status.ACTIVE,
    )
    if filters.purpose:
        qs = qs.filter(purpose=filters.purpose)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-created_at", "-id")


def _payments_filtered(qs: QuerySet, filters: ReportFilters, *, active: str) -> QuerySet:
    """The filters the payments report's entries and its money for no client share: status,
    days, branch, payment type (both kinds of row have these columns)."""
    if not filters.include_cancelled:
        qs = qs.filter(status=active)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.branch_id:
        qs = qs.filter(branch_id=filters.branch_id)
    if filters.payment_type_id:
        qs = qs.filter(payment_type_id=filters.payment_type_id)
    return qs


def payments_report_unassigned(filters: ReportFilters) -> QuerySet[FinancialOperation]:
    """Money a client paid before being known (`FinancialOperation.client_money`: an online
    sale bought by a stranger) that no entry has taken yet: the report lists it as a payment
    with no client, so every payment the business received is on it — once (when the money
    is assigned, its entry is the row and this one is gone). Filtered as the entries are;
    it is a payment received, so a filter for another purpose or for charges leaves it out."""
    if filters.purpose not in ("", Entry.Purpose.PAYMENT) or filters.kind not in (
        "",
        Entry.Kind.DEBIT,
    ):
        return FinancialOperation.objects.none()
    qs = FinancialOperation.objects.filter(
        client_money=True, entry__isnull=True, kind=FinancialOperation.Kind.INCOME
    ).select_related("payment_type", "branch")
    qs = _payments_filtered(qs, filters, active=FinancialOperation.Status.ACTIVE)
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class PaymentRow:
    """One row of the payments report: an entry of a client's account, or money received for
    no client yet (`client` None; shown as a payment "no client yet")."""

    pk: int
    created_at: datetime
    client: Any | None
    kind: str
    kind_label: str
    signed_amount: int
    purpose_label: str
    payment_type: PaymentType | None
    branch: Branch | None
    status_label: str
    is_cancelled: bool
    comment: str


def _entry_row(entry: Entry) -> PaymentRow:
    return PaymentRow(
        pk=entry.pk,
        created_at=entry.created_at,
        client=entry.client,
        kind=entry.kind,
        kind_label=str(entry.get_kind_display()),
        signed_amount=entry.signed_amount,
        purpose_label=str(entry.get_purpose_display()),
        payment_type=entry.payment_type,
        branch=entry.branch,
        status_label=str(entry.get_status_display()),
        is_cancelled=entry.is_cancelled,
        comment=entry.comment_shown,
    )


def _money_row(operation: FinancialOperation) -> PaymentRow:
    """Unassigned money as the payment it becomes (the entry's kind, purpose and status)."""
    entry = Entry(
        kind=Entry.Kind.DEBIT,
        purpose=Entry.Purpose.PAYMENT,
        status=Entry.Status.CANCELLED if operation.is_cancelled else Entry.Status.ACTIVE,
    )
    return PaymentRow(
        pk=operation.pk,
        created_at=operation.created_at,
        client=None,
        kind=entry.kind,
        kind_label=str(entry.get_kind_display()),
        signed_amount=operation.amount,
        purpose_label=str(entry.get_purpose_display()),
        payment_type=operation.payment_type,
        branch=operation.branch,
        status_label=str(entry.get_status_display()),
        is_cancelled=operation.is_cancelled,
        comment=operation.comment_shown,
    )


ENTRY_ROW, MONEY_ROW = "entry", "money"


def payments_report_keys(entries: QuerySet[Entry], unassigned: QuerySet[FinancialOperation]) -> Any:
    """The report's rows as (created_at, id, source), newest first, entries and unassigned
    money together: one UNION the paginator counts and slices (two queries per page)."""
    keys = (
        entries.order_by()
        .annotate(source=Value(ENTRY_ROW))
        .values_list("created_at", "id", "source")
    )
    money = (
        unassigned.order_by()
        .annotate(source=Value(MONEY_ROW))
        .values_list("created_at", "id", "source")
    )
    return keys.union(money, all=True).order_by("-created_at", "-id")


def payments_report_rows(keys: Iterable[tuple[datetime, int, str]]) -> list[PaymentRow]:
    """The rows a page of keys names, in its order: at most one query per source."""
    keys = list(keys)
    entry_ids = [pk for _, pk, source in keys if source == ENTRY_ROW]
    money_ids = [pk for _, pk, source in keys if source == MONEY_ROW]
    entries = Entry.objects.select_related("client", "payment_type", "branch").in_bulk(entry_ids)
    money = FinancialOperation.objects.select_related("payment_type", "branch").in_bulk(money_ids)
    return [
        _entry_row(entries[pk]) if source == ENTRY_ROW else _money_row(money[pk])
        for _, pk, source in keys
    ]


def payments_report_all_rows(
    entries: QuerySet[Entry], unassigned: QuerySet[FinancialOperation]
) -> Iterable[PaymentRow]:
    """Every row, newest first, streamed (the exports): the two sorted sources merged."""
    return heapq.merge(
        (_entry_row(e) for e in entries.order_by("-created_at", "-id").iterator(chunk_size=2000)),
        (_money_row(o) for o in unassigned.iterator(chunk_size=2000)),
        key=lambda row: (row.created_at, row.pk),
        reverse=True,
    )


def payments_report_totals(
    qs: QuerySet[Entry], unassigned: QuerySet[FinancialOperation] | None = None
) -> ReportTotals:
    """Totals of the report's active rows (cancelled ones never count, even when shown),
    with the money received for no client yet counted as payments received.

    An imported opening balance is not a payment received (nor a charge) on the day of the
    import: it is left out of the totals and the purposes and summed apart."""
    totals = _entries_totals(qs)
    if unassigned is None:
        return totals
    money = (
        unassigned.filter(status=FinancialOperation.Status.ACTIVE)
        .order_by()
        .aggregate(amount=Coalesce(Sum("amount"), Value(0)), count=Count("id"))
    )
    amount, count = int(money["amount"]), int(money["count"])
    if count:
        totals.debit += amount
        totals.count += count
        payment = next(
            (r for r in totals.by_purpose if r["purpose"] == Entry.Purpose.PAYMENT), None
        )
        if payment is None:
            payment = {
                "purpose": Entry.Purpose.PAYMENT.value,
                "label": Entry.Purpose.PAYMENT.label,
                "debit": 0,
                "credit": 0,
            }
            totals.by_purpose = sorted([*totals.by_purpose, payment], key=lambda r: r["purpose"])
        payment["debit"] += amount
    return totals


def _entries_totals(qs: QuerySet[Entry]) -> ReportTotals:
    active = qs.filter(status=Entry.Status.ACTIVE).order_by()
    opening_q = Q(purpose=Entry.Purpose.OPENING_BALANCE)
    opening = active.filter(opening_q).aggregate(
        debit=Coalesce(Sum("amount", filter=Q(kind=Entry.Kind.DEBIT)), Value(0)),
        credit=Coalesce(Sum("amount", filter=Q(kind=Entry.Kind.CREDIT)), Value(0)),
    )
    active = active.exclude(opening_q)
    agg = active.aggregate(
        debit=Coalesce(Sum("amount", filter=Q(kind=Entry.Kind.DEBIT)), Value(0)),
        credit=Coalesce(Sum("amount", filter=Q(kind=Entry.Kind.CREDIT)), Value(0)),
        count=Count("id"),
    )
    labels = dict(Entry.Purpose.choices)
    by_purpose = [
        {
            "purpose": r["purpose"],
            "label": labels.get(r["purpose"], r["purpose"]),
            "debit": int(r["debit"] or 0),
            "credit": int(r["credit"] or 0),
        }
        for r in active.values("purpose")
        .annotate(
            debit=Sum("amount", filter=Q(kind=Entry.Kind.DEBIT)),
            credit=Sum("amount", filter=Q(kind=Entry.Kind.CREDIT)),
        )
        .order_by("purpose")
    ]
    return ReportTotals(
        debit=int(agg["debit"]),
        credit=int(agg["credit"]),
        count=int(agg["count"]),
        by_purpose=by_purpose,
        opening=int(opening["debit"]) - int(opening["credit"]),
    )


# --- Finance ----------------------------------------------------------------------------


def payment_types_list(*, branch_id: int | None = None, active_only: bool = False) -> QuerySet:
    qs = PaymentType.objects.select_related("branch", "cash_desk")
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("branch__name", "method", "name", "id")


def articles_list(*, kind: str | None = None, include_archived: bool = True) -> QuerySet:
    qs = FinanceArticle.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if not include_archived:
        qs = qs.filter(is_archived=False)
    return qs.order_by("kind", "name", "id")


def operations_list(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    branch_id: int | None = None,
    kind: str = "",
    include_cancelled: bool = False,
) -> QuerySet[FinancialOperation]:
    """Financial operations, newest first; cancelled ones (their payment was cancelled)
    only when asked for — they never count in `operations_totals`."""
    qs = FinancialOperation.objects.select_related(
        "branch", "article", "payment_type", "client"
    ).order_by("-created_at", "-id")
    if not include_cancelled:
        qs = qs.filter(status=FinancialOperation.Status.ACTIVE)
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def operations_totals(qs: QuerySet[FinancialOperation]) -> dict[str, int]:
    """Income, expense and net of the active operations in `qs`."""
    agg = (
        qs.filter(status=FinancialOperation.Status.ACTIVE)
        .order_by()
        .aggregate(
            income=Coalesce(Sum("amount", filter=Q(kind="income")), Value(0)),
            expense=Coalesce(Sum("amount", filter=Q(kind="expense")), Value(0)),
        )
    )
    return {
        "income": int(agg["income"]),
        "expense": int(agg["expense"]),
        "net": int(agg["income"]) - int(agg["expense"]),
    }


def receipts_list(
    *, day: date | None = None, branch_id: int | None = None, client_id: int | None = None
) -> QuerySet[SalesReceipt]:
    qs = (
        SalesReceipt.objects.select_related("branch", "client")
        .prefetch_related("lines", "payments__payment_type")
        .order_by("-created_at", "-id")
    )
    if day:
        qs = qs.filter(
            created_at__gte=_day_start(day), created_at__lt=_day_start(day + timedelta(1))
        )
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    if client_id:
        qs = qs.filter(client_id=client_id)
    return qs


def day_sales_summary(*, day: date, branch_id: int | None) -> dict[str, Any]:
    """Totals of a day's receipts: sold, paid, unpaid, and paid per payment type. Only
    active lines and payments count (a cancelled payment is not money received)."""
    receipts = receipts_list(day=day, branch_id=branch_id).order_by()
    agg = receipts.aggregate(
        sold=Coalesce(Sum("total"), Value(0)),
        received=Coalesce(Sum("paid"), Value(0)),
        owed=Coalesce(
            Sum(
                Case(
                    When(total__gt=F("paid"), then=F("total") - F("paid")),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
            Value(0),
        ),
        count=Count("id"),
    )
    payments = SalesReceiptPayment.objects.filter(
        receipt__in=receipts.values("id"), status=SalesReceiptPayment.Status.ACTIVE
    )
    by_type = list(
        payments.values(
            "payment_type_id",
            "payment_type__name",
            "payment_type__method",
            "payment_type__is_default",
        )
        .annotate(amount=Sum("amount"))
        .order_by("payment_type__name")
    )
    for row in by_type:  # a default type is named in the page's language (core.system_names)
        row["name"] = PaymentType(
            name=row["payment_type__name"] or "",
            method=row["payment_type__method"] or "",
            is_default=bool(row["payment_type__is_default"]),
        ).display_name
    return {
        "total": int(agg["sold"]),
        "paid": int(agg["received"]),
        "unpaid": int(agg["owed"]),
        "count": int(agg["count"]),
        "by_type": by_type,
    }


def payment_types_active(branch: Branch | None) -> QuerySet[PaymentType]:
    """The payment types staff may choose: the branch's active ones (every branch's when the
    page has none)."""
    qs = PaymentType.objects.filter(is_active=True).select_related("branch")
    return qs.filter(branch=branch) if branch is not None else qs
