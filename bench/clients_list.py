"""Benchmark: the staff client list at 100,000 clients (C1/C2).

Times the selector behind `clients:list` (count + one page of 50 with tags and the frozen
flag) for the first page, a deep page, a search and a tag filter, and prints the ratio
against raw SQL fetching the same page rows in the same process.

    .venv/bin/python bench/clients_list.py [--n 100000]     # throwaway SQLite database
    DATABASE_URL=postgres://... .venv/bin/python bench/clients_list.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["ZAPYS_VAR_DIR"] = tempfile.mkdtemp(prefix="zapys-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEAT = 5


def build(n: int):  # type: ignore[no-untyped-def]
    from tests.factories import make_org
    from zapys.clients.models import Client, Tag
    from zapys.core.tenancy import org_scope

    org = make_org("Bench")
    with org_scope(org), transaction.atomic():
        tags = [Tag.objects.create(organization=org, name=f"tag{i}") for i in range(20)]
        batch = []
        for i in range(n):
            name = f"Surname{i % 997} Name{i}"
            phone = f"+38067{i:07d}"
            batch.append(
                Client(
                    organization=org, name=name, phone=phone, search_text=f"{name} {phone}".lower()
                )
            )
        Client.objects.bulk_create(batch, batch_size=5000)
        ids = list(Client.objects.values_list("id", flat=True))
        through = Client.tags.through
        through.objects.bulk_create(
            [through(client_id=cid, tag_id=tags[cid % 20].pk) for cid in ids], batch_size=5000
        )
    return org, tags


def timed(fn) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    fn()
    start = clock.perf_counter()
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            fn()
    return (clock.perf_counter() - start) / REPEAT, len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0, skip_checks=True)
    org, tags = build(args.n)
    from zapys.clients.selectors import client_list
    from zapys.core.tenancy import org_scope

    def page(qs, number: int):  # type: ignore[no-untyped-def]
        qs.count()
        return list(qs[(number - 1) * 50 : number * 50])

    def raw(where: str, params: list, offset: int):  # type: ignore[no-untyped-def]
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM clients_client c WHERE {where}", params)
            cur.fetchone()
            cur.execute(
                f"SELECT c.* FROM clients_client c WHERE {where} ORDER BY c.name, c.id "
                f"LIMIT 50 OFFSET {offset}",
                params,
            )
            rows = cur.fetchall()
            ids = [r[0] for r in rows] or [0]
            marks = ",".join(["%s"] * len(ids))
            cur.execute(
                "SELECT ct.client_id, t.* FROM clients_tag t JOIN clients_client_tags ct "
                f"ON ct.tag_id = t.id WHERE ct.client_id IN ({marks})",
                ids,
            )
            cur.fetchall()

    base = "c.organization_id = %s AND c.deleted_at IS NULL"
    cases = [
        ("page 1", lambda: page(client_list(), 1), lambda: raw(base, [org.pk], 0)),
        (
            "page 1000",
            lambda: page(client_list(), 1000),
            lambda: raw(base, [org.pk], 49_950),
        ),
        (
            "search 'name777'",
            lambda: page(client_list(search="name777"), 1),
            lambda: raw(base + " AND c.search_text LIKE %s", [org.pk, "%name777%"], 0),
        ),
        (
            "tag filter",
            lambda: page(client_list(tag_ids=[tags[3].pk]), 2),
            lambda: raw(
                base + " AND EXISTS (SELECT 1 FROM clients_client_tags ct "
                "WHERE ct.client_id = c.id AND ct.tag_id = %s)",
                [org.pk, tags[3].pk],
                50,
            ),
        ),
    ]
    print(f"{args.n} clients, {connection.vendor}")
    with org_scope(org):
        for label, app, sql in cases:
            app_time, queries = timed(app)
            sql_time, _ = timed(sql)
            print(
                f"{label:18s} app {app_time * 1000:8.1f} ms ({queries} queries)  "
                f"raw SQL {sql_time * 1000:8.1f} ms  ratio {app_time / sql_time:5.2f}x"
            )


if __name__ == "__main__":
    main()
