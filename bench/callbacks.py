"""Benchmark: valid LiqPay callbacks over HTTP against gunicorn + PostgreSQL.

    .venv/bin/python bench/callbacks.py [--purpose bench|top_up|both] [--n 2000]
        [--concurrency 16] [--rounds 3] [--client light|threads] [--raw-procs N]
        [-- gunicorn options...]

Creates a throwaway PostgreSQL database (`zapys_bench_callbacks_<random>`, on
DATABASE_URL's server, or BENCH_PG_ADMIN_URL's; dropped at the end, whatever happens),
migrates it, prepares pending payments and
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

Two modes (`--purpose`; `both` runs both against one server, each round alternating
app and raw SQL of one mode, then of the other, and prints both ratios):
- `bench` (default): the payments use an unregistered purpose, so the measured path is
  the callback machinery itself (verify → store → dedupe → lock → transition → audit →
  reply), not what a purpose handler does afterwards.
- `top_up`: real top-ups (purpose "top_up", each payment with a client of its own, made
  in bulk like the others) in an organization set up like the demo: a branch, console
  SMS/e-mail transports and the demo's channel order, so every callback also runs the
  top-up handler — the money service's ledger account (a client's first top-up), entry,
  income operation, receipt with its line and payment, their audit rows, the staff
  notification and its audit row, and the client's SMS really queued in the outbox (its
  row, its audit row, and the delivery nudge that `message_send` pushes to the task
  queue after commit: a throwaway Redis, as in production). Its raw-SQL baseline writes
  the same rows with the same columns, one hand-written statement per row (plus the
  payment lock and a get-or-create of the ledger account) in one transaction, and
  pushes the same nudge to the same Redis after commit. Like the machinery baseline it
  reads no configuration: the branch, payment type, finance article, transport account
  and the client's name and phone are passed in, and the texts (comment, notification,
  SMS, audit texts) are formatted before timing with the app's own translations and
  renderer — so the ratio also counts the reads the app makes per callback to find
  them. `bench/test_callbacks_rows.py` (run by hand on PostgreSQL) checks that both
  sides write identical rows.
After every round the bench compares, per table touched (and for the queue), how many
rows the app's callbacks and the baseline's transactions added: any difference stops
the run, so the two sides are known to have done the same work.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._http_load import post_request, run_load  # noqa: E402


def _pg_admin_url() -> str:
    """The server's maintenance database: BENCH_PG_ADMIN_URL, else DATABASE_URL's server
    (the run creates its own database there and drops it at the end), else the local one."""
    explicit = os.environ.get("BENCH_PG_ADMIN_URL")
    if explicit:
        return explicit
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urlunparse(urlparse(url)._replace(path="/postgres", query=""))
    return "postgres://postgres@127.0.0.1:5432/postgres"


PG_ADMIN = _pg_admin_url()
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
    rows: dict[str, int] = field(default_factory=dict)  # rows added, per table

    def line(self) -> str:
        cpu = "  ".join(f"{k} {v / self.n * 1000:.2f}" for k, v in self.cpu.items())
        return (
            f"{self.name:<8} {self.n} in {self.wall:6.2f}s {self.n / self.wall:8.1f}/s  "
            f"p50 {statistics.median(self.latencies) * 1000:6.1f} ms  "
            f"p99 {percentile(self.latencies, 99) * 1000:6.1f} ms  "
            f"CPU ms/tx: {cpu}"
        )


# --------------------------------------------------------------------------- modes

MACHINERY = "bench"  # an unregistered purpose: the callback machinery alone
TOP_UP = "top_up"
PURPOSES = {MACHINERY: [MACHINERY], TOP_UP: [TOP_UP], "both": [MACHINERY, TOP_UP]}
# Where the raw-SQL side pushes its delivery nudges (the app's go to its task queue's key).
RAW_QUEUE_KEY = "bench.raw.nudges"

# What each mode's callbacks write, counted after every phase: the app's callbacks and the
# baseline's transactions of one round must add the same numbers.
ROW_COUNTS = {
    MACHINERY: [
        ("payments_paymentevent", "SELECT count(*) FROM payments_paymentevent"),
        (
            "payments_paymentevent applied",
            "SELECT count(*) FROM payments_paymentevent WHERE outcome = 'applied'",
        ),
        (
            "payments_payment succeeded",
            "SELECT count(*) FROM payments_payment WHERE status = 'succeeded'",
        ),
        ("core_auditlog", "SELECT count(*) FROM core_auditlog"),
    ],
}
ROW_COUNTS[TOP_UP] = ROW_COUNTS[MACHINERY] + [
    (table, f"SELECT count(*) FROM {table}")
    for table in (
        "ledger_account",
        "ledger_entry",
        "ledger_financialoperation",
        "ledger_salesreceipt",
        "ledger_salesreceiptline",
        "ledger_salesreceiptpayment",
        "messaging_staffnotification",
        "messaging_message",
    )
]


@dataclass
class Mode:
    """One kind of callback measured: its payments (warm-up, then per round the app's,
    the baseline's warm-up and the baseline's) and what was measured."""

    purpose: str
    warm: list
    rounds: list
    top_up: TopUpSetup | None = None
    app_phases: list[Phase] = field(default_factory=list)
    raw_phases: list[Phase] = field(default_factory=list)

    def params(self, account, row) -> dict:
        if self.top_up is not None:
            return self.top_up.params(account, *row)
        return raw_params(account, *row)


# --------------------------------------------------------------------------- main


def main() -> None:
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--purpose",
        choices=list(PURPOSES),
        default=MACHINERY,
        help="bench: the callback machinery alone (default); top_up: real top-ups, the "
        "purpose handler included; both: the two in one run, alternating",
    )
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
    purposes = PURPOSES[args.purpose]
    # Before anything of ours runs: the load of everyone else on the machine. (At the end,
    # the figure includes this run's own gunicorn, PostgreSQL backends and workers.)
    load_before = load_average()

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
    server: subprocess.Popen | None = None
    redis: subprocess.Popen | None = None
    redis_url = ""
    try:
        if TOP_UP in purposes:
            # The queue `message_send` nudges after commit: Redis, as in production (a
            # throwaway server of our own, so no one else's queue is touched or counted).
            redis, redis_url = start_redis()
            env["HUEY_URL"] = redis_url
        os.environ.update(env)
        Path(env["ZAPYS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
        import django

        django.setup()
        warm = args.concurrency * WARM_UP_PER_CONNECTION
        account, modes = prepare(purposes, [warm] + [args.n, warm, args.n] * args.rounds)
        gunicorn = [
            sys.executable, "-m", "gunicorn", "zapys.wsgi:application",
            "-c", "python:zapys.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", *extra,
        ]  # fmt: skip
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
        wait_for_port(port)
        for mode in modes:
            warm_up(port, account, mode.warm, args.concurrency)
        from django.db import connections

        connections.close_all()
        others = {"redis": [redis.pid]} if redis is not None else {}
        for r in range(args.rounds):
            for mode in modes:
                app_ids, raw_warm, raw_ids = mode.rounds[r]
                counter = row_counter(db_url, mode.purpose, redis_url)
                app = bench_app(port, server.pid, db_name, account, app_ids, args, others, counter)
                raw = bench_raw(
                    db_url, db_name, account, mode, raw_ids, raw_warm, args, others, counter,
                    redis_url,
                )  # fmt: skip
                same_rows(mode.purpose, r + 1, app, raw)
                mode.app_phases.append(app)
                mode.raw_phases.append(raw)
        for mode in modes:
            verify([mode.warm] + [ids for ids, _w, _r in mode.rounds])
        server_config = (
            f"{gunicorn_conf.worker_class} {gunicorn_conf.workers}×{gunicorn_conf.threads}"
            + (f" {' '.join(extra)}" if extra else "")
        )
        print(
            f"callbacks: n={args.n} × {args.rounds} rounds, concurrency={args.concurrency}, "
            f"client={args.client}, gunicorn {server_config}, "
            f"raw SQL in {args.raw_procs} processes; load average {load_before} before the "
            f"run, {load_average()} at its end"
        )
        for mode in modes:
            report(mode, args)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=20)
        if "django" in sys.modules and "zapys.payments" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def report(mode: Mode, args) -> None:
    """Every round of both sides, then the ratio of the best round of each, in wall time and
    in the CPU time of the server side."""
    app_phases, raw_phases = mode.app_phases, mode.raw_phases
    print(
        f"purpose {mode.purpose}: "
        + ("the callback machinery alone" if mode.top_up is None else "top-ups, handler included")
        + "; rows added per callback by each side: "
        + ", ".join(f"{name} {n / args.n:g}" for name, n in app_phases[0].rows.items())
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
    target = "; target <= 3x" if mode.top_up is None else ""
    print(
        f"ratio app/raw ({mode.purpose}): {best_app.wall / best_raw.wall:.2f}x best of each "
        f"(rounds: {', '.join(f'{r:.2f}x' for r in ratios)}{target})"
    )
    # The same comparison in CPU time, which other load on the machine disturbs less:
    # the app's server side (gunicorn + its PostgreSQL backends [+ Redis]) against raw
    # SQL's Python and backends [+ Redis]; the load generator is on neither side.
    app_cpu = sum(sum(v for k, v in p.cpu.items() if k != "client") for p in app_phases)
    raw_cpu = sum(sum(p.cpu.values()) for p in raw_phases)
    total = args.n * args.rounds
    print(
        f"CPU per callback ({mode.purpose}): app {app_cpu / total * 1000:.2f} ms, raw SQL "
        f"{raw_cpu / total * 1000:.2f} ms: {app_cpu / raw_cpu:.2f}x"
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def start_redis() -> tuple[subprocess.Popen, str]:
    """A Redis of our own on a free port, nothing saved to disk."""
    import shutil

    if shutil.which("redis-server") is None:
        raise SystemExit("--purpose top_up needs redis-server on PATH (the task queue)")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port)
    return server, f"redis://127.0.0.1:{port}/0"


def prepare(purposes: list[str], sizes: list[int]) -> tuple[Any, list[Mode]]:
    """An organization, a LiqPay account and, per purpose, pending payments in groups of
    the given sizes; then ANALYZE, as a live database has planner statistics."""
    from django.db import connection

    from zapys.accounts.services import organization_create
    from zapys.core.audit import Actor
    from zapys.core.tenancy import org_scope
    from zapys.payments.models import Payment
    from zapys.payments.services import payment_account_create

    actor = Actor.system("bench")
    org = organization_create(name="Bench", slug="bench", actor=actor)
    modes = []
    with org_scope(org):
        account = payment_account_create(
            organization=org,
            provider="liqpay",
            credentials={"public_key": PUBLIC_KEY, "private_key": PRIVATE_KEY},
            actor=actor,
        )
        for purpose in purposes:
            top_up = None
            if purpose == TOP_UP:
                top_up = TopUpSetup.create(org, account, actor, sum(sizes))
            else:
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
            ids = list(
                Payment.objects.filter(purpose=purpose)
                .order_by("id")
                .values_list("id", "order_id", "amount")
            )
            groups, start = [], 0
            for size in sizes:
                groups.append(ids[start : start + size])
                start += size
            rounds = [groups[1 + 3 * r : 4 + 3 * r] for r in range(len(groups) // 3)]
            modes.append(Mode(purpose, groups[0], rounds, top_up))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return account, modes


class TopUpSetup:
    """The organization set up like the demo for top-ups, the payments' clients, and what
    the raw-SQL baseline writes for each top-up: the same values the app writes, formatted
    with the app's own translations and message renderer (before timing)."""

    CHANNEL = "sms"

    def __init__(self, org, branch, payment_type, article, transport, clients) -> None:
        self.org = org
        self.branch = branch
        self.payment_type = payment_type
        self.article = article
        self.transport = transport
        self.clients = clients  # payment id -> Client

    @classmethod
    def create(cls, org, account, actor, count: int) -> TopUpSetup:
        from django.utils import translation
        from django.utils.translation import gettext as _

        from zapys.accounts.services import branch_create
        from zapys.clients.models import Client
        from zapys.ledger.services import finance_article_for, payment_type_for
        from zapys.messaging.services import event_setting_save, transport_account_save
        from zapys.payments.models import Payment

        branch = branch_create(organization=org, name="Main", actor=actor)
        # As the demo organization (zapys/messaging/demo.py): console SMS and e-mail, and
        # its channel order. The clients have phones and no messenger: the SMS is queued.
        transports = {
            channel: transport_account_save(
                organization=org,
                actor=actor,
                channel=channel,
                code="console",
                name="Console (demo)",
                credentials={},
                priority=10,
            )
            for channel in ("sms", "email")
        }
        event_setting_save(
            organization=org, event="", channels=["telegram", "viber", "sms", "email"], actor=actor
        )
        # Created by the first top-up otherwise; made here so both sides find them.
        payment_type = payment_type_for(organization=org, branch=branch, method="online")
        article = finance_article_for(organization=org, code="top_ups")
        people = [
            Client(organization=org, name=f"Коваленко Олена {i}", phone=f"+38067{i:07d}")
            for i in range(count)
        ]
        for person in people:
            person.search_text = person.build_search_text()
        people = Client.objects.bulk_create(people, batch_size=1000)
        with translation.override(org.language or "uk"):
            # What `topup_create` writes (the staff page and the API make top-ups with it).
            description = _("Balance top-up: %(name)s") % {"name": org.name}
        payments = [
            Payment(
                organization=org,
                account=account,
                purpose=TOP_UP,
                purpose_type=person._meta.label_lower,
                purpose_id=str(person.pk),
                client=person,
                amount=20000 + i,
                currency=org.currency,
                description=description[:250],
                status="pending",
            )
            for i, person in enumerate(people)
        ]
        payments = Payment.objects.bulk_create(payments, batch_size=1000)
        clients = {payment.pk: person for payment, person in zip(payments, people, strict=True)}
        return cls(org, branch, payment_type, article, transports[cls.CHANNEL], clients)

    def params(self, account, pk: int, order_id: str, amount: int) -> dict:
        """The values of one top-up callback's rows, as the app writes them
        (zapys/topups/services.py, zapys/ledger/money.py, zapys/messaging/services/sending.py)."""
        from django.utils import translation
        from django.utils.translation import gettext as _

        from zapys.core.money import format_money
        from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt
        from zapys.messaging.events import get_event
        from zapys.messaging.models import Message
        from zapys.messaging.services import message_renderer
        from zapys.payments.models import Payment

        client = self.clients[pk]
        org = self.org
        params = raw_params(account, pk, order_id, amount)
        with translation.override(org.language or "uk"):
            amount_text = format_money(amount, "UAH")
            text, subject = message_renderer(
                organization=org,
                event=get_event("payment.top_up_received"),
                channel=self.CHANNEL,
                template=None,
            )({"client": client, "amount": amount_text, "organization": {"name": org.name}}, client)
            title = _("Top-up received: %(amount)s") % {"amount": amount_text}
            # The payment's own text, as `_audit_transition` writes it (its purpose's label
            # and its amount as money, in the organization's language).
            payment_text = str(Payment(pk=pk, purpose=TOP_UP, amount=amount, currency=org.currency))
            params.update(
                repr=payment_text[:300],
                client=client.pk,
                branch=self.branch.pk,
                payment_type=self.payment_type.pk,
                article=self.article.pk,
                # how the money came, not the payment's number (topups/texts.py)
                comment=_("Online balance top-up (%(provider)s)") % {"provider": "LiqPay"},
                # the comment as each reader's page renders it (core.stored_text)
                comment_text=json.dumps(
                    {
                        "msgid": "Online balance top-up (%(provider)s)",
                        "params": {"provider": "LiqPay"},
                    }
                ),
                entry_repr=str(Entry(kind="debit", amount=amount, purpose=TOP_UP))[:300],
                operation_repr=str(FinancialOperation(kind="income", amount=amount))[:300],
                # the receipt named as the audit log names it: whose and its total
                receipt_repr=str(SalesReceipt(client=client, total=amount))[:300],
                line=_("Balance top-up"),
                # the line's name as each reader's page renders it (core.stored_text)
                line_text=json.dumps({"msgid": "Balance top-up", "params": {}}),
                title=title[:200],
                text=_("%(client)s topped up the balance online.") % {"client": client.name},
                # what each reader's page renders the notification from (core.stored_text)
                title_text=json.dumps(
                    {
                        "msgid": "Top-up received: %(amount)s",
                        "params": {"amount": {"money": amount, "currency": "UAH"}},
                    }
                ),
                body_text=json.dumps(
                    {
                        "msgid": "%(client)s topped up the balance online.",
                        "params": {"client": client.name},
                    }
                ),
                recipient=client.phone,
                channel=self.CHANNEL,
                transport=self.transport.pk,
                transport_code=self.transport.code,
                subject=subject[:300],
                sms=text,
                idempotency_key=f"payment:{pk}:top_up_received",
                message_repr=str(
                    Message(
                        channel=self.CHANNEL, recipient=client.phone, status="queued", client=client
                    )
                )[:300],
            )
        return params


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


def bench_app(
    port: int, server_pid: int, db_name: str, account, ids, args, others, counter
) -> Phase:
    bodies = [callback_body(*row) for row in ids]
    path = callback_path(account)
    server_pids = process_tree(server_pid)
    rows_before = counter()
    pg_before, server_before = cpu_of(backends(db_name)), cpu_of(server_pids)
    others_before = {name: cpu_of(pids) for name, pids in others.items()}
    client_before = time.process_time()
    if args.client == "light":
        requests = [post_request("127.0.0.1", port, path, body, FORM) for body in bodies]
        # A deadline for the whole round that a slow path under load still meets (top-ups
        # ran at ~30/s while other sessions used the machine: over a minute for 2,000).
        deadline = max(60.0, len(requests) / 10)
        result = run_load("127.0.0.1", port, requests, args.concurrency, timeout=deadline)
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
    for name, pids in others.items():
        cpu[name] = cpu_delta(others_before[name], cpu_of(pids))
    rows = rows_added(rows_before, counter())
    return Phase("app", len(ids), wall, latencies, cpu, rows)


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


# The top-up's rows, one hand-written statement each (columns as the app fills them; see
# bench/test_callbacks_rows.py), after the machinery's event insert, lock and update.
TOP_UP_SQL = {
    # ON CONFLICT: a baseline that dedupes provider retries the way the app does.
    "event": RAW_SQL[0].replace(
        " RETURNING id", " ON CONFLICT (account_id, dedupe_key) DO NOTHING RETURNING id"
    ),
    "lock": RAW_SQL[1],
    "payment": RAW_SQL[2],
    # The client's base account, created on first use (one per client: a partial unique
    # index), as `ledger.services.account_base_for` does.
    "account": (
        "INSERT INTO ledger_account (organization_id, client_id, kind, name, created_at)"
        " VALUES (%(org)s, %(client)s, 'base', '', now())"
        " ON CONFLICT (client_id) WHERE kind = 'base' DO NOTHING RETURNING id"
    ),
    "account_get": "SELECT id FROM ledger_account WHERE client_id = %(client)s AND kind = 'base'",
    "entry": (
        "INSERT INTO ledger_entry (organization_id, account_id, client_id, kind, amount,"
        " purpose, comment, comment_text, cause_type, cause_id, branch_id, payment_type_id,"
        " created_by_id, created_by_label, created_at, status, cancelled_at, cancelled_by_id,"
        " cancel_reason) VALUES (%(org)s, %(ledger_account)s, %(client)s, 'debit', %(amount)s,"
        " 'top_up', %(comment)s, CAST(%(comment_text)s AS jsonb), 'payments.payment', %(pk)s,"
        " %(branch)s, %(payment_type)s, NULL,"
        " 'liqpay', now(), 'active', NULL, NULL, '') RETURNING id"
    ),
    "operation": (
        "INSERT INTO ledger_financialoperation (organization_id, branch_id, kind, amount,"
        " article_id, payment_type_id, client_id, comment, comment_text, cause_type, cause_id,"
        " created_by_id, created_by_label, created_at, entry_id, status, cancelled_at,"
        " cancel_reason, client_money) VALUES (%(org)s, %(branch)s, 'income', %(amount)s,"
        " %(article)s, %(payment_type)s, %(client)s, %(comment)s, CAST(%(comment_text)s AS jsonb),"
        " 'payments.payment', %(pk)s, NULL,"
        " 'liqpay', now(), %(entry)s, 'active', NULL, '', false) RETURNING id"
    ),
    "receipt": (
        "INSERT INTO ledger_salesreceipt (organization_id, branch_id, client_id, total, paid,"
        " cause_type, cause_id, created_by_id, created_by_label, created_at) VALUES (%(org)s,"
        " %(branch)s, %(client)s, %(amount)s, %(amount)s, 'payments.payment', %(pk)s, NULL,"
        " 'liqpay', now()) RETURNING id"
    ),
    "line": (
        "INSERT INTO ledger_salesreceiptline (organization_id, receipt_id, name, name_text,"
        " amount, entry_id, status, cancelled_at) VALUES (%(org)s, %(receipt)s, %(line)s,"
        " CAST(%(line_text)s AS jsonb), %(amount)s, NULL, 'active', NULL)"
    ),
    "receipt_payment": (
        "INSERT INTO ledger_salesreceiptpayment (organization_id, receipt_id, payment_type_id,"
        " amount, entry_id, status, cancelled_at) VALUES (%(org)s, %(receipt)s,"
        " %(payment_type)s, %(amount)s, %(entry)s, 'active', NULL)"
    ),
    "notification": (
        "INSERT INTO messaging_staffnotification (organization_id, recipient_id, title, body,"
        " title_text, body_text, url, level, related_type, related_id, created_at, read_at,"
        " read_by_id) VALUES (%(org)s, NULL, %(title)s, %(text)s, CAST(%(title_text)s AS jsonb),"
        " CAST(%(body_text)s AS jsonb), '', 'success', 'payments.payment', %(pk)s, now(), NULL,"
        " NULL) RETURNING id"
    ),
    # ON CONFLICT: the idempotency key, as `message_send` (a repeated key queues nothing).
    "message": (
        "INSERT INTO messaging_message (organization_id, client_id, recipient, channel,"
        " transport_account_id, transport_code, event, subject, text, related_type,"
        " related_id, idempotency_key, status, attempts, next_attempt_at, claimed_at,"
        " claim_token, last_error, provider_message_id, created_at, sent_at) VALUES"
        " (%(org)s, %(client)s, %(recipient)s, %(channel)s, %(transport)s,"
        " %(transport_code)s, 'payment.top_up_received', %(subject)s, %(sms)s,"
        " 'payments.payment', %(pk)s, %(idempotency_key)s, 'queued', 0, now(), NULL, '', '',"
        " '', now(), NULL) ON CONFLICT (organization_id, idempotency_key) DO NOTHING"
        " RETURNING id"
    ),
    "audit": (
        "INSERT INTO core_auditlog (organization_id, created_at, actor_kind, actor_user_id,"
        " actor_label, action, object_type, object_id, object_repr, changes) VALUES"
        " (%s, now(), %s, NULL, %s, %s, %s, %s, %s, %s)"
    ),
    "outcome": (
        "UPDATE payments_paymentevent SET payment_id = %(pk)s, outcome = 'applied', note = ''"
        " WHERE id = %(event)s"
    ),
}


def _raw_top_up(conn, p: dict, nudge: Callable[[int], None] | None = None) -> None:
    """One top-up callback's rows in one transaction; the delivery nudge after commit."""
    sql = TOP_UP_SQL

    def audit(kind: str, label: str, action: str, object_type: str, pk, text, changes) -> None:
        conn.execute(
            sql["audit"],
            (p["org"], kind, label, action, object_type, str(pk), text, json.dumps(changes)),
        )

    message = None
    with conn.transaction():
        row = conn.execute(sql["event"], p).fetchone()
        if row is None:
            return  # a repeated delivery: nothing else changes
        p["event"] = row[0]
        conn.execute(sql["lock"], p)
        conn.execute(sql["payment"], p)
        row = conn.execute(sql["account"], p).fetchone()
        if row is None:
            row = conn.execute(sql["account_get"], p).fetchone()
        assert row is not None
        p["ledger_account"] = row[0]
        p["entry"] = conn.execute(sql["entry"], p).fetchone()[0]
        audit(
            "provider", "liqpay", "ledger.entry_create", "ledger.entry", p["entry"],
            p["entry_repr"],
            {"kind": [None, "debit"], "amount": [None, p["amount"]], "purpose": [None, TOP_UP],
             "client": [None, p["client"]], "account": [None, p["ledger_account"]]},
        )  # fmt: skip
        operation = conn.execute(sql["operation"], p).fetchone()[0]
        audit(
            "provider", "liqpay", "ledger.operation_create", "ledger.financialoperation",
            operation, p["operation_repr"],
            {"kind": [None, "income"], "amount": [None, p["amount"]], "entry": [None, p["entry"]]},
        )  # fmt: skip
        p["receipt"] = conn.execute(sql["receipt"], p).fetchone()[0]
        conn.execute(sql["line"], p)
        conn.execute(sql["receipt_payment"], p)
        # the receipt named by whose it is and its total, as the app writes it
        audit(
            "provider", "liqpay", "ledger.receipt_create", "ledger.salesreceipt", p["receipt"],
            p["receipt_repr"], {"total": [None, p["amount"]], "paid": [None, p["amount"]]},
        )  # fmt: skip
        notification = conn.execute(sql["notification"], p).fetchone()[0]
        audit(
            "system", "notifications", "staff_notification.create",
            "messaging.staffnotification", notification, p["title"], {},
        )  # fmt: skip
        row = conn.execute(sql["message"], p).fetchone()
        if row is not None:
            message = row[0]
            audit(
                "provider", "liqpay", "message.queue", "messaging.message", message,
                p["message_repr"], {"event": "payment.top_up_received", "channel": p["channel"]},
            )  # fmt: skip
        audit(
            "provider", "liqpay", "payment.succeeded", "payments.payment", p["pk"], p["repr"],
            {"status": "succeeded"},
        )  # fmt: skip
        conn.execute(sql["outcome"], p)
    if message is not None and nudge is not None:
        nudge(message)


def redis_nudge(redis_url: str) -> Callable[[int], None]:
    """Push "deliver message N" to Redis the way the task queue does (ZADD of a
    timestamp-prefixed payload), under the baseline's own key."""
    import pickle
    import struct

    import redis

    client = redis.Redis.from_url(redis_url)

    def nudge(message_id: int) -> None:
        payload = pickle.dumps(("zapys.messaging.tasks.deliver_message_task", (message_id,)))
        client.zadd(RAW_QUEUE_KEY, {struct.pack(">Q", int(time.time() * 1e6)) + payload: 0})

    return nudge


def _raw_worker(
    db_url: str,
    purpose: str,
    redis_url: str,
    jobs: list[dict],
    warm: list[dict],
    threads: int,
    barrier,
    results,
) -> None:
    """One raw-SQL process: `threads` connections sharing its jobs. Each connection first
    runs a few transactions of its own (untimed), as the app's threads did."""
    import psycopg

    if purpose == TOP_UP:
        nudge = redis_nudge(redis_url)

        def transaction(conn, params: dict) -> None:
            _raw_top_up(conn, params, nudge)
    else:
        transaction = _raw_transaction
    conns = [psycopg.connect(db_url) for _ in range(threads)]
    for i, conn in enumerate(conns):
        for params in warm[i::threads]:
            transaction(conn, params)
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
            transaction(conn, params)
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)

    barrier.wait()  # connected: the parent counts rows and reads the backends' CPU
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


def bench_raw(
    db_url: str, db_name: str, account, mode: Mode, ids, warm_ids, args, others, counter,
    redis_url: str,
) -> Phase:  # fmt: skip
    procs = max(1, min(args.raw_procs, args.concurrency))
    params = [mode.params(account, row) for row in ids]
    warm = [mode.params(account, row) for row in warm_ids]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(procs + 1)
    results = ctx.Queue()
    workers = []
    for i in range(procs):
        threads = args.concurrency // procs + (1 if i < args.concurrency % procs else 0)
        workers.append(
            ctx.Process(
                target=_raw_worker,
                args=(
                    db_url,
                    mode.purpose,
                    redis_url,
                    params[i::procs],
                    warm[i::procs],
                    threads,
                    barrier,
                    results,
                ),
            )
        )
    for worker in workers:
        worker.start()
    barrier.wait()
    rows_before = counter()  # after the workers' warm-up: only the timed transactions count
    pg_before = cpu_of(backends(db_name))
    others_before = {name: cpu_of(pids) for name, pids in others.items()}
    barrier.wait()
    began = time.perf_counter()
    gathered = [results.get() for _ in workers]
    wall = time.perf_counter() - began
    pg_cpu = cpu_delta(pg_before, cpu_of(backends(db_name)))
    others_cpu = {
        name: cpu_delta(others_before[name], cpu_of(pids)) for name, pids in others.items()
    }
    barrier.wait()
    for worker in workers:
        worker.join()
    latencies = [lat for lats, _cpu in gathered for lat in lats]
    cpu = {"raw SQL": sum(c for _lats, c in gathered), "postgres": pg_cpu, **others_cpu}
    return Phase("raw SQL", len(ids), wall, latencies, cpu, rows_added(rows_before, counter()))


# --------------------------------------------------------------------------- checks


def row_counter(db_url: str, purpose: str, redis_url: str) -> Callable[[], dict[str, int]]:
    """Counts of the rows a callback of `purpose` writes (and of the delivery nudges queued,
    the app's and the baseline's), read on a connection of its own, closed at once (so its
    backend is not among those whose CPU is measured)."""

    def count() -> dict[str, int]:
        import psycopg

        with psycopg.connect(db_url, autocommit=True) as conn:
            counts = {
                name: conn.execute(query).fetchone()[0]  # type: ignore[index]
                for name, query in ROW_COUNTS[purpose]
            }
        if purpose == TOP_UP:
            import redis
            from huey.contrib.djhuey import HUEY

            client = redis.Redis.from_url(redis_url)
            counts["queued nudges"] = client.zcard(HUEY.storage.queue_key) + client.zcard(
                RAW_QUEUE_KEY
            )
            client.close()
        return counts

    return count


def rows_added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in after}


def same_rows(purpose: str, round_no: int, app: Phase, raw: Phase) -> None:
    """The app's callbacks and the baseline's transactions of one round added the same
    rows to every table touched, and each side one set per callback: else the comparison
    is not of the same work, and the run stops."""
    if app.rows != raw.rows or any(n == 0 for n in app.rows.values()):
        table = "\n".join(
            f"  {name:<32} app {app.rows[name]:>7}  raw SQL {raw.rows.get(name, 0):>7}"
            for name in app.rows
        )
        raise RuntimeError(
            f"{purpose}, round {round_no}: the two sides did not write the same rows\n{table}"
        )


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
