"""Ledger balance benchmark: the ORM selectors against the equivalent raw SQL aggregate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/ledger_balance.py
    .venv/bin/python bench/ledger_balance.py            # SQLite, a temporary file

Builds a throwaway database (PostgreSQL: `<name>_bench_ledger`, dropped at the end;
SQLite: a temp file) with one client holding 100 000 entries and 100 000 clients with 20
entries each (10% cancelled), then times, in the same process:
- the balance of the 100k-entry client and of a 20-entry client (`client_balance`),
- `balances_for` of a 50-client page,
- the top-100 debtors (`top_debtors`),
each against a hand-written SQL statement computing the same thing, and prints the ratios
(target ≤ 1.5×). Options: --clients N --entries-per-client N --big N --repeat N.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._throwaway import throwaway_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--entries-per-client", type=int, default=20)
    parser.add_argument("--big", type=int, default=100_000, help="entries of the one big client")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    label, cleanup = throwaway_database("bench_ledger")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: both sides run through the same plain cursor
    from django.core.management import call_command
    from django.db import connection, transaction

    try:
        print(f"database: {label}")
        call_command("migrate", verbosity=0, skip_checks=True)
        with transaction.atomic():
            org_id, big_id, small_id = _populate(connection, args)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE ledger_entry")
        else:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        _measure(connection, org_id, big_id, small_id, args.repeat)
    finally:
        cleanup()


def _populate(connection, args) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    from zapys.accounts.models import Organization
    from zapys.clients.models import Client

    started = time.perf_counter()
    org = Organization.objects.create(name="Bench", slug="bench")
    batch = 10_000
    for offset in range(0, args.clients + 1, batch):
        Client.objects.for_org(org).bulk_create(
            [
                Client(organization=org, name=f"Client {i:06d}", phone=f"+38050{i:07d}")
                for i in range(offset, min(offset + batch, args.clients + 1))
            ],
            batch_size=batch,
        )
    client_ids = list(Client.objects.for_org(org).order_by("id").values_list("id", flat=True))
    big_id, small_id = client_ids[0], client_ids[1]
    pg = connection.vendor == "postgresql"
    now = "now()" if pg else "datetime('now')"
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger_account (organization_id, client_id, kind, name, created_at) "
            f"SELECT %s, id, 'base', '', {now} FROM clients_client WHERE organization_id = %s",
            [org.pk, org.pk],
        )
        series = (
            "WITH s AS (SELECT generate_series(1, %s) AS n) "
            if pg
            else "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
        )
        columns = (
            "organization_id, account_id, client_id, kind, amount, purpose, comment, cause_type, "
            "cause_id, created_by_label, created_at, status, cancelled_at, cancel_reason"
        )
        # Credits slightly outweigh debits so about half the clients owe something.
        values = (
            "a.organization_id, a.id, a.client_id, "
            "CASE WHEN (s.n + a.id) %% 2 = 0 THEN 'debit' ELSE 'credit' END, "
            "100 + ((s.n * 7919 + a.id * 31) %% 50000) + CASE WHEN (s.n + a.id) %% 2 = 0 THEN 0 ELSE 40 END, "
            f"'payment', '', '', '', 'bench', {now}, "
            "CASE WHEN s.n %% 10 = 0 THEN 'cancelled' ELSE 'active' END, "
            f"CASE WHEN s.n %% 10 = 0 THEN {now} END, ''"
        )
        insert = f"{series}INSERT INTO ledger_entry ({columns}) SELECT {values} "
        cur.execute(
            insert + "FROM ledger_account a CROSS JOIN s "
            "WHERE a.client_id <> %s AND a.organization_id = %s",
            [args.entries_per_client, big_id, org.pk],
        )
        cur.execute(
            insert + "FROM ledger_account a CROSS JOIN s WHERE a.client_id = %s",
            [args.big, big_id],
        )
        cur.execute("SELECT COUNT(*) FROM ledger_entry")
        total = cur.fetchone()[0]
    print(
        f"populated {args.clients + 1} clients, {total} entries "
        f"in {time.perf_counter() - started:.1f}s"
    )
    return org.pk, big_id, small_id


def _measure(connection, org_id: int, big_id: int, small_id: int, repeat: int) -> None:  # type: ignore[no-untyped-def]
    from zapys.accounts.models import Organization
    from zapys.clients.models import Client
    from zapys.core.tenancy import org_scope
    from zapys.ledger import selectors

    org = Organization.objects.get(pk=org_id)
    balance_sql = (
        "SELECT COALESCE(SUM(CASE WHEN kind = 'debit' THEN amount ELSE -amount END), 0) "
        "FROM ledger_entry WHERE organization_id = %s AND client_id = %s AND status = 'active'"
    )
    many_sql = (
        "SELECT client_id, SUM(CASE WHEN kind = 'debit' THEN amount ELSE -amount END) "
        "FROM ledger_entry WHERE organization_id = %s AND status = 'active' AND client_id IN ({}) "
        "GROUP BY client_id"
    )
    top_sql = (
        "SELECT client_id, SUM(CASE WHEN kind = 'debit' THEN amount ELSE -amount END) AS b "
        "FROM ledger_entry WHERE organization_id = %s AND status = 'active' GROUP BY client_id "
        "HAVING SUM(CASE WHEN kind = 'debit' THEN amount ELSE -amount END) < 0 "
        "ORDER BY b, client_id LIMIT 100"
    )

    def raw(sql: str, params: list) -> list:  # type: ignore[type-arg]
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    with org_scope(org):
        big = Client.objects.get(pk=big_id)
        small = Client.objects.get(pk=small_id)
        page_ids = list(Client.objects.order_by("id").values_list("id", flat=True)[1000:1050])
        # Same answers first: a fast wrong query is worth nothing.
        assert selectors.client_balance(big) == raw(balance_sql, [org_id, big_id])[0][0]
        assert selectors.client_balance(small) == raw(balance_sql, [org_id, small_id])[0][0]
        assert selectors.top_debtors(limit=100) == [tuple(r) for r in raw(top_sql, [org_id])]
        in_list = ", ".join(["%s"] * len(page_ids))
        raw_many = dict(raw(many_sql.format(in_list), [org_id, *page_ids]))
        assert {
            k: v for k, v in selectors.balances_for(page_ids).items() if k in raw_many
        } == raw_many

        cases = [
            (
                "balance, client with 100k entries",
                lambda: selectors.client_balance(big),
                lambda: raw(balance_sql, [org_id, big_id]),
            ),
            (
                "balance, client with 20 entries",
                lambda: selectors.client_balance(small),
                lambda: raw(balance_sql, [org_id, small_id]),
            ),
            (
                "balances_for, page of 50 clients",
                lambda: selectors.balances_for(page_ids),
                lambda: raw(many_sql.format(in_list), [org_id, *page_ids]),
            ),
            (
                "top-100 debtors",
                lambda: selectors.top_debtors(limit=100),
                lambda: raw(top_sql, [org_id]),
            ),
        ]
        if os.environ.get("BENCH_EXPLAIN"):
            from django.db import connection as conn

            conn.force_debug_cursor = True
            selectors.client_balance(small)
            selectors.top_debtors(limit=100)
            conn.force_debug_cursor = False
            orm_sqls = [q["sql"] for q in conn.queries[-2:]]
            for sql in [*orm_sqls, balance_sql % (org_id, small_id), top_sql % org_id]:
                with conn.cursor() as cur:
                    cur.execute(
                        "EXPLAIN ANALYZE " + sql
                        if conn.vendor == "postgresql"
                        else "EXPLAIN QUERY PLAN " + sql
                    )
                    print(sql, *[r[-1] for r in cur.fetchall()], sep="\n  ")
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(10):
                selectors.client_balance(big)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        print(f"{'case':40} {'orm ms':>10} {'raw ms':>10} {'ratio':>7}")
        for name, orm_fn, raw_fn in cases:
            reps = repeat if "top" not in name else max(3, repeat // 3)
            orm_t, raw_t = _paired(orm_fn, raw_fn, reps)
            ratio = orm_t / raw_t if raw_t else float("inf")
            print(f"{name:40} {orm_t * 1000:10.3f} {raw_t * 1000:10.3f} {ratio:6.2f}x")


def _paired(orm_fn, raw_fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Alternate the two sides so load from other processes hits both alike; keep the
    fastest run of each (the least disturbed measurement of the same work)."""
    orm_fn(), raw_fn()
    orm_samples, raw_samples = [], []
    for _ in range(repeat):
        for fn, samples in ((orm_fn, orm_samples), (raw_fn, raw_samples)):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return min(orm_samples), min(raw_samples)


if __name__ == "__main__":
    main()
