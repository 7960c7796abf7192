"""Outbox delivery benchmark: the sweep against raw SQL doing the same row updates.

    .venv/bin/python bench/outbox.py                     # SQLite, a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/outbox.py

Builds a throwaway database (PostgreSQL: `<name>_bench_outbox`, dropped at the end;
SQLite: a temp file), queues N messages (default 10 000) for the console transport and
times, in the same process:
- `outbox.deliver_due` (claim a batch, read it back, call the console transport for each
  message, one bulk update of the results), counting the queries of every batch;
- a raw-SQL baseline that makes the same row changes per batch: the claiming UPDATE,
  reading the claimed rows, and one UPDATE per row with its result (no transport).
Prints messages/s for both, the ratio, and queries per batch (which must not grow with
the batch count). Options: --messages N --batch N.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._throwaway import throwaway_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()

    label, cleanup = throwaway_database("bench_outbox")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    # The console transport logs every message; the log's I/O is not what is measured.
    logging.getLogger("zapys.messaging.console").setLevel(logging.WARNING)
    from django.core.management import call_command

    try:
        print(f"database: {label}")
        call_command("migrate", verbosity=0, skip_checks=True)
        org_id = _setup()
        _run(org_id, args)
    finally:
        cleanup()


def _setup() -> int:
    from zapys.accounts.models import Organization
    from zapys.core.audit import Actor
    from zapys.messaging.services import transport_account_save

    org = Organization.objects.create(name="Bench", slug="bench")
    transport_account_save(
        organization=org,
        actor=Actor.system("bench"),
        channel="sms",
        code="console",
        credentials={},
    )
    return org.pk


def _queue(org_id: int, count: int, prefix: str) -> None:
    """Queue `count` messages directly (message_send's cost is not what is measured)."""
    from django.utils import timezone

    from zapys.core.tenancy import unscoped
    from zapys.messaging.models import Message, TransportAccount

    with unscoped():
        account = TransportAccount.objects.get(organization_id=org_id)
        now = timezone.now()
        Message.objects.bulk_create(
            [
                Message(
                    organization_id=org_id,
                    recipient=f"+38050{i:07d}",
                    channel="sms",
                    transport_account=account,
                    transport_code="console",
                    event="messaging.test",
                    text=f"Повідомлення {i}: нагадуємо про візит завтра о 10:00.",
                    idempotency_key=f"{prefix}:{i}",
                    status="queued",
                    next_attempt_at=now,
                )
                for i in range(count)
            ],
            batch_size=1000,
        )


def _run(org_id: int, args: argparse.Namespace) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from zapys.messaging import outbox

    n, batch = args.messages, args.batch

    # --- the outbox --------------------------------------------------------------------
    _queue(org_id, n, "orm")
    now = timezone.now()
    queries_per_batch: list[int] = []
    started = time.perf_counter()
    sent = 0
    outbox.reclaim_stale(now=now)
    while True:
        with CaptureQueriesContext(connection) as ctx:
            token = outbox.claim(now=now, limit=batch)
            messages = outbox.claimed(token)
            if not messages:
                break
            stats = outbox.deliver_claimed(messages, now=now)
        queries_per_batch.append(len(ctx))
        sent += stats.sent
    orm_seconds = time.perf_counter() - started
    assert sent == n, f"delivered {sent} of {n}"

    # --- raw SQL, the same row changes -----------------------------------------------
    _queue(org_id, n, "raw")
    now = timezone.now()
    pg = connection.vendor == "postgresql"
    lock = " FOR UPDATE SKIP LOCKED" if pg else ""
    started = time.perf_counter()
    done = 0
    while True:
        token = uuid.uuid4().hex
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "UPDATE messaging_message SET status = 'sending', claimed_at = %s, "
                "claim_token = %s, attempts = attempts + 1 WHERE id IN ("
                "SELECT id FROM messaging_message WHERE status = 'queued' "
                f"AND next_attempt_at <= %s ORDER BY next_attempt_at, id LIMIT %s{lock})",
                [now, token, now, batch],
            )
        with connection.cursor() as cur:
            cur.execute(
                "SELECT id, recipient, text FROM messaging_message WHERE claim_token = %s",
                [token],
            )
            rows = cur.fetchall()
            if not rows:
                break
            cur.executemany(
                "UPDATE messaging_message SET status = 'delivered', claim_token = '', "
                "claimed_at = NULL, provider_message_id = %s, sent_at = %s, "
                "next_attempt_at = NULL, last_error = '' WHERE id = %s",
                [(f"console-{uuid.uuid4().hex}", now, row[0]) for row in rows],
            )
        done += len(rows)
    raw_seconds = time.perf_counter() - started
    assert done == n

    orm_rate, raw_rate = n / orm_seconds, n / raw_seconds
    print(f"messages: {n}, batch size: {batch}, batches: {len(queries_per_batch)}")
    print(f"outbox (console transport): {orm_seconds:.2f}s  {orm_rate:,.0f} messages/s")
    print(f"raw SQL baseline:           {raw_seconds:.2f}s  {raw_rate:,.0f} messages/s")
    print(f"ratio outbox/raw time: {orm_seconds / raw_seconds:.2f}x")
    distinct = sorted(set(queries_per_batch))
    print(f"queries per batch: {distinct} (constant: {len(distinct) == 1})")


if __name__ == "__main__":
    main()
