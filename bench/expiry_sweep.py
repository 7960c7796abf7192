"""Benchmark: 20,000 pending prepayment bookings past their deadline; one tick expires
and auto-cancels all of them, writing the outbox messages. Prints the sweep's time and
query count beside a raw-SQL equivalent (the same UPDATEs and INSERT ... SELECTs) run on
the same rows in the same process, as a ratio (target ≤ 3×).

    .venv/bin/python bench/expiry_sweep.py            # throwaway SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys_bench .venv/bin/python bench/expiry_sweep.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["ZAPYS_VAR_DIR"] = tempfile.mkdtemp(prefix="zapys-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_BOOKINGS", "20000"))
N_STAFF = 20


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
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message
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


def raw_sql(org, now) -> None:  # type: ignore[no-untyped-def]
    """The same work written by hand: two booking UPDATEs, the visit and attendance
    UPDATEs, and the outbox rows as INSERT ... SELECT."""
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


def main() -> None:
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message
    from zapys.prepayments.models import Booking
    from zapys.prepayments.sweeps import sweep

    call_command("migrate", verbosity=0)
    print(f"building {N} bookings on {connection.vendor} …", flush=True)
    org, now = build()

    reset(org)
    t0 = clock.perf_counter()
    raw_sql(org, now)
    raw = clock.perf_counter() - t0
    with unscoped():
        raw_messages = Message.objects.filter(organization=org).count()

    reset(org)
    # A worker has its URLconf loaded long before a sweep runs; load it here too, so the
    # one-off import is not billed to the sweep.
    from django.urls import reverse

    reverse("core:healthz")
    with CaptureQueriesContext(connection) as ctx:
        t0 = clock.perf_counter()
        result = sweep(now)
        ours = clock.perf_counter() - t0
    with unscoped():
        statuses = set(Booking.objects.filter(organization=org).values_list("status", flat=True))
        messages = Message.objects.filter(organization=org).count()
    assert statuses == {"cancelled"}, statuses
    assert result.expired == result.cancelled == N, result
    print(f"sweep:   {ours:.2f}s, {len(ctx)} queries, {messages} messages ({result.summary()})")
    print(f"raw SQL: {raw:.2f}s, {raw_messages} messages")
    print(f"ratio:   {ours / raw:.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    main()
