"""Benchmark: free slots for one service across 30 specialists for 14 days with 5,000
existing visits. Prints time and query count of `free_slots`, and the ratio against a
raw-SQL fetch of the same rows (weekly hours, exceptions, visits) in the same process.

    .venv/bin/python bench/availability.py          # throwaway SQLite database
    DATABASE_URL=postgres://... .venv/bin/python bench/availability.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["ZAPYS_VAR_DIR"] = tempfile.mkdtemp(prefix="zapys-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N_STAFF, N_DAYS, N_VISITS, REPEAT = 30, 14, 5000, 5


def build():  # type: ignore[no-untyped-def]
    from tests.factories import make_branch, make_org
    from tests.factories_clients import make_client
    from tests.factories_schedule import make_service, make_specialist
    from zapys.core.tenancy import org_scope, organization_zone
    from zapys.schedule import services
    from zapys.schedule.models import Visit

    org = make_org("Bench")
    with org_scope(org):
        branch = make_branch(org, "Main")
        service = make_service(org, duration_minutes=45, branches=[branch])
        short = make_service(org, duration_minutes=20, branches=[branch])
        hours = [(d, time(8), time(21)) for d in range(7)]
        specs = [make_specialist(org, branch, hours=hours) for _ in range(N_STAFF)]
        clients = [make_client(org) for _ in range(50)]
        status = services.visit_statuses_ensure(organization=org)["booked"]
        tz = organization_zone(org)
        first = date(2031, 3, 3)
        rows = []
        per_day = N_VISITS // (N_STAFF * N_DAYS) + 1
        for n in range(N_VISITS):
            s = specs[n % N_STAFF]
            day = first + timedelta(days=(n // N_STAFF) % N_DAYS)
            slot = n // (N_STAFF * N_DAYS)
            at = datetime.combine(day, time(8), tz) + timedelta(minutes=40 * slot)
            rows.append(
                Visit(
                    organization=org,
                    branch=branch,
                    staff=s,
                    client=clients[n % 50],
                    service=short,
                    starts_at=at,
                    ends_at=at + timedelta(minutes=20),
                    price=100,
                    status=status,
                )
            )
        Visit.objects.bulk_create(rows, batch_size=1000)
        services.schedule_settings_update(
            organization=org,
            actor=services.Actor.system("b"),
            buffer_minutes=10,
            slot_step_minutes=15,
        )
        assert per_day
    return org, service, first


def main() -> None:
    call_command("migrate", verbosity=0)
    from zapys.core.tenancy import org_scope
    from zapys.schedule.selectors import free_slots

    org, service, first = build()
    last = first + timedelta(days=N_DAYS - 1)
    with org_scope(org):
        free_slots(organization=org, service=service, date_from=first, date_to=last)
        best = float("inf")
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as ctx:
                t0 = clock.perf_counter()
                slots = free_slots(
                    organization=org,
                    service=service,
                    date_from=first,
                    date_to=last,
                    now=datetime(2031, 1, 1).astimezone(),
                )
                best = min(best, clock.perf_counter() - t0)
        queries = len(ctx.captured_queries)
    raw_best = float("inf")
    start = datetime.combine(first, time.min).astimezone()
    end = datetime.combine(last + timedelta(days=1), time.min).astimezone()
    for _ in range(REPEAT):
        t0 = clock.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id FROM catalog_service_branches WHERE service_id = %s", [service.pk]
            )
            cur.fetchall()
            cur.execute(
                'SELECT staff_id, branch_id, weekday, start, "end" FROM '
                "schedule_workinghours WHERE organization_id = %s",
                [org.pk],
            )
            cur.fetchall()
            cur.execute(
                'SELECT staff_id, branch_id, date, kind, start, "end" FROM '
                "schedule_hoursexception WHERE organization_id = %s AND date "
                "BETWEEN %s AND %s",
                [org.pk, first, last],
            )
            cur.fetchall()
            cur.execute(
                "SELECT staff_id, starts_at, ends_at FROM schedule_visit WHERE "
                "organization_id = %s AND blocks_time AND starts_at < %s AND "
                "ends_at > %s ORDER BY staff_id, starts_at",
                [org.pk, end, start],
            )
            fetched = len(cur.fetchall())
        raw_best = min(raw_best, clock.perf_counter() - t0)
    print(f"database: {connection.vendor}")
    print(f"{N_STAFF} specialists × {N_DAYS} days, {fetched} visits in range")
    print(f"free_slots: {best * 1000:.1f} ms, {queries} queries, {len(slots)} free slots")
    print(f"raw SQL fetch of the same rows: {raw_best * 1000:.1f} ms")
    print(f"ratio free_slots / raw fetch: {best / raw_best:.1f}x")


if __name__ == "__main__":
    main()
