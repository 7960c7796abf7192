"""Reads of the reports: each report is a fixed number of aggregate queries, whatever the
number of rows behind it (set-based: GROUP BY in the database, labels joined in Python)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from zapys.core.report_period import Period
from zapys.core.tenancy import require_org
from zapys.ledger.models import Entry, FinancialOperation, PaymentType

#: A plain string: comparing with the enum member costs an attribute lookup on every row.
DEBIT = Entry.Kind.DEBIT.value
ACTIVE = Entry.Status.ACTIVE.value
ENTRY_TABLE = Entry._meta.db_table
#: Money a client paid before being known is counted as the payment it becomes.
PAYMENT = Entry.Purpose.PAYMENT.value
INCOME = FinancialOperation.Kind.INCOME.value
OPERATION_TABLE = FinancialOperation._meta.db_table


@dataclass(slots=True)
class Line:
    """Money in and out of one group (a purpose, a method, a payment type, a day)."""

    key: Any
    label: str = ""
    received: int = 0
    refunded: int = 0
    count: int = 0

    @property
    def net(self) -> int:
        return self.received - self.refunded

    def add(self, row: dict) -> None:
        if row["kind"] == DEBIT:
            self.received += row["amount"] or 0
            self.count += row["count"]
        else:
            self.refunded += row["amount"] or 0


@dataclass
class MoneyReport:
    """The money that moved in a period: totals, by purpose, by method, by payment type and
    by bucket (day or hour). `rows` are the grouped rows themselves (for the exports)."""

    total: Line = field(default_factory=lambda: Line("total"))
    by_purpose: list[Line] = field(default_factory=list)
    by_method: list[Line] = field(default_factory=list)
    by_type: list[Line] = field(default_factory=list)
    by_bucket: dict[Any, Line] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)


def money_rows(
    start: datetime, end: datetime, *, branch_id: int | None = None, by_hour: bool = False
) -> list[dict]:
    """One statement: the money that moved in [start, end), grouped by day (or hour of the
    day), purpose, payment type and kind. Two kinds of rows say money moved:
    - the active entries with a payment type (money on a client's account);
    - the active income operations of money a client paid before being known
      (`FinancialOperation.client_money`, an online sale bought by a stranger) that no entry
      has taken yet — counted as the "payment" they become: when the money is assigned, the
      entry (dated when the money arrived) counts it and the operation no longer does, so
      every day's figure is the same before and after.

    Written as SQL and run through a plain cursor, scoped to the active organization by
    hand (`require_org`): the same statement the ORM built (EXPLAIN ANALYZE showed the same
    plan), but the ORM's building of it and its per-value converters cost ~1.8 ms against a
    2.4 ms query for a day by hour (bench/reports.py). The bucket expression comes from the
    backend's own operations, so SQLite (the tests) and PostgreSQL get their own SQL. The
    entries are grouped in the database (their GROUP BY keeps its plan); the operations
    waiting for a client are few (they are attached within days), so they come one per row,
    ungrouped (a second GROUP BY cost more to plan than to run), and are summed here into
    the entries' rows of the same key."""
    zone_name = timezone.get_current_timezone_name()
    ops = connection.ops
    if by_hour:
        bucket_sql, bucket_params = ops.datetime_extract_sql("hour", "created_at", (), zone_name)
        bucket_sql = f"CAST({bucket_sql} AS integer)"
    else:
        bucket_sql, bucket_params = ops.datetime_cast_date_sql("created_at", (), zone_name)
    org_id = require_org().pk
    bounds = [ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)]
    branch_sql = " AND branch_id = %s" if branch_id else ""
    branch_params = [branch_id] if branch_id else []
    params = [
        *bucket_params,
        org_id,
        ACTIVE,
        *bounds,
        *branch_params,
        *bucket_params,
        PAYMENT,
        DEBIT,
        org_id,
        ACTIVE,
        INCOME,
        True,
        *bounds,
        *branch_params,
    ]
    # SUM over a bigint is numeric on PostgreSQL (a Decimal per row): cast it back. Only
    # the tables' names, the backend's bucket expression and a fixed branch clause are put
    # into the text; every value is a parameter.
    sql = (
        f"SELECT {bucket_sql}, purpose, payment_type_id, kind,"  # noqa: S608
        f" CAST(SUM(amount) AS bigint), COUNT(*) FROM {ENTRY_TABLE} WHERE organization_id = %s AND status = %s"
        f" AND payment_type_id IS NOT NULL AND created_at >= %s AND created_at < %s{branch_sql}"
        " GROUP BY 1, 2, 3, 4"
        f" UNION ALL SELECT {bucket_sql}, %s, payment_type_id, %s, amount, 1"
        f" FROM {OPERATION_TABLE} WHERE organization_id = %s"
        " AND status = %s AND kind = %s AND client_money = %s AND entry_id IS NULL"
        f" AND created_at >= %s AND created_at < %s{branch_sql}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if fetched and isinstance(fetched[0][0], str):  # SQLite's cast to a date is text
        fetched = [(date.fromisoformat(b), *rest) for b, *rest in fetched]
    rows: dict[tuple, dict] = {}
    for bucket, purpose, type_id, kind, amount, count in fetched:
        key = (bucket, purpose, type_id, kind)
        row = rows.get(key)
        if row is None:
            rows[key] = {
                "bucket": bucket,
                "purpose": purpose,
                "payment_type_id": type_id,
                "kind": kind,
                "amount": amount,
                "count": count,
            }
        else:  # the same day and payment type on both sides: one row
            row["amount"] = (row["amount"] or 0) + (amount or 0)
            row["count"] += count
    return list(rows.values())


def payment_types() -> dict[int, dict]:
    """Every payment type of the organization, by id (one query; a handful of rows)."""
    types = {
        row["id"]: row
        for row in PaymentType.objects.values(
            "id", "name", "method", "is_default", "branch__name"
        ).order_by()
    }
    for row in types.values():  # a default type is named in the page's language
        row["name"] = PaymentType(
            name=row["name"], method=row["method"], is_default=row["is_default"]
        ).display_name
    return types


def money_report(rows: list[dict], types: dict[int, dict]) -> MoneyReport:
    """Roll the grouped rows up into totals and lines. A year by day is ~8,000 rows, a day by
    hour ~500, so the loop does only sums: a line is made (and its label translated) once per
    key, not once per row, and per row only the purpose, payment type and bucket lines are
    touched (unrolled: a loop over the three cost more than the sums); the methods are summed
    from the payment types' lines and the total from the purposes' afterwards, a handful of
    lines instead of every row (bench/reports.py: the Python side was what made "day by hour"
    slower than its query)."""
    report = MoneyReport(rows=rows)
    purposes: dict[str, Line] = {}
    by_type: dict[int, Line] = {}
    buckets = report.by_bucket
    for row in rows:
        purpose, type_id, bucket = row["purpose"], row["payment_type_id"], row["bucket"]
        to_purpose = purposes.get(purpose) or purposes.setdefault(purpose, Line(purpose))
        to_type = by_type.get(type_id) or by_type.setdefault(type_id, Line(type_id))
        to_bucket = buckets.get(bucket) or buckets.setdefault(bucket, Line(bucket))
        amount = row["amount"] or 0
        if row["kind"] == DEBIT:
            count = row["count"]
            to_purpose.received += amount
            to_purpose.count += count
            to_type.received += amount
            to_type.count += count
            to_bucket.received += amount
            to_bucket.count += count
        else:
            to_purpose.refunded += amount
            to_type.refunded += amount
            to_bucket.refunded += amount
    methods: dict[str, Line] = {}
    for type_id, line in by_type.items():
        method = types.get(type_id, {}).get("method", "")
        to_method = methods.get(method) or methods.setdefault(method, Line(method))
        to_method.received += line.received
        to_method.refunded += line.refunded
        to_method.count += line.count
    total = report.total
    for line in purposes.values():
        total.received += line.received
        total.refunded += line.refunded
        total.count += line.count
    purpose_labels = dict(Entry.Purpose.choices)
    method_labels = dict(PaymentType.Method.choices)
    for line in purposes.values():
        line.label = str(purpose_labels.get(line.key, line.key))
    for line in methods.values():
        line.label = str(method_labels.get(line.key, line.key))
    for line in by_type.values():
        line.label = type_label(types.get(line.key, {}))
    order = lambda line: (-line.received, line.label)  # noqa: E731
    report.by_purpose = sorted(purposes.values(), key=order)
    report.by_method = sorted(methods.values(), key=order)
    report.by_type = sorted(by_type.values(), key=order)
    return report


def type_label(kind: dict) -> str:
    if not kind:
        return ""
    return f"{kind['name']} ({kind['branch__name']})" if kind.get("branch__name") else kind["name"]


def money_for(period: Period, *, branch_id: int | None = None) -> MoneyReport:
    start, end = period.bounds()
    return money_report(money_rows(start, end, branch_id=branch_id), payment_types())


def day_values(report: MoneyReport) -> dict[date, int]:
    return {day: line.received for day, line in report.by_bucket.items()}
