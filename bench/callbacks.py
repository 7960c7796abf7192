"""Benchmark: valid LiqPay callbacks over HTTP against gunicorn + PostgreSQL.

    .venv/bin/python bench/callbacks.py [--n 2000] [--concurrency 16] [--workers 4]

Creates a throwaway PostgreSQL database, migrates it, starts its own gunicorn on
127.0.0.1, sends N signed LiqPay `success` callbacks (one per pending payment) from
`concurrency` client threads, then runs the same number of equivalent raw-SQL
transactions (the same rows written: the event insert, the locked payment update and
the audit row) with the same concurrency, and prints throughput, p50/p99 and the
ratio app time / raw SQL time (target ≤ 3×). Everything is torn down at the end.

The payments use an unregistered purpose, so the measured path is the callback
machinery itself (verify → store → dedupe → lock → transition → audit → reply), not
what a purpose handler does afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PRIVATE_KEY = "bench-private-key"
PUBLIC_KEY = "i-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def run_concurrently(jobs: list[Callable[[], None]], concurrency: int) -> tuple[float, list[float]]:
    """Run the jobs from `concurrency` threads; (wall seconds, per-job latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(jobs))
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                if not queue or errors:
                    return
                job = queue.pop()
            started = time.perf_counter()
            try:
                job()
            except BaseException as exc:
                errors.append(exc)
                return
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started, latencies


def report(name: str, n: int, wall: float, latencies: list[float]) -> None:
    print(
        f"{name:<10} {n} in {wall:.2f}s  {n / wall:8.1f}/s  "
        f"p50 {statistics.median(latencies) * 1000:7.1f} ms  "
        f"p99 {percentile(latencies, 99) * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    import psycopg

    db_name = f"zapys_bench_callbacks_{secrets.token_hex(4)}"
    db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + db_name
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db_name}"')
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "ZAPYS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "HUEY_IMMEDIATE": "0",
        "ZAPYS_VAR_DIR": os.environ.get("ZAPYS_VAR_DIR", str(ROOT / "var" / "bench")),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": "bench-" + secrets.token_hex(16),
    }
    os.environ.update(env)
    Path(env["ZAPYS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    server: subprocess.Popen | None = None
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
        import django

        django.setup()
        app_ids, raw_ids, account = prepare(args.n)
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "zapys.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for_port(port)
        warm_up(port, args.workers * 4)
        app_wall, app_lat = bench_app(port, account, app_ids, args.concurrency)
        raw_wall, raw_lat = bench_raw(db_url, account, raw_ids, args.concurrency)
        verify(app_ids)
        print(f"callbacks: n={args.n} concurrency={args.concurrency} workers={args.workers}")
        report("app", args.n, app_wall, app_lat)
        report("raw SQL", args.n, raw_wall, raw_lat)
        print(f"ratio app/raw: {app_wall / raw_wall:.2f}x (target <= 3x)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if "django" in sys.modules and "zapys.payments" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def prepare(n: int):
    """An organization, a LiqPay account and 2×N pending payments (app and raw halves)."""
    from zapys.accounts.services import organization_create
    from zapys.core.audit import Actor
    from zapys.core.tenancy import org_scope
    from zapys.payments.models import Payment
    from zapys.payments.services import payment_account_create

    actor = Actor.system("bench")
    org = organization_create(name="Bench", slug="bench", actor=actor)
    with org_scope(org):
        account = payment_account_create(
            organization=org,
            provider="liqpay",
            credentials={"public_key": PUBLIC_KEY, "private_key": PRIVATE_KEY},
            actor=actor,
        )
        rows = [
            Payment(
                organization=org,
                account=account,
                purpose="bench",
                amount=10000 + i,
                currency="UAH",
                description="bench",
                status="pending",
            )
            for i in range(2 * n)
        ]
        Payment.objects.bulk_create(rows, batch_size=1000)
        ids = list(Payment.objects.order_by("id").values_list("id", "order_id", "amount"))
    return ids[:n], ids[n:], account


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def warm_up(port: int, requests: int) -> None:
    """Let every worker import the app and open its database connection first."""
    import httpx

    for _ in range(requests):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30)


def bench_app(port: int, account, ids, concurrency: int) -> tuple[float, list[float]]:
    import httpx

    from zapys.payments.providers.liqpay import encode_data, sign

    url = f"http://127.0.0.1:{port}/payments/callback/liqpay/{account.public_id}/"
    bodies = []
    for pk, order_id, amount in ids:
        data = encode_data(
            {
                "public_key": PUBLIC_KEY,
                "version": 3,
                "action": "pay",
                "status": "success",
                "order_id": order_id,
                "payment_id": pk,
                "amount": amount / 100,
                "currency": "UAH",
                "end_date": 1700000000000 + pk,
                "transaction_id": pk,
            }
        )
        bodies.append(urlencode({"data": data, "signature": sign(PRIVATE_KEY, data)}))
    local = threading.local()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def job_for(body: str) -> Callable[[], None]:
        def job() -> None:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = httpx.Client(timeout=30)
            response = client.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"callback answered {response.status_code}: {response.text}")

        return job

    return run_concurrently([job_for(body) for body in bodies], concurrency)


RAW_SQL = [
    (
        "INSERT INTO payments_paymentevent (organization_id, account_id, payment_id, source,"
        " dedupe_key, order_id, provider_status, status, amount, currency, raw_body, parsed,"
        " outcome, note, received_at) VALUES (%(org)s, %(account)s, NULL, 'callback',"
        " %(key)s, %(order)s, 'success', 'succeeded', %(amount)s, 'UAH', %(body)s,"
        " %(parsed)s, '', '', now()) RETURNING id"
    ),
    "SELECT id, status, amount FROM payments_payment WHERE id = %(pk)s FOR UPDATE",
    (
        "UPDATE payments_payment SET status = 'succeeded', paid_at = now(), updated_at = now(),"
        " provider_payment_id = %(pk)s, provider_status = 'success'"
        " WHERE id = %(pk)s AND status IN ('created', 'pending', 'failed', 'expired')"
    ),
    (
        "INSERT INTO core_auditlog (organization_id, created_at, actor_kind, actor_label,"
        " action, object_type, object_id, object_repr, changes) VALUES (%(org)s, now(),"
        " 'provider', 'liqpay', 'payment.succeeded', 'payments.payment', %(pk)s, %(repr)s,"
        " '{}'::jsonb)"
    ),
    (
        "UPDATE payments_paymentevent SET payment_id = %(pk)s, outcome = 'applied'"
        " WHERE id = %(event)s"
    ),
]


def bench_raw(db_url: str, account, ids, concurrency: int) -> tuple[float, list[float]]:
    import json

    import psycopg

    local = threading.local()

    def job_for(pk: int, order_id: str, amount: int) -> Callable[[], None]:
        params = {
            "org": account.organization_id,
            "account": account.pk,
            "key": f"{pk}:success:{pk}",
            "order": order_id,
            "amount": amount,
            "body": "data=...&signature=...",
            "parsed": json.dumps({"order_id": order_id, "status": "success"}),
            "pk": str(pk),
            "repr": f"#{pk}",
        }

        def job() -> None:
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = psycopg.connect(db_url)
            with conn.transaction():
                cur = conn.execute(RAW_SQL[0], params)
                row = cur.fetchone()
                assert row is not None
                params["event"] = row[0]
                for sql in RAW_SQL[1:]:
                    conn.execute(sql, params)

        return job

    return run_concurrently([job_for(*row) for row in ids], concurrency)


def verify(app_ids) -> None:
    """Every callback moved exactly its payment: the benchmark measured real work."""
    from zapys.core.tenancy import unscoped
    from zapys.payments.models import Payment

    with unscoped():
        paid = Payment.objects.filter(
            pk__in=[pk for pk, _o, _a in app_ids], status="succeeded"
        ).count()
    if paid != len(app_ids):
        raise RuntimeError(f"only {paid} of {len(app_ids)} payments succeeded")


if __name__ == "__main__":
    main()
