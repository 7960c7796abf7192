"""Benchmark: valid LiqPay callbacks over HTTP against gunicorn + PostgreSQL.

    .venv/bin/python bench/callbacks.py [--n 2000] [--concurrency 16] [--rounds 3]
        [--client light|threads] [--raw-procs N] [-- gunicorn options...]

Creates a throwaway PostgreSQL database, migrates it, prepares pending payments and
ANALYZEs the tables (a live database has planner statistics; straight after a bulk
insert it has none, and PostgreSQL then scans every payment of the account for each
`order_id` lookup — which the earlier version of this benchmark measured). Starts
gunicorn on 127.0.0.1 with the production configuration (`zapys/gunicorn_conf.py`;
options after `--` are passed on to gunicorn) and warms every worker thread up with a
few callbacks of its own. Then, for each round, sends N signed LiqPay `success`
callbacks (one per pending payment) with `concurrency` requests in flight, and runs N
equivalent raw-SQL transactions with the same concurrency: the same rows written —
the event insert (with the same raw body, parsed JSON and dedupe key), the locked
payment update, the audit row and the event's outcome. Rounds alternate app and raw
SQL, so load from other processes on the machine hits both alike; the ratio is the
best round of each, and every round is printed. Everything is torn down at the end.

The payments use an unregistered purpose, so the measured path is the callback
machinery itself (verify → store → dedupe → lock → transition → audit → reply), not
what a purpose handler does afterwards.

Fair to both sides on a 2-core machine, where the load generator, gunicorn and
PostgreSQL share the cores:
- The load generator is not the app. `--client light` (default, bench/_http_load.py)
  is one thread on non-blocking sockets; it keeps connections alive when the server
  allows it (as a proxy with upstream keep-alive does) and closes at once when the
  server does not. It costs ~0.15 ms of CPU per request. `--client threads` is the
  earlier generator — 16 Python threads with httpx — which costs ~1.7 ms of CPU per
  request (2–4 ms when it opens a connection per request), taken from the cores the
  server needs, and, slow to close its side, kept gunicorn's sync workers waiting for
  its FIN after each response.
- The raw-SQL side runs in as many processes as gunicorn has workers (`--raw-procs`),
  `concurrency` connections in all, each warmed up like the app's; psycopg prepares its
  statements, as it would for any raw-SQL code.
- The CPU each party used is printed per transaction (client, gunicorn, PostgreSQL
  backends; raw SQL's Python and its backends), and the ratio is also given in CPU
  time (server side only), which other load on a shared machine disturbs less than
  wall time: where the cores went, not only how long it took.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._http_load import post_request, run_load  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PRIVATE_KEY = "bench-private-key"
PUBLIC_KEY = "i-bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")
FORM = "application/x-www-form-urlencoded"
WARM_UP_PER_CONNECTION = 6  # more than psycopg's prepare threshold (5)


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def process_tree(root: int) -> list[int]:
    pids = [root]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == root:
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: proc_cpu(pid) for pid in pids}


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def backends(db_name: str) -> list[int]:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (db_name,)
        ).fetchall()
    return [pid for (pid,) in rows]


@dataclass
class Phase:
    name: str
    n: int
    wall: float
    latencies: list[float]
    cpu: dict[str, float]

    def line(self) -> str:
        cpu = "  ".join(f"{k} {v / self.n * 1000:.2f}" for k, v in self.cpu.items())
        return (
            f"{self.name:<8} {self.n} in {self.wall:6.2f}s {self.n / self.wall:8.1f}/s  "
            f"p50 {statistics.median(self.latencies) * 1000:6.1f} ms  "
            f"p99 {percentile(self.latencies, 99) * 1000:6.1f} ms  "
            f"CPU ms/tx: {cpu}"
        )


# --------------------------------------------------------------------------- main


def main() -> None:
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="callbacks per round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=["light", "threads"], default="light")
    parser.add_argument(
        "--raw-procs",
        type=int,
        default=None,
        help="processes running the raw SQL (default: as many as gunicorn workers)",
    )
    args = parser.parse_args(argv)
    from zapys import gunicorn_conf

    if args.raw_procs is None:
        args.raw_procs = gunicorn_conf.workers

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
        # Longer than a run, so that no connection is replaced mid-round: a backend that
        # exits takes its CPU time with it. (At the default 60 s each thread reconnects
        # once a minute, which costs nothing measurable.)
        "CONN_MAX_AGE": "600",
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
        warm = args.concurrency * WARM_UP_PER_CONNECTION
        account, groups = prepare([warm] + [args.n, warm, args.n] * args.rounds)
        app_warm, rounds = groups[0], [groups[1 + 3 * r : 4 + 3 * r] for r in range(args.rounds)]
        gunicorn = [
            sys.executable, "-m", "gunicorn", "zapys.wsgi:application",
            "-c", "python:zapys.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", *extra,
        ]  # fmt: skip
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
        wait_for_port(port)
        warm_up(port, account, app_warm, args.concurrency)
        from django.db import connections

        connections.close_all()
        app_phases: list[Phase] = []
        raw_phases: list[Phase] = []
        for app_ids, raw_warm, raw_ids in rounds:
            app_phases.append(bench_app(port, server.pid, db_name, account, app_ids, args))
            raw_phases.append(bench_raw(db_url, db_name, account, raw_ids, raw_warm, args))
        verify([app_warm] + [ids for ids, _w, _r in rounds])
        server_config = (
            f"{gunicorn_conf.worker_class} {gunicorn_conf.workers}×{gunicorn_conf.threads}"
            + (f" {' '.join(extra)}" if extra else "")
        )
        print(
            f"callbacks: n={args.n} × {args.rounds} rounds, concurrency={args.concurrency}, "
            f"client={args.client}, gunicorn {server_config}, "
            f"raw SQL in {args.raw_procs} processes"
        )
        for app, raw in zip(app_phases, raw_phases, strict=True):
            print(app.line())
            print(raw.line())
        best_app = min(app_phases, key=lambda p: p.wall)
        best_raw = min(raw_phases, key=lambda p: p.wall)
        ratios = [a.wall / r.wall for a, r in zip(app_phases, raw_phases, strict=True)]
        print(
            f"best: app {args.n / best_app.wall:.0f}/s "
            f"(p50 {statistics.median(best_app.latencies) * 1000:.1f} ms, "
            f"p99 {percentile(best_app.latencies, 99) * 1000:.1f} ms), "
            f"raw SQL {args.n / best_raw.wall:.0f} tx/s"
        )
        print(
            f"ratio app/raw: {best_app.wall / best_raw.wall:.2f}x best of each "
            f"(rounds: {', '.join(f'{r:.2f}x' for r in ratios)}; target <= 3x)"
        )
        # The same comparison in CPU time, which other load on the machine disturbs less:
        # the app's server side (gunicorn + its PostgreSQL backends) against raw SQL's
        # Python and backends; the load generator is on neither side.
        app_cpu = sum(p.cpu["gunicorn"] + p.cpu["postgres"] for p in app_phases)
        raw_cpu = sum(p.cpu["raw SQL"] + p.cpu["postgres"] for p in raw_phases)
        total = args.n * args.rounds
        print(
            f"CPU per callback: app {app_cpu / total * 1000:.2f} ms, raw SQL "
            f"{raw_cpu / total * 1000:.2f} ms: {app_cpu / raw_cpu:.2f}x"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if "django" in sys.modules and "zapys.payments" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def prepare(sizes: list[int]):
    """An organization, a LiqPay account and pending payments in groups of the given
    sizes; then ANALYZE, as a live database has planner statistics."""
    from django.db import connection

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
            for i in range(sum(sizes))
        ]
        Payment.objects.bulk_create(rows, batch_size=1000)
        ids = list(Payment.objects.order_by("id").values_list("id", "order_id", "amount"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    groups, start = [], 0
    for size in sizes:
        groups.append(ids[start : start + size])
        start += size
    return account, groups


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def callback_body(pk: int, order_id: str, amount: int) -> bytes:
    from zapys.payments.providers.liqpay import encode_data, sign

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
    return urlencode({"data": data, "signature": sign(PRIVATE_KEY, data)}).encode()


def callback_path(account) -> str:
    return f"/payments/callback/liqpay/{account.public_id}/"


def warm_up(port: int, account, ids, concurrency: int) -> None:
    """Before timing, every worker thread opens its database connection and runs the
    whole path a few times (so its statements are prepared, as in a server that has
    been up for a while): callbacks for payments of their own."""
    path = callback_path(account)
    requests = [post_request("127.0.0.1", port, path, callback_body(*row), FORM) for row in ids]
    result = run_load("127.0.0.1", port, requests, concurrency)
    if set(result.statuses) != {200} or result.failures:
        raise RuntimeError(f"warm-up answered {result.statuses} {result.failures[:3]}")


# --------------------------------------------------------------------------- app side


def bench_app(port: int, server_pid: int, db_name: str, account, ids, args) -> Phase:
    bodies = [callback_body(*row) for row in ids]
    path = callback_path(account)
    server_pids = process_tree(server_pid)
    pg_before, server_before = cpu_of(backends(db_name)), cpu_of(server_pids)
    client_before = time.process_time()
    if args.client == "light":
        requests = [post_request("127.0.0.1", port, path, body, FORM) for body in bodies]
        result = run_load("127.0.0.1", port, requests, args.concurrency)
        if set(result.statuses) != {200} or result.failures:
            raise RuntimeError(f"callbacks answered {result.statuses} {result.failures[:3]}")
        wall, latencies = result.wall, result.latencies
    else:
        wall, latencies = _threads_client(port, path, bodies, args.concurrency)
    cpu = {
        "client": time.process_time() - client_before,
        "gunicorn": cpu_delta(server_before, cpu_of(server_pids)),
        "postgres": cpu_delta(pg_before, cpu_of(backends(db_name))),
    }
    return Phase("app", len(ids), wall, latencies, cpu)


def _threads_client(port: int, path: str, bodies: list[bytes], concurrency: int):
    """The earlier load generator: `concurrency` Python threads, each with an httpx client."""
    import httpx

    url = f"http://127.0.0.1:{port}{path}"
    local = threading.local()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def job_for(body: bytes) -> Callable[[], None]:
        def job() -> None:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = httpx.Client(timeout=30)
            response = client.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"callback answered {response.status_code}: {response.text}")

        return job

    return run_concurrently([job_for(body) for body in bodies], concurrency)


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


# --------------------------------------------------------------------------- raw SQL side

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


def raw_params(account, pk: int, order_id: str, amount: int) -> dict:
    """The values the app writes for the same callback: the whole raw body, the parsed
    payload, the dedupe key and the audit row's object text."""
    from zapys.payments.providers.liqpay import LiqPayProvider

    body = callback_body(pk, order_id, amount)
    provider = LiqPayProvider({"public_key": PUBLIC_KEY, "private_key": PRIVATE_KEY})
    event = provider.parse_callback(body, "application/x-www-form-urlencoded")
    return {
        "org": account.organization_id,
        "account": account.pk,
        "key": event.event_id,
        "order": order_id,
        "amount": amount,
        "body": body.decode(),
        "parsed": json.dumps(event.raw),
        "pk": str(pk),
        "repr": f"#{pk} bench {amount / 100:.2f} UAH",
    }


def _raw_transaction(conn, params: dict) -> None:
    with conn.transaction():
        row = conn.execute(RAW_SQL[0], params).fetchone()
        assert row is not None
        params["event"] = row[0]
        for sql in RAW_SQL[1:]:
            conn.execute(sql, params)


def _raw_worker(
    db_url: str, jobs: list[dict], warm: list[dict], threads: int, barrier, results
) -> None:
    """One raw-SQL process: `threads` connections sharing its jobs. Each connection first
    runs a few transactions of its own (untimed), as the app's threads did."""
    import psycopg

    conns = [psycopg.connect(db_url) for _ in range(threads)]
    for i, conn in enumerate(conns):
        for params in warm[i::threads]:
            _raw_transaction(conn, params)
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def run(conn) -> None:
        while True:
            with lock:
                if not queue:
                    return
                params = queue.pop()
            began = time.perf_counter()
            _raw_transaction(conn, params)
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)

    barrier.wait()  # connected: the parent reads the backends' CPU
    barrier.wait()  # go
    cpu_before = time.process_time()
    workers = [threading.Thread(target=run, args=(conn,)) for conn in conns]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, time.process_time() - cpu_before))
    barrier.wait()  # the parent has read the backends' CPU again
    for conn in conns:
        conn.close()


def bench_raw(db_url: str, db_name: str, account, ids, warm_ids, args) -> Phase:
    procs = max(1, min(args.raw_procs, args.concurrency))
    params = [raw_params(account, *row) for row in ids]
    warm = [raw_params(account, *row) for row in warm_ids]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(procs + 1)
    results = ctx.Queue()
    workers = []
    for i in range(procs):
        threads = args.concurrency // procs + (1 if i < args.concurrency % procs else 0)
        workers.append(
            ctx.Process(
                target=_raw_worker,
                args=(db_url, params[i::procs], warm[i::procs], threads, barrier, results),
            )
        )
    for worker in workers:
        worker.start()
    barrier.wait()
    pg_before = cpu_of(backends(db_name))
    barrier.wait()
    began = time.perf_counter()
    gathered = [results.get() for _ in workers]
    wall = time.perf_counter() - began
    pg_cpu = cpu_delta(pg_before, cpu_of(backends(db_name)))
    barrier.wait()
    for worker in workers:
        worker.join()
    latencies = [lat for lats, _cpu in gathered for lat in lats]
    cpu = {"raw SQL": sum(c for _lats, c in gathered), "postgres": pg_cpu}
    return Phase("raw SQL", len(ids), wall, latencies, cpu)


def verify(app_rounds) -> None:
    """Every callback moved exactly its payment: the benchmark measured real work."""
    from zapys.core.tenancy import unscoped
    from zapys.payments.models import Payment

    pks = [pk for ids in app_rounds for pk, _o, _a in ids]
    with unscoped():
        paid = Payment.objects.filter(pk__in=pks, status="succeeded").count()
    if paid != len(pks):
        raise RuntimeError(f"only {paid} of {len(pks)} payments succeeded")


if __name__ == "__main__":
    main()
