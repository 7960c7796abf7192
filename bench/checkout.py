"""Benchmark: a day of 2,000 visits checked out through the service (card, the whole price)
vs raw SQL writing the same rows for another 2,000 visits in the same run: per visit one
transaction — the visit and attendance locks, the live-checkout and balance reads, the
service charge, the attendance and visit updates, the checkout row, the money entry, the till
operation, the receipt with its line and payment, and the audit rows (copied from the rows
the service wrote, with the new ids). Prints both times, the ratio (target ≤ 3×) and the
statements per checkout (the same for the 2nd and the last: constant).

    .venv/bin/python bench/checkout.py            # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/checkout.py
                                                  # a throwaway `zapys_bench_checkout`, dropped after

The ledger is append-only (no DELETE), so each side gets its own visits instead of a reset;
BENCH_REPEAT rounds (default 2) alternate the sides, each on fresh visits; the best of each
side is compared.
"""

from __future__ import annotations

import os
import sys
import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_checkout")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("DEBUG", "0")  # as production: no query log on either side

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_VISITS", "2000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
N_STAFF = 20
PRICE = 45_000


def build():  # type: ignore[no-untyped-def]
    """2 × REPEAT × N past visits (one an hour per specialist), their attendances, clients
    with their ledger accounts, and one checkout to create the article and payment type."""
    from tests.factories import make_branch, make_org, make_staff
    from tests.factories_payments import make_account
    from tests.factories_prepayments import make_client, make_service
    from zapys.core.tenancy import org_scope
    from zapys.ledger.services import account_base_for
    from zapys.schedule.models import Attendance, Visit
    from zapys.schedule.services import visit_statuses_ensure

    org = make_org("Bench")
    with org_scope(org):
        branch = make_branch(org, "Main")
        make_account(org, "sandbox")
        staff = [make_staff(org, "specialist", branches=[branch]) for _ in range(N_STAFF)]
        service = make_service(org, price=PRICE)
        clients = [make_client(org) for _ in range(400)]
        for client in clients:
            account_base_for(client=client)
        status = visit_statuses_ensure(organization=org)["booked"]
        now = timezone.now()
        total = 2 * REPEAT * N + 2
        visits = [
            Visit(
                organization=org,
                branch=branch,
                staff=staff[i % N_STAFF],
                client=clients[i % len(clients)],
                service=service,
                starts_at=now - timedelta(hours=1 + i // N_STAFF),
                ends_at=now - timedelta(hours=1 + i // N_STAFF, minutes=-50),
                price=PRICE,
                status=status,
            )
            for i in range(total)
        ]
        Visit.objects.bulk_create(visits, batch_size=2000)
        Attendance.objects.bulk_create(
            [Attendance(organization=org, visit=v, client_id=v.client_id) for v in visits],
            batch_size=2000,
        )
    return org, visits


def _loaded(org, visits):  # type: ignore[no-untyped-def]
    from zapys.schedule.models import Visit

    ids = [v.pk for v in visits]
    by_id = (
        Visit.objects.for_org(org)
        .select_related("status", "client", "service", "group", "staff", "branch", "organization")
        .in_bulk(ids)
    )
    return [by_id[i] for i in ids]


def service_run(org, visits, actor):  # type: ignore[no-untyped-def]
    from zapys.checkout.services import PaymentIn, visit_checkout
    from zapys.core.tenancy import org_scope

    counts = []
    with org_scope(org):
        loaded = _loaded(org, visits)
        started = clock.perf_counter()
        for i, visit in enumerate(loaded):
            if i in (1, len(loaded) - 1):
                connection.queries_log.clear()  # a full log (9,000) would count nothing
                with CaptureQueriesContext(connection) as ctx:
                    visit_checkout(visit=visit, payments=[PaymentIn("card", PRICE)], actor=actor)
                counts.append(len(ctx.captured_queries))
                if os.environ.get("BENCH_PRINT") and i == len(loaded) - 1:
                    for q in ctx.captured_queries:  # where the statements go
                        print("   ", q["sql"][:160])
            else:
                visit_checkout(visit=visit, payments=[PaymentIn("card", PRICE)], actor=actor)
        return clock.perf_counter() - started, counts


class Templates:
    """The rows one service checkout wrote, to be written again by hand with new ids."""

    def __init__(self, org, visit, audit_after: int) -> None:  # type: ignore[no-untyped-def]
        from zapys.checkout.models import Checkout
        from zapys.core.models import AuditLog
        from zapys.core.tenancy import org_scope
        from zapys.ledger.models import (
            Entry,
            FinancialOperation,
            SalesReceipt,
            SalesReceiptLine,
            SalesReceiptPayment,
        )
        from zapys.schedule.models import Visit

        with org_scope(org):
            row = Checkout.objects.get(visit=visit)
            self.came_status_id = Visit.objects.get(pk=visit.pk).status_id
            self.checkout = Checkout.objects.values().get(pk=row.pk)
            self.charge = Entry.objects.values().get(kind="credit", cause_id=str(row.attendance_id))
            self.money = Entry.objects.values().get(kind="debit", cause_id=str(row.pk))
            self.operation = FinancialOperation.objects.values().get(entry_id=self.money["id"])
            self.receipt = SalesReceipt.objects.values().get(pk=row.receipt_id)
            self.line = SalesReceiptLine.objects.values().get(receipt_id=row.receipt_id)
            self.payment = SalesReceiptPayment.objects.values().get(receipt_id=row.receipt_id)
            self.audit = list(AuditLog.objects.filter(id__gt=audit_after).order_by("id").values())


def _insert_sql(model, count: int = 1) -> str:  # type: ignore[no-untyped-def]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    return (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({cols}) "
        f"VALUES {', '.join([one] * count)} RETURNING id"
    )


def _params(model, values: dict) -> list:  # type: ignore[no-untyped-def]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return [f.get_db_prep_save(values[f.attname], connection) for f in fields]


def raw_run(org, visits, t: Templates):  # type: ignore[no-untyped-def]
    from zapys.checkout.models import Checkout
    from zapys.core.models import AuditLog
    from zapys.ledger.models import (
        Account,
        Entry,
        FinancialOperation,
        SalesReceipt,
        SalesReceiptLine,
        SalesReceiptPayment,
    )
    from zapys.schedule.models import Attendance

    sql = {
        m: _insert_sql(m)
        for m in (
            Entry,
            Checkout,
            FinancialOperation,
            SalesReceipt,
            SalesReceiptLine,
            SalesReceiptPayment,
        )
    }
    audit_sql = _insert_sql(AuditLog, len(t.audit))
    accounts = dict(Account.objects.for_org(org).filter(kind="base").values_list("client_id", "id"))
    attendance = {
        a["visit_id"]: a
        for a in Attendance.objects.for_org(org)
        .filter(visit_id__in=[v.pk for v in visits])
        .values("id", "visit_id", "client_id")
    }
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    started = clock.perf_counter()
    for visit in visits:
        now = timezone.now()
        att = attendance[visit.pk]
        client_id = att["client_id"]
        with transaction.atomic(), connection.cursor() as c:
            c.execute(f"SELECT id FROM schedule_visit WHERE id = %s{lock}", [visit.pk])
            c.execute(
                "SELECT id, state, charge FROM schedule_attendance "
                f"WHERE visit_id = %s AND client_id = %s{lock}",
                [visit.pk, client_id],
            )
            c.execute(
                "SELECT id FROM checkout_checkout WHERE attendance_id = %s "
                "AND status IN ('awaiting', 'settled')",
                [att["id"]],
            )
            c.execute(
                "SELECT COALESCE(SUM(CASE WHEN kind = 'debit' THEN amount ELSE -amount END), 0) "
                "FROM ledger_entry WHERE organization_id = %s AND client_id = %s "
                "AND status = 'active'",
                [org.pk, client_id],
            )
            common = {"client_id": client_id, "account_id": accounts[client_id], "created_at": now}
            c.execute(
                sql[Entry],
                _params(Entry, {**t.charge, **common, "cause_id": str(att["id"])}),
            )
            charge_id = c.fetchone()[0]
            c.execute(
                "UPDATE schedule_attendance SET state = 'attended', charge = 'balance', "
                "entry_id = %s, marked_at = %s WHERE id = %s",
                [charge_id, now, att["id"]],
            )
            c.execute(
                "UPDATE schedule_visit SET status_id = %s WHERE id = %s",
                [t.came_status_id, visit.pk],
            )
            c.execute(
                sql[Checkout],
                _params(
                    Checkout,
                    {
                        **t.checkout,
                        "visit_id": visit.pk,
                        "attendance_id": att["id"],
                        "client_id": client_id,
                        "receipt_id": None,
                        "created_at": now,
                    },
                ),
            )
            checkout_id = c.fetchone()[0]
            c.execute(
                sql[Entry], _params(Entry, {**t.money, **common, "cause_id": str(checkout_id)})
            )
            money_id = c.fetchone()[0]
            c.execute(
                sql[FinancialOperation],
                _params(
                    FinancialOperation,
                    {
                        **t.operation,
                        "client_id": client_id,
                        "entry_id": money_id,
                        "cause_id": str(checkout_id),
                        "created_at": now,
                    },
                ),
            )
            operation_id = c.fetchone()[0]
            c.execute(
                sql[SalesReceipt],
                _params(
                    SalesReceipt,
                    {
                        **t.receipt,
                        "client_id": client_id,
                        "cause_id": str(checkout_id),
                        "created_at": now,
                    },
                ),
            )
            receipt_id = c.fetchone()[0]
            c.execute(
                sql[SalesReceiptLine],
                _params(
                    SalesReceiptLine, {**t.line, "receipt_id": receipt_id, "entry_id": charge_id}
                ),
            )
            c.execute(
                sql[SalesReceiptPayment],
                _params(
                    SalesReceiptPayment,
                    {**t.payment, "receipt_id": receipt_id, "entry_id": money_id},
                ),
            )
            c.execute(
                "UPDATE checkout_checkout SET receipt_id = %s, settled_at = %s WHERE id = %s",
                [receipt_id, now, checkout_id],
            )
            ids = {
                "ledger.entry": charge_id,
                "schedule.attendance": att["id"],
                "schedule.visit": visit.pk,
                "checkout.checkout": checkout_id,
                "ledger.financialoperation": operation_id,
                "ledger.salesreceipt": receipt_id,
            }
            params: list = []
            for row in t.audit:
                params += _params(
                    AuditLog,
                    {
                        **row,
                        "created_at": now,
                        "object_id": str(ids.get(row["object_type"], row["object_id"])),
                    },
                )
            c.execute(audit_sql, params)
    return clock.perf_counter() - started


def totals(org, visits) -> dict:  # type: ignore[no-untyped-def]
    """What one side wrote for its visits, to compare with the other's: row counts and
    money per table (the raw baseline must write the same rows, every run)."""
    from django.db.models import Count, Sum

    from zapys.checkout.models import Checkout
    from zapys.core.models import AuditLog
    from zapys.core.tenancy import org_scope
    from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt, SalesReceiptLine
    from zapys.schedule.models import Attendance, Visit

    ids = [v.pk for v in visits]
    with org_scope(org):
        rows = Checkout.objects.filter(visit_id__in=ids)
        checkout_ids = [str(i) for i in rows.values_list("id", flat=True)]
        attendance_ids = [
            str(i) for i in Attendance.objects.filter(visit_id__in=ids).values_list("id", flat=True)
        ]
        receipts = SalesReceipt.objects.filter(cause_id__in=checkout_ids)
        found = {
            "checkouts": rows.aggregate(n=Count("id"), card=Sum("paid_card")),
            "entries": Entry.objects.filter(cause_id__in=checkout_ids + attendance_ids)
            .values("kind", "purpose")
            .annotate(n=Count("id"), amount=Sum("amount"))
            .order_by("kind", "purpose"),
            "operations": FinancialOperation.objects.filter(cause_id__in=checkout_ids).aggregate(
                n=Count("id"), amount=Sum("amount")
            ),
            "receipts": receipts.aggregate(n=Count("id"), total=Sum("total"), paid=Sum("paid")),
            "lines": SalesReceiptLine.objects.filter(receipt__in=receipts).aggregate(
                n=Count("id"), amount=Sum("amount")
            ),
            "attendances": Attendance.objects.filter(visit_id__in=ids)
            .values("state", "charge")
            .annotate(n=Count("id"))
            .order_by("state"),
            "statuses": Visit.objects.filter(pk__in=ids)
            .values("status_id")
            .annotate(n=Count("id"))
            .order_by("status_id"),
            "audit": AuditLog.objects.filter(
                object_type="checkout.checkout", object_id__in=checkout_ids
            )
            .values("action")
            .annotate(n=Count("id"))
            .order_by("action"),
        }
    return {k: v if isinstance(v, dict) else list(v) for k, v in found.items()}


def main() -> None:
    from tests.factories import SYSTEM
    from zapys.core.tenancy import org_scope

    call_command("migrate", verbosity=0)
    print(f"building {2 * REPEAT * N} visits on {connection.vendor} …", flush=True)
    org, visits = build()
    from zapys.core.models import AuditLog

    service_run(org, visits[:1], SYSTEM)  # the article and the card payment type, once
    with org_scope(org):
        before = AuditLog.objects.order_by("-id").values_list("id", flat=True)[0]
    service_run(org, visits[1:2], SYSTEM)  # the rows one checkout writes
    templates = Templates(org, visits[1], before)
    print(f"one checkout writes {len(templates.audit)} audit rows", flush=True)
    ours, raws, counts = [], [], []
    rest = visits[2:]
    for r in range(REPEAT):
        mine = rest[2 * r * N : (2 * r + 1) * N]
        theirs = rest[(2 * r + 1) * N : (2 * r + 2) * N]
        seconds, counted = service_run(org, mine, SYSTEM)
        ours.append(seconds)
        counts = counted
        print(f"  service {seconds:7.2f}s  ({N / seconds:.0f}/s)", flush=True)
        with org_scope(org):
            seconds = raw_run(org, theirs, templates)
        raws.append(seconds)
        print(f"  raw SQL {seconds:7.2f}s  ({N / seconds:.0f}/s)", flush=True)
        ours_rows, raw_rows = totals(org, mine), totals(org, theirs)
        if ours_rows != raw_rows:
            raise SystemExit(f"the two sides wrote different rows:\n{ours_rows}\n{raw_rows}")
        print(f"  same rows on both sides: {ours_rows['checkouts']}", flush=True)
    print(f"service: {min(ours):.2f}s best for {N} checkouts")
    print(f"raw SQL: {min(raws):.2f}s best, the same rows")
    print(f"statements per checkout (2nd, last): {counts} — constant: {len(set(counts)) == 1}")
    print(f"ratio:   {min(ours) / min(raws):.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    try:
        main()
    finally:
        print(f"database: {LABEL}")
        CLEANUP()
