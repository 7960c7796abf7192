"""Benchmark: a broadcast to 50,000 clients — queued, then delivered.

    .venv/bin/python bench/broadcast.py                  # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/broadcast.py
                                                         # a throwaway `<name>_bench_broadcast`

1. Queueing: `broadcast_queue_batch` batch by batch (the audience read after the cursor,
   their messengers and opt-outs, one INSERT of the outbox rows, the cursor moved) beside a
   raw-SQL baseline that writes the same rows (the same clients read batch by batch, the
   same text with the first name and the unsubscribe link built by the same function, the
   rows of a batch in one executemany), in the same process, BENCH_REPEAT times alternating; the
   best of each is compared (target ≤ 3×). Queries are counted per batch (must be constant).
2. Delivery: the outbox sweep to the console transport until every row is final, the
   progress read (`broadcast_progress`) every second as the staff page polls it (every 2 s),
   then the broadcast marked done; messages/s (target ≥ 1,000/s).
Options by environment: BENCH_CLIENTS (50000), BENCH_REPEAT (3).
"""

from __future__ import annotations

import logging
import os
import sys
import time as clock
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_broadcast")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_CLIENTS", "50000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
#: The progress bar polls every 2 s; the benchmark reads it every second.
POLL_EVERY = 1.0
TEXT = "{client.first_name}, у п'ятницю знижка 20% на всі послуги! Запис за телефоном."


def build():  # type: ignore[no-untyped-def]
    from tests.factories import SYSTEM, make_org
    from tests.factories_messaging import make_transport_account
    from zapys.broadcasts import services
    from zapys.broadcasts.selectors import AudienceSpec
    from zapys.clients.models import Client, Tag
    from zapys.core.tenancy import org_scope

    org = make_org("Bench")
    with org_scope(org):
        make_transport_account(org, "sms")
        tag = Tag.objects.create(organization=org, name="Усі")
        clients = Client.objects.bulk_create(
            [
                Client(
                    organization=org,
                    name=f"Прізвище{i} Ім'я{i}",
                    phone=f"+38067{i:07d}",
                    search_text=f"прізвище{i} ім'я{i} +38067{i:07d}",
                )
                for i in range(N)
            ],
            batch_size=5000,
        )
        Client.tags.through.objects.bulk_create(
            [Client.tags.through(client_id=c.pk, tag_id=tag.pk) for c in clients], batch_size=5000
        )
        with mock.patch.object(services, "_enqueue"):
            broadcast = services.broadcast_create(
                organization=org,
                spec=AudienceSpec("tags", tag_ids=(tag.pk,)),
                channel="",
                text=TEXT,
                send_at=None,
                actor=SYSTEM,
            )
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("ANALYZE")
    return org, broadcast


def reset(broadcast) -> None:  # type: ignore[no-untyped-def]
    from zapys.broadcasts.models import Broadcast
    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message

    with unscoped():
        Message.objects.filter(organization=broadcast.organization).delete()
        Broadcast.objects.filter(pk=broadcast.pk).update(
            status="scheduled", cursor=0, queued=0, skipped=0, queued_all_at=None, finished_at=None
        )


def run_queue(broadcast):  # type: ignore[no-untyped-def]
    from zapys.broadcasts.services import BATCH_SIZE, broadcast_queue_batch, broadcast_start

    reset(broadcast)
    now = timezone.now()
    per_batch: list[int] = []
    t0 = clock.perf_counter()
    broadcast_start(broadcast_id=broadcast.pk, now=now)
    while True:
        with CaptureQueriesContext(connection) as ctx:
            covered = broadcast_queue_batch(broadcast_id=broadcast.pk, now=now)
        if not covered:
            break
        per_batch.append(len(ctx.captured_queries))
    seconds = clock.perf_counter() - t0
    assert len(per_batch) == -(-N // BATCH_SIZE), per_batch
    return seconds, per_batch


def run_raw(broadcast) -> float:  # type: ignore[no-untyped-def]
    """The same rows by hand: the clients read batch by batch after a cursor, each text
    formatted with the first name and the unsubscribe link, the batch's rows in one
    executemany."""
    from zapys.broadcasts.services import BATCH_SIZE
    from zapys.messaging.unsubscribe import unsubscribe_url

    reset(broadcast)
    org = broadcast.organization
    now = timezone.now()
    account_id = broadcast_account(org)
    cols = (
        "organization_id, client_id, recipient, channel, transport_account_id, transport_code, "
        "event, subject, text, related_type, related_id, idempotency_key, status, attempts, "
        "next_attempt_at, claim_token, last_error, provider_message_id, created_at"
    )
    t0 = clock.perf_counter()
    cursor_id = 0
    while True:
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "SELECT id, name, phone FROM clients_client WHERE organization_id = %s AND "
                "deleted_at IS NULL AND id > %s AND id IN (SELECT client_id FROM "
                "clients_client_tags) ORDER BY id LIMIT %s",
                [org.pk, cursor_id, BATCH_SIZE],
            )
            rows = c.fetchall()
            if not rows:
                break
            params = []
            for client_id, name, phone in rows:
                first = name.split()[-1]
                link = unsubscribe_url(_Pk(client_id))  # type: ignore[arg-type]
                text = TEXT.replace("{client.first_name}", first) + f"\nВідписатися: {link}"
                params.append(
                    (
                        org.pk, client_id, phone, "sms", account_id, "console",
                        "broadcasts.broadcast", "", text, "broadcasts.broadcast",
                        str(broadcast.pk), f"broadcast:{broadcast.pk}:{client_id}", "queued", 0,
                        now, "", "", "", now,
                    )
                )  # fmt: skip
            # One parameterised INSERT for all the batch's rows (executemany: psycopg
            # pipelines it), as the fastest hand-written client would.
            c.executemany(
                f"INSERT INTO messaging_message ({cols}) VALUES "
                f"({', '.join(['%s'] * 19)}) ON CONFLICT DO NOTHING",
                params,
            )
            c.execute(
                "UPDATE broadcasts_broadcast SET cursor = %s, queued = queued + %s WHERE id = %s",
                [rows[-1][0], len(rows), broadcast.pk],
            )
            cursor_id = rows[-1][0]
    return clock.perf_counter() - t0


class _Pk:
    def __init__(self, pk: int) -> None:
        self.pk = pk


def broadcast_account(org):  # type: ignore[no-untyped-def]
    from zapys.messaging.models import TransportAccount

    return TransportAccount.objects.for_org(org).get(channel="sms").pk


def deliver(broadcast):  # type: ignore[no-untyped-def]
    from zapys.broadcasts.selectors import broadcast_progress
    from zapys.broadcasts.services import broadcast_finish, broadcast_queue_batch
    from zapys.messaging import outbox

    broadcast_queue_batch(broadcast_id=broadcast.pk, now=timezone.now())  # the "none left" step
    polls = 0
    t0 = last_poll = clock.perf_counter()
    while True:
        stats = outbox.deliver_due(now=timezone.now(), max_batches=5)
        if clock.perf_counter() - last_poll >= POLL_EVERY or not stats.batches:
            # what the staff page's progress bar reads while it polls
            broadcast.refresh_from_db()
            progress = broadcast_progress(broadcast)
            polls += 1
            last_poll = clock.perf_counter()
        if not stats.batches:
            break
    finished = broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
    seconds = clock.perf_counter() - t0
    # The console transport is the test mode: its deliveries are counted apart from `sent`
    # (a staff page never calls a console print "sent"), so all N are there.
    assert finished and progress.sent + progress.test_mode == N, progress
    assert progress.percent == 100, progress
    return seconds, polls


def main() -> None:
    logging.getLogger("zapys.messaging.console").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    print(f"building {N} clients on {connection.vendor} …", flush=True)
    _org, broadcast = build()
    from django.urls import reverse

    reverse("core:healthz")
    ours, raws = [], []
    per_batch: list[int] = []
    for _ in range(REPEAT):
        raws.append(run_raw(broadcast))
        seconds, per_batch = run_queue(broadcast)
        ours.append(seconds)
    runs = ", ".join(f"{o:.2f}/{r:.2f}" for o, r in zip(ours, raws, strict=True))
    print(
        f"queued:  {min(ours):.2f}s best, {len(per_batch)} batches, queries per batch "
        f"{sorted(set(per_batch))} ({N / min(ours):,.0f} rows/s)"
    )
    print(f"raw SQL: {min(raws):.2f}s best, the same {N} outbox rows")
    print(f"runs (queued/raw): {runs}")
    print(f"ratio:   {min(ours) / min(raws):.2f}× (target ≤ 3×)")
    seconds, polls = deliver(broadcast)
    print(
        f"delivered: {N} messages to the console in {seconds:.2f}s = {N / seconds:,.0f} messages/s "
        f"(target ≥ 1,000/s), progress read {polls} times, broadcast done"
    )


if __name__ == "__main__":
    try:
        print(f"database: {LABEL}")
        main()
    finally:
        CLEANUP()
