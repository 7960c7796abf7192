"""Benchmark: 20,000 pending prepayment bookings past their deadline; one tick expires
and auto-cancels all of them, writing the outbox messages. Prints the sweep's time and
query count beside a raw-SQL equivalent (the same UPDATEs and INSERT ... SELECTs) run on
the same rows in the same process, as a ratio (target ≤ 3×). Each side runs BENCH_REPEAT
times (default 3), alternating, from the same reset state; the best of each is compared.

    .venv/bin/python bench/expiry_sweep.py            # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/expiry_sweep.py
                                                      # a throwaway `zapys_bench_sweep`, dropped after
"""

from __future__ import annotations

import os
import sys
import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_sweep")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_BOOKINGS", "20000"))
N_STAFF = 20
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def build():  # type: ignore[no-untyped-def]
    from tests.factories import SYSTEM, make_branch, make_org, make_staff
    from tests.factories_prepayments import enable_prepayment, make_client, make_service
    from zapys.core.tenancy import org_scope
    from zapys.prepayments.models import Booking
    from zapys.prepayments.services import cancel_status_create
    from zapys.schedule.models import Attendance, Visit
    from zapys.schedule.services import visit_statuses_ensure

    org = make_org("Bench")
    with org_scope(org):
        branch = make_branch(org, "Main")
        enable_prepayment(org, auto_cancel=True, auto_cancel_after_minutes=0)
        cancel_status_create(organization=org, actor=SYSTEM)
        staff = [make_staff(org, "specialist", branches=[branch]) for _ in range(N_STAFF)]
        service = make_service(org)
        clients = [make_client(org) for _ in range(500)]
        status = visit_statuses_ensure(organization=org)["booked"]
        now = timezone.now()
        start = now + timedelta(days=30)
        visits = [
            Visit(
                organization=org,
                branch=branch,
                staff=staff[i % N_STAFF],
                client=clients[i % len(clients)],
                service=service,
                starts_at=start + timedelta(hours=i // N_STAFF),
                ends_at=start + timedelta(hours=i // N_STAFF, minutes=50),
                price=service.price,
                status=status,
                booking_state="pending",
            )
            for i in range(N)
        ]
        Visit.objects.bulk_create(visits, batch_size=2000)
        Attendance.objects.bulk_create(
            [Attendance(organization=org, visit=v, client_id=v.client_id) for v in visits],
            batch_size=2000,
        )
        Booking.objects.bulk_create(
            [
                Booking(
                    organization=org,
                    visit=v,
                    client_id=v.client_id,
                    branch=branch,
                    amount=20_000,
                    expires_at=now - timedelta(hours=1, seconds=i % 3600),
                    auto_cancel_at=now - timedelta(minutes=30),
                )
                for i, v in enumerate(visits)
            ],
            batch_size=2000,
        )
    return org, now


def reset(org) -> None:  # type: ignore[no-untyped-def]
    from zapys.core.models import AuditLog
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message, StaffNotification
    from zapys.prepayments.models import Booking
    from zapys.schedule.models import Attendance, Visit
    from zapys.schedule.services import visit_statuses_ensure

    with unscoped():
        booked = visit_statuses_ensure(organization=org)["booked"]
        Booking.objects.filter(organization=org).update(
            status="pending", expired_at=None, cancelled_at=None
        )
        Visit.objects.filter(organization=org).update(
            status=booked, blocks_time=True, cancelled_at=None, booking_state="pending"
        )
        Attendance.objects.filter(organization=org).update(state="planned", marked_at=None)
        Message.objects.filter(organization=org).delete()
        AuditLog.objects.filter(organization=org, actor_label="prepayments.sweep").delete()
        StaffNotification.objects.filter(organization=org).delete()


def raw_sql(org, now) -> None:  # type: ignore[no-untyped-def]
    """The same rows written by hand, set-based: the booking, visit and attendance
    UPDATEs, and as INSERT ... SELECT the outbox rows, the audit rows (booking expired, the
    visit's clock, booking auto-cancelled, visit status, attendance cancelled) and a staff
    notification per step."""
    from zapys.core.tenancy import org_scope
    from zapys.prepayments.services import cancel_status_for, prepayment_settings_get

    with org_scope(org):
        status_id = cancel_status_for(org, prepayment_settings_get(org)).pk
        account_id = (
            __import__("zapys.messaging.services")
            .messaging.services.active_accounts(organization=org)["sms"]
            .pk
        )
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "UPDATE prepayments_booking SET status='expired', expired_at=%s "
            "WHERE status='pending' AND expires_at <= %s",
            [now, now],
        )
        c.execute(
            "UPDATE schedule_visit SET booking_state='expired' WHERE id IN "
            "(SELECT visit_id FROM prepayments_booking WHERE status='expired')"
        )
        for event, suffix in (
            ("prepayments.link_expired", "expired"),
            ("prepayments.visit_cancelled", "cancelled"),
        ):
            c.execute(
                "INSERT INTO messaging_message (organization_id, client_id, recipient, channel, "
                "transport_account_id, transport_code, event, subject, text, related_type, "
                "related_id, idempotency_key, status, attempts, next_attempt_at, claim_token, "
                "last_error, provider_message_id, created_at) "
                "SELECT b.organization_id, b.client_id, cl.phone, 'sms', %s, 'console', %s, '', "
                "cl.name || ', the prepayment was not received', 'prepayments.booking', "
                "CAST(b.id AS TEXT), 'booking:' || b.id || ':' || %s, 'queued', 0, %s, '', '', '', %s "
                "FROM prepayments_booking b JOIN clients_client cl ON cl.id = b.client_id "
                "WHERE b.status='expired'",
                [account_id, event, suffix, now, now],
            )
        _raw_audit(c, now, "booking.expired", "prepayments_booking", "status='expired'")
        _raw_audit(
            c,
            now,
            "visit.booking_state",
            "schedule_visit",
            "id IN (SELECT visit_id FROM prepayments_booking WHERE status='expired')",
        )
        _raw_notification(c, org.pk, now, "Prepayment not received in time")
        c.execute(
            "UPDATE prepayments_booking SET status='cancelled', cancelled_at=%s "
            "WHERE status='expired' AND auto_cancel_at <= %s",
            [now, now],
        )
        c.execute(
            "UPDATE schedule_visit SET status_id=%s, blocks_time=%s, cancelled_at=%s "
            "WHERE id IN (SELECT visit_id FROM prepayments_booking "
            "WHERE status='cancelled')",
            [status_id, False, now],
        )
        c.execute(
            "UPDATE schedule_attendance SET state='cancelled', marked_at=%s WHERE "
            "visit_id IN (SELECT visit_id FROM prepayments_booking "
            "WHERE status='cancelled') AND state='planned'",
            [now],
        )
        _raw_audit(c, now, "booking.auto_cancelled", "prepayments_booking", "status='cancelled'")
        _raw_audit(
            c,
            now,
            "visit.status",
            "schedule_visit",
            "id IN (SELECT visit_id FROM prepayments_booking WHERE status='cancelled')",
        )
        _raw_audit(
            c,
            now,
            "attendance.mark",
            "schedule_attendance",
            "visit_id IN (SELECT visit_id FROM prepayments_booking WHERE status='cancelled') "
            "AND state='cancelled'",
        )
        _raw_notification(c, org.pk, now, "Visits cancelled: prepayment not received")


def _raw_audit(c, now, action: str, table: str, where: str) -> None:  # type: ignore[no-untyped-def]
    c.execute(
        "INSERT INTO core_auditlog (organization_id, created_at, actor_kind, actor_label, "
        "action, object_type, object_id, object_repr, changes) "
        f"SELECT organization_id, %s, 'scheduler', 'prepayments.sweep', %s, %s, "
        f"CAST(id AS TEXT), 'Booking #' || id, '{{}}' FROM {table} WHERE {where}",
        [now, action, table.replace("_", ".", 1)],
    )


def _raw_notification(c, org_id: int, now, title: str) -> None:  # type: ignore[no-untyped-def]
    # (the app also stores the msgid and count as JSON: one row per organization per batch)
    c.execute(
        "INSERT INTO messaging_staffnotification (organization_id, title, body, title_text, "
        "body_text, url, level, related_type, related_id, created_at) VALUES (%s, %s, '', "
        "'{}', '{}', '', 'warning', 'prepayments.booking', '', %s)",
        [org_id, title, now],
    )


def run_raw(org, now) -> float:  # type: ignore[no-untyped-def]
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message

    reset(org)
    t0 = clock.perf_counter()
    raw_sql(org, now)
    seconds = clock.perf_counter() - t0
    with unscoped():
        assert Message.objects.filter(organization=org).count() == 2 * N
    return seconds


def run_sweep(org, now):  # type: ignore[no-untyped-def]
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message
    from zapys.prepayments.models import Booking
    from zapys.prepayments.sweeps import sweep

    reset(org)
    with CaptureQueriesContext(connection) as ctx:
        t0 = clock.perf_counter()
        if os.environ.get("BENCH_PROFILE"):  # where the sweep's time goes
            import cProfile

            with cProfile.Profile() as profile:
                result = sweep(now)
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        else:
            result = sweep(now)
        seconds = clock.perf_counter() - t0
    with unscoped():
        statuses = set(Booking.objects.filter(organization=org).values_list("status", flat=True))
        assert Message.objects.filter(organization=org).count() == 2 * N
    assert statuses == {"cancelled"}, statuses
    assert result.expired == result.cancelled == N, result
    return seconds, ctx, result


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"building {N} bookings on {connection.vendor} …", flush=True)
    org, now = build()
    # A worker has its URLconf loaded long before a sweep runs; load it here too, so the
    # one-off import is not billed to the sweep.
    from django.urls import reverse

    reverse("core:healthz")
    # Alternate the two, REPEAT times each, and keep each one's best run: on a shared
    # 2-core machine one run of either can be slowed by anything else running.
    raws, ours = [], []
    for _ in range(REPEAT):
        raws.append(run_raw(org, now))
        seconds, ctx, result = run_sweep(org, now)
        ours.append(seconds)
    if os.environ.get("BENCH_QUERIES"):  # database time by statement, slowest first
        spent: dict[str, float] = {}
        for q in ctx.captured_queries:
            head = " ".join(q["sql"].split()[:4])[:70]
            spent[head] = spent.get(head, 0.0) + float(q["time"])
        for head, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  {seconds:7.2f}s  {head}")
    runs = ", ".join(f"{o:.2f}/{r:.2f}" for o, r in zip(ours, raws, strict=True))
    print(f"sweep:   {min(ours):.2f}s best, {len(ctx)} queries ({result.summary()})")
    print(f"raw SQL: {min(raws):.2f}s best, the same {2 * N} messages and audit rows")
    print(f"runs (sweep/raw): {runs}")
    print(f"ratio:   {min(ours) / min(raws):.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    try:
        print(f"database: {LABEL}")
        main()
    finally:
        CLEANUP()
