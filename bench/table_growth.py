"""What grows, by how much, and whether the hot paths stay constant: numbers for docs/scaling.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/table_growth.py
        [--bookings 1000] [--paid 0.7] [--orgs 500] [--scale 1]

Part 1, real rows: in a throwaway PostgreSQL database, one organization takes
`--bookings` prepayment bookings through the services (a visit, the booking, its
payment, the link SMS through the outbox), `--paid` of them paid by a LiqPay-signed
callback through `payment_callback_handle` (event, ledger entry, income operation, sales
receipt, audit rows, "paid" SMS), the rest expired and cancelled by the deadline sweep.
The paid visits are then marked "came" (the price charged to the balance).
Then every table's rows and `pg_total_relation_size` (heap + TOAST + indexes), as
written and after VACUUM FULL: bytes per row, rows per booking.

Part 3: the same two staff pages again with the (organization, created_at) indexes that
docs/scaling.md proposes, created here only.

Part 2, at size: the organization's rows are copied (INSERT … SELECT) into `--orgs`
synthetic organizations × `--scale`, as if the database held that many organizations'
years, and the hot paths are EXPLAIN ANALYZEd as the code runs them (QuerySet.explain on
the same querysets, or the callback path's statements): the provider callback's payment
lookup and event insert, the outbox claim, the deadline sweep's claim, a client's
balance, the staff audit-log page of one organization.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._throwaway import throwaway_database  # noqa: E402

TABLES = [
    "core_auditlog",
    "payments_paymentevent",
    "payments_payment",
    "messaging_message",
    "ledger_entry",
    "ledger_financialoperation",
    "ledger_salesreceipt",
    "ledger_salesreceiptline",
    "ledger_salesreceiptpayment",
    "prepayments_booking",
    "schedule_visit",
    "schedule_attendance",
    "messaging_staffnotification",
]
PRIVATE = "growth-private-key"
PUBLIC = "i-growth"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--paid", type=float, default=0.7)
    parser.add_argument("--orgs", type=int, default=500, help="synthetic organizations (part 2)")
    parser.add_argument("--scale", type=int, default=1, help="copies per synthetic organization")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://… (a throwaway database is made beside it)")
    label, cleanup = throwaway_database("growth")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "zapys.settings",
            "HUEY_IMMEDIATE": "1",
            "LOG_LEVEL": "ERROR",
            "DEBUG": "0",
            "ZAPYS_VAR_DIR": str(ROOT / "var" / "bench"),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    try:
        print(f"database: {label}")
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        org = real_rows(args.bookings, args.paid)
        print(f"part 1: {args.bookings} bookings in {time.monotonic() - started:.0f}s")
        report_sizes(args.bookings)
        started = time.monotonic()
        copies = at_size(org, args.orgs, args.scale)
        print(f"part 2: copied into {copies} organizations in {time.monotonic() - started:.0f}s")
        hot_paths(org)
        print("\nwith the (organization, created_at) indexes docs/scaling.md proposes:")
        from django.db import connection

        with connection.cursor() as cursor:
            for table in ("core_auditlog", "payments_payment"):
                cursor.execute(
                    f"CREATE INDEX {table}_org_time ON {table} (organization_id, created_at)"
                )
            cursor.execute("ANALYZE")
        hot_paths(org, only=("audit log page", "online payments page"))
    finally:
        cleanup()


# --------------------------------------------------------------------------- part 1


def real_rows(bookings: int, paid_share: float):
    from django.utils import timezone

    from zapys.accounts.models import User
    from zapys.accounts.services import branch_create, organization_create, staff_create
    from zapys.catalog.models import Service
    from zapys.clients.models import Client
    from zapys.core.audit import Actor
    from zapys.core.tenancy import org_scope
    from zapys.messaging.services import transport_account_save
    from zapys.payments.providers.liqpay import encode_data, sign
    from zapys.payments.services import payment_account_create, payment_callback_handle
    from zapys.prepayments import services as prepayments
    from zapys.prepayments.models import Booking
    from zapys.prepayments.sweeps import sweep
    from zapys.schedule import services as schedule

    actor = Actor.system("bench")
    org = organization_create(name="Growth", slug="growth", actor=actor)
    with org_scope(org):
        branch = branch_create(organization=org, name="Main", actor=actor)
        staff = [
            staff_create(
                organization=org,
                username=f"spec{i}",
                password="x-bench-password-1",
                role=User.Role.SPECIALIST,
                first_name=f"Майстер {i}",
                branches=[branch],
                actor=actor,
            )
            for i in range(8)
        ]
        for spec in staff:
            schedule.staff_hours_set(
                staff=spec,
                branch=branch,
                intervals=[(d, clock(0), clock(23, 59)) for d in range(7)],
                actor=actor,
            )
        service = Service.objects.for_org(org).create(
            organization=org, name="Стрижка", duration_minutes=60, price=100_000
        )
        account = payment_account_create(
            organization=org,
            provider="liqpay",
            credentials={"public_key": PUBLIC, "private_key": PRIVATE},
            actor=actor,
        )
        transport_account_save(
            organization=org,
            actor=actor,
            channel="sms",
            code="console",
            credentials={},
            base_url="",
            priority=10,
            is_active=True,
        )
        prepayments.prepayment_settings_update(
            organization=org,
            actor=actor,
            enabled=True,
            payment_account=account,
            agreement_enabled=False,
        )
        prepayments.booking_type_create(
            organization=org,
            name="200 грн",
            rule="fixed",
            value=20_000,
            actor=actor,
            is_default=True,
        )
        now = timezone.now()
        made = []
        for i in range(bookings):
            client = Client.objects.for_org(org).create(
                organization=org, name=f"Олена Коваленко {i}", phone=f"+38067{i:07d}"
            )
            visit = schedule.visit_create(
                organization=org,
                client=client,
                staff=staff[i % len(staff)],
                service=service,
                branch=branch,
                starts_at=now + timedelta(days=2, hours=i // len(staff)),
                actor=actor,
                now=now,
            )
            made.append(prepayments.booking_create(visit=visit, actor=actor, now=now))
        paid = made[: int(bookings * paid_share)]
        for n, booking in enumerate(paid):
            payment = booking.payment
            data = encode_data(
                {
                    "public_key": PUBLIC,
                    "version": 3,
                    "action": "pay",
                    "status": "success",
                    "order_id": payment.order_id,
                    "payment_id": 3_000_000_000 + n,
                    "transaction_id": 3_000_000_000 + n,
                    "amount": payment.amount / 100,
                    "currency": "UAH",
                    "description": "Передоплата: Стрижка",
                    "end_date": 1_764_000_000_000 + n,
                    "sender_card_mask2": "424242*42",
                    "sender_card_bank": "Test Bank",
                    "sender_card_type": "visa",
                    "sender_card_country": 804,
                    "ip": "203.0.113.7",
                    "is_3ds": True,
                    "paytype": "card",
                    "acq_id": 414963,
                    "type": "buy",
                    "commission_credit": 0.5,
                    "amount_debit": payment.amount / 100,
                    "currency_debit": "UAH",
                    "create_date": 1_764_000_000_000 + n,
                }
            )
            body = urlencode({"data": data, "signature": sign(PRIVATE, data)}).encode()
            payment_callback_handle(
                account=account, body=body, content_type="application/x-www-form-urlencoded"
            )
        # The paid visits happen: "came" charges the price to the balance the prepayment
        # went to (a ledger entry, the attendance, audit rows), as the front desk does.
        came = schedule.visit_statuses_ensure(organization=org)["came"]
        for booking in paid:
            visit = booking.visit
            schedule.visit_status_set(
                visit=visit, status=came, actor=actor, now=visit.starts_at + timedelta(hours=1)
            )
        later = now + timedelta(days=1, hours=1)
        Booking.objects.for_org(org).filter(status="pending").update(
            expires_at=now, auto_cancel_at=now
        )
        sweep(later)
    from zapys.messaging.outbox import deliver_due

    deliver_due(now=later)  # the expiry messages the sweep queued (a live outbox sends all)
    return org


def table_sizes(cursor) -> dict[str, tuple[int, int, int, int]]:
    """table → (rows, total bytes, heap bytes, index bytes)."""
    cursor.execute("ANALYZE")
    sizes = {}
    for table in TABLES:
        cursor.execute(
            "SELECT count(*), pg_total_relation_size(%s::regclass), "
            "pg_relation_size(%s::regclass), pg_indexes_size(%s::regclass) FROM " + table,
            [table, table, table],
        )
        sizes[table] = cursor.fetchone()
    return sizes


def report_sizes(bookings: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        written = table_sizes(cursor)
        for table in TABLES:
            cursor.execute(f"VACUUM FULL {table}")
        compact = table_sizes(cursor)
    print(
        f"\n{'table':<28} {'rows':>7} {'rows/booking':>12} {'B/row written':>14} "
        f"{'B/row compact':>14} {'of which index':>14}"
    )
    for table in TABLES:
        rows, total, _heap, _index = written[table]
        _rows, c_total, _c_heap, c_index = compact[table]
        if not rows:
            continue
        print(
            f"{table:<28} {rows:>7} {rows / bookings:>12.2f} {total / rows:>14.0f} "
            f"{c_total / rows:>14.0f} {c_index / rows:>14.0f}"
        )


# --------------------------------------------------------------------------- part 2


def at_size(org, orgs: int, scale: int) -> int:
    """Copy the organization's growing tables into synthetic organizations."""
    from django.db import connection

    with connection.cursor() as cursor:
        columns = _columns(cursor, "accounts_organization")
        renamed = {"name": "'Synthetic ' || g", "slug": "'synthetic-' || g"}
        cursor.execute(
            f"INSERT INTO accounts_organization ({', '.join(columns)}) "
            f"SELECT {', '.join(renamed.get(c, c) for c in columns)} "
            "FROM accounts_organization, generate_series(1, %s) g WHERE id = %s",
            [orgs * scale, org.pk],
        )
        cursor.execute("SELECT id FROM accounts_organization WHERE slug LIKE 'synthetic-%%'")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("CREATE TEMP TABLE synth (org_id bigint)")
        cursor.executemany("INSERT INTO synth VALUES (%s)", [(i,) for i in ids])
        for table, unique in (
            ("core_auditlog", {}),
            ("ledger_entry", {}),
            ("payments_paymentevent", {"dedupe_key": "dedupe_key || '/' || s.org_id"}),
            ("messaging_message", {}),
            (
                "payments_payment",
                {
                    "order_id": "left(order_id, 40) || '/' || s.org_id",
                    "token": "left(token, 40) || '/' || s.org_id",
                },
            ),
        ):
            columns = _columns(cursor, table)
            # Each copy a little later than the one before, the real organization first:
            # the worst case for a query that walks a time index across organizations.
            stamp = "created_at" if "created_at" in columns else "received_at"
            unique = {**unique, stamp: f"t.{stamp} + (s.org_id - %s) * interval '1 minute'"}
            select = [
                "s.org_id" if c == "organization_id" else unique.get(c, f"t.{c}") for c in columns
            ]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(select)} FROM {table} t, synth s "
                f"WHERE t.organization_id = %s",
                [org.pk, org.pk],
            )
        cursor.execute("ANALYZE")
    return len(ids)


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def hot_paths(org, only: tuple[str, ...] = ()) -> None:
    from django.db import connection, transaction
    from django.db.models import Q, Sum
    from django.utils import timezone

    from zapys.core.audit import AuditLog
    from zapys.core.tenancy import org_scope, unscoped
    from zapys.ledger.models import Entry
    from zapys.ledger.selectors import SIGNED_AMOUNT
    from zapys.messaging.models import Message
    from zapys.payments.models import Payment, PaymentEvent
    from zapys.prepayments.models import Booking

    now = timezone.now()
    with connection.cursor() as cursor:
        for table in () if only else TABLES[:5]:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")
            rows, size = cursor.fetchone()
            print(f"{table:<28} {rows:>10} rows {size / 2**20:>8.1f} MB")
    with unscoped():
        payment = Payment.objects.filter(organization=org).order_by("-id").first()
        event = PaymentEvent.objects.filter(organization=org).order_by("-id").first()
        client_id = Entry.objects.filter(organization=org).values_list("client_id", flat=True)[0]
        plans = {
            "callback: payment by order_id": Payment.objects.filter(order_id=payment.order_id),
            "callback: event dedupe lookup": PaymentEvent.objects.filter(
                account_id=event.account_id, dedupe_key=event.dedupe_key
            ),
            "outbox claim (200 due rows)": Message.objects.filter(status="queued")
            .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:200],
            "deadline sweep claim (1000 due)": Booking.objects.filter(
                status="pending", expires_at__lte=now
            )
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("expires_at", "id")
            .values_list("id", flat=True)[:1000],
            "client balance": Entry.objects.filter(
                organization=org, client_id=client_id, status="active"
            )
            .values("client_id")
            .annotate(balance=Sum(SIGNED_AMOUNT))
            .order_by(),
        }
    with org_scope(org):
        plans["audit log page (one org, newest 50)"] = AuditLog.objects.order_by(
            "-created_at", "-id"
        )[:50]
        plans["online payments page (one org, newest 50)"] = Payment.objects.order_by(
            "-created_at", "-id"
        )[:50]
    for name, qs in plans.items():
        if only and not name.startswith(only):
            continue
        with transaction.atomic(), unscoped():
            plan = qs.explain(analyze=True, buffers=True)
        lines = plan.splitlines()
        timing = next((line for line in lines if "Execution Time" in line), "")
        nodes = [line.strip() for line in lines if "Scan" in line or "Index" in line][:3]
        print(f"\n{name}: {timing.strip()}")
        for node in nodes:
            print(f"    {node[:150]}")


if __name__ == "__main__":
    main()
