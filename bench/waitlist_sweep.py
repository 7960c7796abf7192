"""Benchmark: 10,000 waiting-list offers past their deadline, each with a client waiting
behind; one tick passes every slot on (the lapsed offers expired, a new offer per slot to
the next client, the lapsed clients back to waiting in their place, the audit rows and the offer messages in the outbox).
Prints the sweep's time and query count, its queries per batch, beside a raw-SQL equivalent
(the same UPDATEs and INSERT ... SELECTs, pairing slots and entries with window functions)
run on the same rows in the same process, as a ratio. Each side runs BENCH_REPEAT times
(default 3), alternating, from the same reset state; the best of each is compared.

    .venv/bin/python bench/waitlist_sweep.py          # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/waitlist_sweep.py
                                                      # a throwaway `zapys_bench_waitlist`, dropped after
"""

from __future__ import annotations

import os
import sys
import time as clock
from datetime import time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_waitlist")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_OFFERS", "10000"))
N_STAFF = 20
N_CLIENTS = 1000
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def build():  # type: ignore[no-untyped-def]
    from tests.factories import make_branch, make_org, make_staff
    from tests.factories_messaging import make_transport_account
    from tests.factories_schedule import make_service
    from zapys.clients.models import Client
    from zapys.core.tenancy import org_scope
    from zapys.schedule.models import Visit
    from zapys.schedule.services import visit_statuses_ensure
    from zapys.waitlist.models import Entry, Offer, WaitlistSettings

    org = make_org("Bench")
    with org_scope(org):
        branch = make_branch(org, "Main")
        make_transport_account(org)
        staff = [make_staff(org, "specialist", branches=[branch]) for _ in range(N_STAFF)]
        service = make_service(org, "Manicure", branches=[branch])
        # no quiet hours: the bench measures passing offers on, at whatever hour it runs
        # (in quiet hours the slots would wait for the morning instead)
        WaitlistSettings.objects.create(organization=org, quiet_from=time(0), quiet_to=time(0))
        clients = Client.objects.bulk_create(
            [
                Client(organization=org, name=f"Client {i}", phone=f"+38067{i:07d}")
                for i in range(N_CLIENTS)
            ]
        )
        cancelled = visit_statuses_ensure(organization=org)["cancelled"]
        now = timezone.now()
        start = (now + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        visits = Visit.objects.bulk_create(
            [
                Visit(
                    organization=org,
                    branch=branch,
                    staff=staff[i % N_STAFF],
                    service=service,
                    starts_at=start + timedelta(hours=i // N_STAFF),
                    ends_at=start + timedelta(hours=i // N_STAFF, minutes=50),
                    price=service.price,
                    status=cancelled,
                    blocks_time=False,
                    cancelled_at=now,
                )
                for i in range(N)
            ],
            batch_size=2000,
        )
        last_day = (start + timedelta(hours=N // N_STAFF + 24)).date()
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    organization=org,
                    client=clients[i % N_CLIENTS],
                    service=service,
                    date_from=start.date(),
                    date_to=last_day,
                    status="offered" if i < N else "waiting",
                )
                for i in range(2 * N)
            ],
            batch_size=2000,
        )
        Offer.objects.bulk_create(
            [
                Offer(
                    organization=org,
                    entry=entries[i],
                    client_id=entries[i].client_id,
                    source=v,
                    staff_id=v.staff_id,
                    service=service,
                    branch=branch,
                    starts_at=v.starts_at,
                    ends_at=v.ends_at,
                    amount=v.price,
                    expires_at=now - timedelta(minutes=5, seconds=i % 600),
                )
                for i, v in enumerate(visits)
            ],
            batch_size=2000,
        )
    return org, now


def reset(org) -> None:  # type: ignore[no-untyped-def]
    from zapys.core.models import AuditLog
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message
    from zapys.waitlist.models import Entry, Offer

    with unscoped():
        first = Offer.objects.filter(organization=org).order_by("id").values_list("id")[:1]
        Offer.objects.filter(organization=org).exclude(pk__lt=first[0][0] + N).delete()
        Offer.objects.filter(organization=org).update(status="open", closed_at=None)
        entries = list(Entry.objects.filter(organization=org).order_by("id").values_list("id"))
        Entry.objects.filter(pk__lte=entries[N - 1][0]).update(status="offered", closed_at=None)
        Entry.objects.filter(pk__gt=entries[N - 1][0]).update(status="waiting", closed_at=None)
        Message.objects.filter(organization=org).delete()
        AuditLog.objects.filter(organization=org, action__startswith="waitlist.").delete()


def raw_sql(org, now) -> None:  # type: ignore[no-untyped-def]
    """The same rows by hand, set-based: offers expired, their entries expired, the audit
    rows, a new offer per slot for the next waiting entry (oldest entry to the earliest
    slot, paired by row number), those entries offered, their audit rows and messages."""
    from zapys.core.tenancy import org_scope
    from zapys.messaging.services import active_accounts

    with org_scope(org):
        account_id = active_accounts(organization=org)["sms"].pk
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "UPDATE waitlist_offer SET status='expired', closed_at=%s "
            "WHERE organization_id=%s AND status='open' AND expires_at <= %s",
            [now, org.pk, now],
        )
        _raw_audit(c, now, "waitlist.offer_expired", "status='expired' AND closed_at=%s", now)
        c.execute(
            "WITH o AS MATERIALIZED (SELECT *, ROW_NUMBER() OVER (ORDER BY starts_at, "
            " source_id) AS n FROM waitlist_offer WHERE status='expired' AND closed_at=%s), "
            "e AS MATERIALIZED (SELECT id, client_id, ROW_NUMBER() OVER (ORDER BY created_at, "
            " id) AS n FROM waitlist_entry WHERE organization_id=%s AND status='waiting') "
            "INSERT INTO waitlist_offer (organization_id, entry_id, client_id, source_id, "
            "is_seat, staff_id, service_id, branch_id, starts_at, ends_at, amount, status, "
            "token, expires_at, created_at) "
            "SELECT o.organization_id, e.id, e.client_id, o.source_id, o.is_seat, o.staff_id, "
            "o.service_id, o.branch_id, o.starts_at, o.ends_at, o.amount, 'open', "
            "'raw' || o.id, %s, %s FROM o JOIN e ON e.n = o.n",
            [now, org.pk, now + timedelta(minutes=15), now],
        )
        c.execute(
            "UPDATE waitlist_entry SET status='offered' WHERE status='waiting' AND id IN "
            "(SELECT entry_id FROM waitlist_offer WHERE status='open')"
        )
        _raw_audit(c, now, "waitlist.offer", "status='open'", None)
        # The clients who let their offer lapse keep their place (waiting again).
        c.execute(
            "UPDATE waitlist_entry SET status='waiting' WHERE status='offered' "
            "AND id IN (SELECT entry_id FROM waitlist_offer WHERE status='expired' "
            "AND closed_at=%s)",
            [now],
        )
        c.execute(
            "INSERT INTO messaging_message (organization_id, client_id, recipient, channel, "
            "transport_account_id, transport_code, event, subject, text, related_type, "
            "related_id, idempotency_key, status, attempts, next_attempt_at, claim_token, "
            "last_error, provider_message_id, created_at) "
            "SELECT o.organization_id, o.client_id, cl.phone, 'sms', %s, 'console', "
            "'waitlist.offer', '', cl.name || ', a time is free: http://x/w/' || o.token, "
            "'waitlist.offer', CAST(o.id AS TEXT), 'waitlist-offer:' || o.id || ':offer', "
            "'queued', 0, %s, '', '', '', %s "
            "FROM waitlist_offer o JOIN clients_client cl ON cl.id = o.client_id "
            "WHERE o.status='open'",
            [account_id, now, now],
        )


def _raw_audit(c, now, action: str, where: str, param) -> None:  # type: ignore[no-untyped-def]
    c.execute(
        "INSERT INTO core_auditlog (organization_id, created_at, actor_kind, actor_label, "
        "action, object_type, object_id, object_repr, changes) "
        "SELECT organization_id, %s, 'scheduler', 'waitlist.sweep', %s, 'waitlist.offer', "
        f"CAST(id AS TEXT), 'Offer #' || id, '{{}}' FROM waitlist_offer WHERE {where}",
        [now, action, *([param] if param is not None else [])],
    )


def _check(org) -> None:  # type: ignore[no-untyped-def]
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message
    from zapys.waitlist.models import Entry, Offer

    with unscoped():
        assert Offer.objects.filter(organization=org, status="open").count() == N
        assert Offer.objects.filter(organization=org, status="expired").count() == N
        assert Entry.objects.filter(organization=org, status="offered").count() == N
        assert Entry.objects.filter(organization=org, status="waiting").count() == N
        assert Message.objects.filter(organization=org).count() == N


def run_raw(org, now) -> float:  # type: ignore[no-untyped-def]
    reset(org)
    t0 = clock.perf_counter()
    raw_sql(org, now)
    seconds = clock.perf_counter() - t0
    _check(org)
    return seconds


def run_sweep(org, now):  # type: ignore[no-untyped-def]
    from zapys.waitlist.sweeps import sweep

    reset(org)
    with CaptureQueriesContext(connection) as ctx:
        t0 = clock.perf_counter()
        result = sweep(now)
        seconds = clock.perf_counter() - t0
    _check(org)
    assert result.expired == result.offered == N, result
    return seconds, ctx, result


def main() -> None:
    from zapys.waitlist import sweeps

    call_command("migrate", verbosity=0)
    print(f"building {N} lapsed offers on {connection.vendor} …", flush=True)
    org, now = build()
    from django.urls import reverse

    reverse("core:healthz")  # the URLconf is loaded in a worker long before a sweep
    raws, ours = [], []
    for _ in range(REPEAT):
        raws.append(run_raw(org, now))
        seconds, ctx, result = run_sweep(org, now)
        ours.append(seconds)
    batches = -(-N // sweeps.BATCH_SIZE)
    runs = ", ".join(f"{o:.2f}/{r:.2f}" for o, r in zip(ours, raws, strict=True))
    print(
        f"sweep:   {min(ours):.2f}s best, {len(ctx)} queries in {batches} batches ({result.summary()})"
    )
    print(f"raw SQL: {min(raws):.2f}s best, the same {N} offers, messages and 2×{N} audit rows")
    print(f"runs (sweep/raw): {runs}")
    print(f"ratio:   {min(ours) / min(raws):.2f}×")


if __name__ == "__main__":
    try:
        print(f"database: {LABEL}")
        main()
    finally:
        CLEANUP()
