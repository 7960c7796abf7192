"""Benchmark: the client's cabinet page (K1) for a client with a long history.

Builds one client with N past visits (attended), N ledger entries, N/2 sales receipts with
a line each, 50 memberships, 50 open invoices and a pending booking, plus a small client,
then times what the page reads (`cabinet.selectors.cabinet_card` + the link lookup and the
family) against raw SQL reading the same rows in the same process, and the whole page
through Django's test client. The query count must not grow with the history.

    .venv/bin/python bench/cabinet.py [--n 5000]               # throwaway SQLite database
    DATABASE_URL=postgres://... .venv/bin/python bench/cabinet.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time as clock
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_cabinet")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEAT = 10


def build(n: int):  # type: ignore[no-untyped-def]
    from tests.factories import SYSTEM, make_branch, make_org, make_staff
    from tests.factories_ledger import make_entry, make_plan
    from tests.factories_prepayments import (
        enable_prepayment,
        make_booking,
        make_booking_type,
        make_client,
        make_service,
        make_visit,
    )
    from zapys.core.tenancy import org_scope
    from zapys.invoices.models import Invoice
    from zapys.ledger.models import Entry, SalesReceipt, SalesReceiptLine
    from zapys.ledger.services import account_base_for
    from zapys.memberships.models import ClientMembership
    from zapys.schedule.models import Attendance, Visit

    org = make_org("Bench cabinet")
    with org_scope(org), transaction.atomic():
        branch = make_branch(org, "Main")
        staff = make_staff(org, "specialist", branches=[branch])
        enable_prepayment(org, with_sms=False)
        service = make_service(org)
        small, big = make_client(org), make_client(org)
        make_entry(big, kind="debit", amount=1_000)  # the base account
        account = account_base_for(client=big)
        booked = make_visit(org, branch, client=big, staff=staff, service=service)
        make_booking(org, branch, visit=booked, booking_type=make_booking_type(org))
        status = booked.status
        start = timezone.now() - timedelta(days=n // 4 + 2)
        visits = Visit.objects.bulk_create(
            [
                Visit(
                    organization=org,
                    branch=branch,
                    staff=staff,
                    client=big,
                    service=service,
                    starts_at=start + timedelta(hours=6 * i),
                    ends_at=start + timedelta(hours=6 * i, minutes=60),
                    status=status,
                    price=100_000,
                )
                for i in range(n)
            ],
            batch_size=2000,
        )
        Attendance.objects.bulk_create(
            [Attendance(organization=org, visit=v, client=big, state="attended") for v in visits],
            batch_size=2000,
        )
        now = timezone.now()
        Entry.objects.bulk_create(
            [
                Entry(
                    organization=org,
                    account=account,
                    client=big,
                    kind="credit" if i % 2 else "debit",
                    amount=1_000 + i,
                    purpose="service" if i % 2 else "payment",
                    created_at=now - timedelta(minutes=i),
                )
                for i in range(n)
            ],
            batch_size=2000,
        )
        receipts = SalesReceipt.objects.bulk_create(
            [
                SalesReceipt(
                    organization=org,
                    branch=branch,
                    client=big,
                    total=1_000,
                    paid=1_000,
                    created_at=now - timedelta(minutes=i),
                )
                for i in range(n // 2)
            ],
            batch_size=2000,
        )
        SalesReceiptLine.objects.bulk_create(
            [
                SalesReceiptLine(organization=org, receipt=r, name="Service", amount=1_000)
                for r in receipts
            ],
            batch_size=2000,
        )
        plan = make_plan(org)
        today = timezone.localdate()
        ClientMembership.objects.bulk_create(
            [
                ClientMembership(
                    organization=org,
                    client=big,
                    plan=plan,
                    account=account,
                    name=f"Plan {i}",
                    price=1_000,
                    sale_mode="free",
                    starts_on=today - timedelta(days=i),
                    ends_on=today + timedelta(days=30 + i),
                    visits_total=8,
                )
                for i in range(50)
            ]
        )
        Invoice.objects.bulk_create(
            [
                Invoice(
                    organization=org,
                    number=f"B-{i}",
                    client=big,
                    account=account,
                    amount=5_000 + i,
                    pay_from=date(2020, 1, 1),
                )
                for i in range(50)
            ]
        )
        _ = SYSTEM
    return org, small, big


def timed(fn) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    fn()
    start = clock.perf_counter()
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            fn()
    return (clock.perf_counter() - start) / REPEAT, len(ctx.captured_queries)


RAW = [
    "SELECT c.*, o.* FROM clients_client c JOIN accounts_organization o ON o.id = "
    "c.organization_id WHERE c.cabinet_token = %(token)s AND c.deleted_at IS NULL",
    "SELECT * FROM clients_client WHERE organization_id = %(org)s AND deleted_at IS NULL AND "
    "phone = %(phone)s AND id <> %(client)s ORDER BY name, id LIMIT 9",
    "SELECT SUM(CASE WHEN kind = 'debit' THEN amount ELSE 0 END), SUM(CASE WHEN kind = "
    "'credit' THEN amount ELSE 0 END) FROM ledger_entry WHERE organization_id = %(org)s AND "
    "client_id = %(client)s AND status = 'active'",
    "SELECT a.*, v.*, s.* FROM schedule_attendance a JOIN schedule_visit v ON v.id = a.visit_id "
    "LEFT JOIN catalog_service s ON s.id = v.service_id WHERE a.organization_id = %(org)s AND "
    "a.client_id = %(client)s AND v.starts_at >= %(now)s AND a.state = 'planned' "
    "ORDER BY v.starts_at, a.id LIMIT 10",
    "SELECT a.*, v.*, s.* FROM schedule_attendance a JOIN schedule_visit v ON v.id = a.visit_id "
    "LEFT JOIN catalog_service s ON s.id = v.service_id WHERE a.organization_id = %(org)s AND "
    "a.client_id = %(client)s AND v.starts_at < %(now)s ORDER BY v.starts_at DESC, a.id DESC "
    "LIMIT 15",
    "SELECT * FROM ledger_entry WHERE organization_id = %(org)s AND client_id = %(client)s AND "
    "status = 'active' ORDER BY created_at DESC, id DESC LIMIT 15",
    "SELECT * FROM memberships_clientmembership WHERE organization_id = %(org)s AND "
    "client_id = %(client)s AND status = 'active' AND ends_on >= %(today)s "
    "ORDER BY ends_on, id LIMIT 20",
    "SELECT r.*, l.* FROM (SELECT * FROM ledger_salesreceipt WHERE organization_id = %(org)s "
    "AND client_id = %(client)s ORDER BY created_at DESC, id DESC LIMIT 10) r "
    "LEFT JOIN ledger_salesreceiptline l ON l.receipt_id = r.id",
    "SELECT * FROM invoices_invoice WHERE organization_id = %(org)s AND (client_id = "
    "%(client)s OR payer_id = %(client)s) AND status IN ('awaiting', 'partially_paid') "
    "AND pay_from <= %(today)s ORDER BY pay_until, created_at, id",
    "SELECT b.*, v.*, s.* FROM prepayments_booking b JOIN schedule_visit v ON v.id = b.visit_id "
    "LEFT JOIN catalog_service s ON s.id = v.service_id WHERE b.organization_id = %(org)s AND "
    "b.client_id = %(client)s AND b.status = 'pending' AND b.expires_at > %(now)s",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0, skip_checks=True)
        org, small, big = build(args.n)
        run(org, small, big, args.n)
    finally:
        CLEANUP()


def run(org, small, big, n: int) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client as Browser

    from zapys.cabinet.selectors import cabinet_card
    from zapys.clients.cabinet import cabinet_family, client_by_cabinet_token
    from zapys.core.tenancy import public_scope

    def reads(token: str):  # type: ignore[no-untyped-def]
        def go() -> None:
            client = client_by_cabinet_token(token)
            assert client is not None
            with public_scope(client.organization, "uk"):
                cabinet_family(client)
                cabinet_card(client)

        return go

    def raw(client):  # type: ignore[no-untyped-def]
        params = {
            "token": client.cabinet_token, "org": org.pk, "client": client.pk,
            "phone": client.phone, "now": timezone.now(), "today": timezone.localdate(),
        }  # fmt: skip

        def go() -> None:
            with connection.cursor() as cursor:
                for sql in RAW:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return go

    def page(token: str):  # type: ignore[no-untyped-def]
        browser = Browser()

        def go() -> None:
            assert browser.get(f"/c/{token}/").status_code == 200

        return go

    print(f"cabinet page, {LABEL}: a client with {n} visits, {n} entries, {n // 2} receipts,")
    print("50 memberships, 50 open invoices, a pending booking; and a client with nothing")
    for label, who in (("long history", big), ("no history", small)):
        app_time, queries = timed(reads(who.cabinet_token))
        sql_time, raw_queries = timed(raw(who))
        page_time, page_queries = timed(page(who.cabinet_token))
        print(
            f"{label:13s} reads {app_time * 1000:7.1f} ms ({queries} queries)  raw SQL "
            f"{sql_time * 1000:7.1f} ms ({raw_queries})  ratio {app_time / sql_time:5.2f}x  "
            f"whole page {page_time * 1000:7.1f} ms ({page_queries} queries)"
        )


if __name__ == "__main__":
    main()
