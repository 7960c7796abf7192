"""The scaled mode, end to end: a CI step (`.ci/run`) and a check anyone can run.

    .venv/bin/python tests/scaled/run.py [--bookings N] [--time-limit SECONDS] [--keep]

On this machine's PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379),
with `zapys.settings_production`, in a database (`zapys_scaled_<random>`) and a Redis
database (`--redis-db`, flushed) of its own, it:

1. runs the `.venv/bin/python` lines of docs/deployment.md's setup block (`check
   --deploy`, `migrate`, `collectstatic`) and starts the processes of its processes block
   exactly as written — two gunicorn instances, two `run_huey --no-periodic` workers and
   one `run_huey` scheduler — only the ports replaced by free ones;
2. puts a small proxy in front (tests/scaled/proxy.py: what the nginx block of the docs
   does, without TLS) and an SMS gateway simulator (TurboSMS, tests/simulators) and a
   LiqPay simulator (for reconciliation polls) behind the apps, all on 127.0.0.1;
3. builds two organizations with online booking and prepayment: one paid through LiqPay
   (callbacks signed here, as LiqPay's servers would), one through the sandbox provider
   (the client's checkout through the proxy; the sandbox's callback delivered by a
   worker back through the proxy);
4. drives: concurrent online bookings through the proxy (a few pairs racing for the
   same slot); while their payment-link SMS are being delivered it holds the gateway's
   answers until every consumer thread is inside a delivery, SIGKILLs one worker and
   restarts it; pays most bookings with each callback sent three times at once, straight
   to both web instances over plain HTTP (the redirect exemption); lets the deadlines of
   the rest pass (the deadline columns moved into the past) right before the scheduler's
   next tick, runs two operator `tick`s at the same moment (with `--now` a minute and
   two ahead, so their runs are due too and three sweeps race), and pays a few of the
   due bookings in that same second (payment against expiry); recovers the killed
   worker's deliveries through the outbox lease;
5. checks from the database: every payment credited exactly once (one ledger entry per
   paid payment, one applied callback event), every due booking expired and cancelled
   exactly once (one audit row of each), the race ended in exactly one outcome, no
   untouched booking moved, every outbox message sent and received by the gateway, and
   duplicates at the gateway only for the messages the killed worker had in flight
   (reported with whether the transport passed the outbox key on).

Bounded: a fixed number of bookings, every wait has a deadline, the whole run has
`--time-limit`. It prints a pass/fail summary, exits 1 on failure, and stops what it
started (its own processes, by pid), drops its database and flushes its Redis database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.scaled.checks import Verification  # noqa: E402
from tests.scaled.proxy import LoadBalancer  # noqa: E402
from tests.scaled.stack import (  # noqa: E402
    T0,
    Attempt,
    Browser,
    Check,
    Failure,
    HoldingTurboSMS,
    Plan,
    Proc,
    doc_block,
    free_port,
    hidden_fields,
    log,
    parent_pid,
    post_at_once,
    post_form,
    wait_for,
)
from tests.scaled.world import LIQPAY_PRIVATE, LIQPAY_PUBLIC, SMS_TOKEN, World  # noqa: E402
from tests.simulators.liqpay import LiqPaySimulator, lp_encode, lp_sign  # noqa: E402

DOC = ROOT / "docs" / "deployment.md"
SETUP_MARK = "<!-- scaled-mode:setup"
PROCESSES_MARK = "<!-- scaled-mode:processes"
PG_ADMIN = os.environ.get("SCALED_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SCALED_REDIS", "redis://127.0.0.1:6379")
SUCCESS_CARD, THREE_DS = "4242424242424242", "1234"
#: Every callback is sent this many times at once (a provider's retries, a proxy's replay).
DUPLICATES = 3

# --------------------------------------------------------------------------- the run


class ScaledRun(World, Verification):
    """One run: set up, start, drive, verify, tear down (see the module's docstring)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="zapys-scaled-"))
        self.db_name = f"zapys_scaled_{secrets.token_hex(4)}"
        self.db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.db_name
        self.redis_url = f"{REDIS}/{args.redis_db}"
        self.procs: list[Proc] = []
        self.checks: list[Check] = []
        self.notes: list[str] = []
        self.sms = HoldingTurboSMS(SMS_TOKEN)
        self.liqpay = LiqPaySimulator({LIQPAY_PUBLIC: LIQPAY_PRIVATE})
        self.lb: LoadBalancer | None = None
        self.env: dict[str, str] = {}
        self.db_created = False
        self.django_ready = False
        self.orgs: dict[str, Any] = {}
        self.plan = Plan()
        self.by_id: dict[int, Any] = {}  # prepayments.Booking by id
        self.killed_in_flight: set[int] = set()  # outbox rows the killed worker held
        self.kill_error = ""
        self.race_bookings: list[Any] = []
        self.race_statuses: list[int] = []

    # ------------------------------------------------------------------ bookkeeping

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(ok), detail))
        log(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
        return bool(ok)

    def time_left(self) -> float:
        return self.args.time_limit - (time.monotonic() - T0)

    def budget(self, want: float) -> float:
        left = self.time_left()
        if left <= 5:
            raise Failure(f"time limit of {self.args.time_limit}s reached")
        return min(want, left - 5)

    def processes(self, role: str) -> list[Proc]:
        return [p for p in self.procs if p.role == role and p.alive()]

    def assert_running(self) -> None:
        for proc in self.procs:
            if proc.role != "tick" and not proc.alive() and not proc.killed:
                raise Failure(f"{proc.name} exited ({proc.popen and proc.popen.returncode})")

    # ------------------------------------------------------------------ setup

    def prepare(self) -> None:
        import psycopg
        import redis

        doc = Path(self.args.docs).read_text()
        self.setup_lines = doc_block(doc, SETUP_MARK)
        self.process_lines = doc_block(doc, PROCESSES_MARK)
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True
        redis.Redis.from_url(self.redis_url).flushdb()
        self.sms.start()
        self.liqpay.start()
        web_lines = [line for line in self.process_lines if "gunicorn" in shlex.split(line)[0]]
        self.web_ports = [free_port() for _ in web_lines]
        self.lb = LoadBalancer([("127.0.0.1", port) for port in self.web_ports])
        for sub in ("var", "media", "private", "run"):
            (self.tmp / sub).mkdir()
        from cryptography.fernet import Fernet

        # The scaled mode's environment, every variable as docs/deployment.md's table has it.
        deployment = {
            "DJANGO_SETTINGS_MODULE": "zapys.settings_production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ZAPYS_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": self.db_url,
            "HUEY_URL": self.redis_url,
            "HUEY_WORKERS": "2",
            "ALLOWED_HOSTS": "127.0.0.1",
            "ZAPYS_PUBLIC_URL": self.lb.base_url,
            "SECURE_SSL_REDIRECT": "true",
            "BEHIND_TLS_PROXY": "true",
            "TRUSTED_PROXIES": "1",
            "MEDIA_ROOT": str(self.tmp / "media"),
            "ZAPYS_PRIVATE_ROOT": str(self.tmp / "private"),
            "ZAPYS_SERVE_MEDIA": "false",
            "ZAPYS_VAR_DIR": str(self.tmp / "var"),
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "8",
            "ZAPYS_LIQPAY_URL": self.liqpay.base_url,
            "LOG_LEVEL": "INFO",
        }
        harness = {
            "PYTHONUNBUFFERED": "1",
            # gunicorn's control sockets go here, not into the user's ~/.gunicorn
            "XDG_RUNTIME_DIR": str(self.tmp / "run"),
        }
        # What the CI shell exported for the test suite (its DATABASE_URL, immediate Huey)
        # must not leak into the deployment.
        inherited = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "HUEY_URL", "HUEY_IMMEDIATE", "ZAPYS_TESTING", "DEBUG")
        }
        self.env = {**inherited, **deployment, **harness}
        documented = list(deployment)
        missing = [k for k in documented if f"`{k}`" not in doc]
        self.check(
            "every variable this run sets is in docs/deployment.md",
            not missing,
            ", ".join(missing) if missing else f"{len(documented)} variables",
        )
        os.environ.update(self.env)
        os.environ["LOG_LEVEL"] = "WARNING"  # this process's own log; the children keep INFO
        for line in self.setup_lines:
            words = shlex.split(line)
            if words[0] != ".venv/bin/python":
                self.notes.append(f"setup line not run here (CI did it / env built here): {line}")
                continue
            log(f"setup: {line}")
            out = subprocess.run(
                words, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=240
            )
            if out.returncode != 0:
                raise Failure(f"`{line}` failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
        import django

        django.setup()
        self.django_ready = True

    def start(self) -> None:
        assert self.lb is not None
        self.lb.start()
        ports = iter(self.web_ports)
        counts: Counter[str] = Counter()
        for line in self.process_lines:
            words = shlex.split(line)
            if "gunicorn" in words[0]:
                role = "web"
                port = next(ports)
                at = words.index("--bind")
                host = words[at + 1].rsplit(":", 1)[0]
                words[at + 1] = f"{host}:{port}"
            elif "run_huey" in words:
                role = "worker" if "--no-periodic" in words else "scheduler"
                port = None
            else:
                raise Failure(f"docs/deployment.md: unknown process line {line!r}")
            counts[role] += 1
            name = f"{role}-{counts[role]}"
            proc = Proc(role, name, words, self.tmp / f"{name}.log", port=port)
            self.procs.append(proc.start(self.env))
            log(f"started {name} (pid {proc.pid}): {shlex.join(words)}")
        self.check(
            "docs/deployment.md starts ≥2 web instances, ≥2 workers and exactly one scheduler",
            counts["web"] >= 2 and counts["worker"] >= 2 and counts["scheduler"] == 1,
            dict(counts).__repr__(),
        )
        for proc in self.processes("web"):
            wait_for(
                f"{proc.name} /healthz",
                lambda p=proc: self._healthz(p.port) == 200,
                self.budget(60),
            )
        for proc in self.processes("worker") + self.processes("scheduler"):
            wait_for(
                f"{proc.name} to start consuming",
                lambda p=proc: "consumer started" in p.log_text() or self._died(p),
                self.budget(60),
            )
            self.assert_running()

    def _died(self, proc: Proc) -> bool:
        if not proc.alive():
            raise Failure(f"{proc.name} exited:\n{proc.log_text()[-3000:]}")
        return False

    def _healthz(self, port: int | None) -> int:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
        except httpx.HTTPError:
            return 0

    # ------------------------------------------------------------------ the deployment itself

    def check_deployment(self) -> None:
        assert self.lb is not None
        for proc in self.processes("web"):
            direct = f"http://127.0.0.1:{proc.port}"
            health = httpx.get(f"{direct}/healthz", timeout=10)
            self.check(
                f"{proc.name}: /healthz answers over plain HTTP (exempt from the redirect)",
                health.status_code == 200 and health.json().get("queue") == "ok",
                f"{health.status_code} {health.text[:80]}",
            )
            page = httpx.get(f"{direct}/login/", timeout=10)
            self.check(
                f"{proc.name}: other pages over plain HTTP redirect to HTTPS",
                page.status_code == 301 and page.headers.get("location", "").startswith("https://"),
                f"{page.status_code} → {page.headers.get('location')}",
            )
        page = httpx.get(f"{self.lb.base_url}/login/", timeout=10)
        self.check(
            "through the proxy (X-Forwarded-Proto: https) pages answer, with HSTS",
            page.status_code == 200 and "strict-transport-security" in page.headers,
            str(page.status_code),
        )
        from zapys import gunicorn_conf

        default = str(self.tmp / "run" / "gunicorn.ctl")
        sockets = []
        for proc in self.processes("web"):
            path = gunicorn_conf.control_socket_for([f"127.0.0.1:{proc.port}"], default)
            out = subprocess.run(
                [str(ROOT / ".venv/bin/gunicornc"), "-s", path, "-c", "show workers", "-j"],
                capture_output=True,
                text=True,
                timeout=20,
            )
            try:
                workers = json.loads(out.stdout).get("workers", [])
            except ValueError:
                workers = []
            children = {int(w.get("pid", 0)) for w in workers}
            own = children and all(parent_pid(pid) == proc.pid for pid in children)
            sockets.append(path)
            self.check(
                f"{proc.name}: its own gunicorn control socket answers with its own workers",
                bool(own),
                f"{Path(path).name}: {sorted(children)} {out.stderr.strip()[:120]}",
            )
        self.check("control sockets are distinct", len(set(sockets)) == len(sockets))

    # ------------------------------------------------------------------ phase 1: bookings

    def book(self, attempt: Attempt) -> Attempt:
        assert self.lb is not None
        from zapys.core.tenancy import organization_zone

        org = self.orgs[attempt.org_slug]["org"]
        service = self.orgs[attempt.org_slug]["service"]
        local = attempt.start.astimezone(organization_zone(org))
        path = f"/book/{attempt.org_slug}/?" + urlencode(
            {
                "service": service.pk,
                "staff": attempt.staff_id,
                "date": local.date().isoformat(),
                "slot": local.isoformat(),
            }
        )
        browser = Browser(self.lb.base_url)
        try:
            page = browser.request("GET", path)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            if page.status_code != 200 or token is None:
                attempt.status = -page.status_code
                return attempt
            answer = browser.request(
                "POST",
                path,
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "slot": local.isoformat(),
                    "first_name": f"Клієнт {attempt.phone[-4:]}",
                    "phone": attempt.phone,
                    "consent": "on",
                },
            )
            attempt.status = answer.status_code
        finally:
            browser.close()
        return attempt

    def bookings_with_a_kill(self) -> list[Attempt]:
        per_org = self.args.bookings
        attempts: list[Attempt] = []
        for slug in self.orgs:
            attempts += self.plan_slots(
                slug, per_org, collisions=3 if slug.endswith("liqpay") else 0
            )
        phones = iter(range(1000, 10_000))
        for attempt in attempts:
            attempt.phone = f"+38067{secrets.randbelow(900) + 100:03d}{next(phones):04d}"
        # racing pairs next to each other, so they really run at the same time
        attempts.sort(key=lambda a: (a.org_slug, a.start, a.staff_id))
        if not any(p.name == "worker-1" for p in self.procs):
            raise Failure("no worker to kill: the docs start no `run_huey --no-periodic`")
        threads = sum(
            int(self.env["HUEY_WORKERS"])
            for _ in self.processes("worker") + self.processes("scheduler")
        )
        self.sms.hold()
        killer = threading.Thread(target=self._kill_mid_delivery, args=(threads,), daemon=True)
        killer.start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            done = list(pool.map(self.book, attempts))
        killer.join(timeout=self.budget(60))
        self.sms.release()
        if killer.is_alive():
            raise Failure("the worker was not killed in time")
        if self.kill_error:
            raise Failure(self.kill_error)
        statuses = Counter(a.status for a in done)
        log(f"online bookings: {len(done)} attempts, statuses {dict(statuses)}")
        return done

    def _kill_mid_delivery(self, threads: int) -> None:
        """Wait until every consumer thread is inside a (held) delivery — or 5 s after the
        first one is, well under the transports' 10 s timeout — then SIGKILL worker-1,
        release the gateway, and start worker-1 again with the same command."""
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                since = self.sms.held_since
                if self.sms.held >= threads or (since and time.monotonic() - since > 5):
                    break
                time.sleep(0.05)
            victim = next(p for p in self.procs if p.name == "worker-1")
            held = self.sms.held
            victim.kill()
            victim.killed = True
            self.sms.release()
            log(
                f"SIGKILLed worker-1 (pid {victim.pid}) with {held} of {threads} consumer "
                "threads inside a delivery; gateway released"
            )
            again = Proc(
                "worker", "worker-1-restarted", victim.argv, self.tmp / "worker-1-restarted.log"
            )
            self.procs.append(again.start(self.env))
            log(f"restarted it as pid {again.pid}: {shlex.join(again.argv)}")
        except Exception as exc:  # reported by the main thread
            self.sms.release()
            self.kill_error = f"killing the worker failed: {exc!r}"

    # ------------------------------------------------------------------ phase 2: payments

    def bookings_made(self, attempts: list[Attempt]) -> dict[str, list[Any]]:
        """Each org's prepayment bookings of the successful attempts, by visit start."""
        from zapys.core.tenancy import unscoped
        from zapys.prepayments.models import Booking

        phones = [a.phone for a in attempts if a.status == 302]
        with unscoped():
            rows = list(
                Booking.objects.filter(client__phone__in=phones)
                .select_related("organization", "payment", "client", "visit")
                .order_by("visit__starts_at", "id")
            )
        grouped: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row.organization.slug].append(row)
        return grouped

    def liqpay_callback(self, payment: Any) -> bytes:
        data = lp_encode(
            {
                "public_key": LIQPAY_PUBLIC,
                "version": 3,
                "action": "pay",
                "status": "success",
                "order_id": payment.order_id,
                "payment_id": 500_000 + payment.pk,
                "transaction_id": 900_000 + payment.pk,
                "amount": payment.amount / 100,
                "currency": payment.currency,
                "end_date": int(time.time() * 1000),
            }
        )
        return urlencode({"data": data, "signature": lp_sign(LIQPAY_PRIVATE, data, 3)}).encode()

    def direct_urls(self) -> list[str]:
        """The web instances themselves, over plain HTTP (no proxy headers)."""
        return [f"http://127.0.0.1:{p.port}" for p in self.processes("web")]

    def pay_liqpay(self, booking: Any) -> list[int]:
        """LiqPay's servers post the same signed callback DUPLICATES times at once,
        straight to the web instances over plain HTTP."""
        account = self.orgs["scaled-liqpay"]["account"]
        path = f"/payments/callback/liqpay/{account.public_id}/"
        body = self.liqpay_callback(booking.payment)
        urls = self.direct_urls()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}

        def job(url: str) -> Callable[[], httpx.Response]:
            return lambda: httpx.post(url + path, content=body, headers=headers, timeout=30)

        return post_at_once([job(urls[i % len(urls)]) for i in range(DUPLICATES)])

    def pay_sandbox(self, booking: Any) -> list[int]:
        """The client pays on the sandbox checkout through the proxy; the sandbox's
        callback goes out from a worker. Meanwhile the same signed callback is replayed
        DUPLICATES - 1 times at once, straight to the web instances."""
        assert self.lb is not None
        from zapys.core.tenancy import unscoped
        from zapys.payments import sandbox
        from zapys.payments.models import SandboxCharge

        browser = Browser(self.lb.base_url)
        try:
            page = browser.request("GET", f"/p/{booking.token}/")
            if page.status_code != 200:
                raise Failure(f"payment page of booking {booking.pk}: {page.status_code}")
            action, fields = hidden_fields(page.text, 'data-testid="checkout-form"')
            path = "/" + action.split("/", 3)[3]  # the proxy's own URL, from ZAPYS_PUBLIC_URL
            card = browser.request(
                "POST", path, {**fields, "step": "card", "card_number": SUCCESS_CARD}
            )
            code = browser.request("POST", path, {**fields, "step": "3ds", "code": THREE_DS})
            if card.status_code != 200 or code.status_code != 302:
                raise Failure(
                    f"sandbox checkout of booking {booking.pk}: {card.status_code}, {code.status_code}"
                )
        finally:
            browser.close()
        account = self.orgs["scaled-sandbox"]["account"]
        with unscoped():
            charge = SandboxCharge.objects.get(
                account_public_id=account.public_id, order_id=booking.payment.order_id
            )
        signed = sandbox._signed(account.credentials["secret"], sandbox._charge_fields(charge))
        callback = f"/payments/callback/sandbox/{account.public_id}/"
        urls = self.direct_urls()
        return post_at_once(
            [
                (lambda url=url: post_form(url + callback, signed))
                for url in (urls * DUPLICATES)[: DUPLICATES - 1]
            ]
        )

    # ------------------------------------------------------------------ phase 3: deadlines

    def next_scheduler_tick(self) -> float:
        """time.time() of the scheduler's next periodic run: Huey enqueues the periodic
        task every 60 s by its own clock, and logs each time it does."""
        scheduler = next(p for p in self.procs if p.role == "scheduler")
        stamps = re.findall(
            r"^\[?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]?[^\n]*Enqueueing periodic task",
            scheduler.log_text(),
            re.M,
        )
        if not stamps:
            raise Failure("the scheduler has not enqueued its periodic task yet")
        last = datetime.strptime(stamps[-1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        return last + 60 * (int((time.time() - last) // 60) + 1)

    def deadlines_race(self, plan: Plan) -> dict[str, str]:
        from django.utils import timezone

        from zapys.core.tenancy import unscoped
        from zapys.prepayments.models import Booking

        tick_at = self.next_scheduler_tick()
        if tick_at - time.time() < 10:
            tick_at += 60
        wait = tick_at - 8 - time.time()
        log(f"deadlines: waiting {wait:.0f}s for the scheduler's next tick")
        time.sleep(max(0.0, wait))
        self.assert_running()
        past = timezone.now() - timedelta(minutes=5)
        with unscoped():
            moved = Booking.objects.filter(pk__in=plan.expire + plan.race).update(
                expires_at=past, auto_cancel_at=past, remind_at=None
            )
        log(f"deadlines of {moved} bookings moved into the past")
        # As if run a minute and two after the scheduler's tick: due whoever ran first.
        base = datetime.fromtimestamp(tick_at, tz=UTC)
        ticks = []
        for minutes in (1, 2):
            at = (base + timedelta(minutes=minutes, seconds=1)).isoformat()
            argv = [".venv/bin/python", "manage.py", "tick", "--now", at]
            argv += ["--job", "prepayments.deadlines"]
            ticks.append(Proc("tick", f"tick+{minutes}m", argv, self.tmp / f"tick-{minutes}.log"))
        time.sleep(max(0.0, tick_at - 2.5 - time.time()))  # Django starts in ~2 s
        for tick in ticks:
            self.procs.append(tick.start(self.env))

        def pay_around_the_tick(i: int, booking: Any) -> list[int]:
            # spread over the second around the tick: some before the sweep, some after
            time.sleep(max(0.0, tick_at - 0.6 + 0.4 * i - time.time()))
            return self.pay_liqpay(booking)

        with ThreadPoolExecutor(max_workers=8) as pool:
            rows = pool.map(pay_around_the_tick, *zip(*enumerate(self.race_bookings), strict=True))
            statuses = [s for row in rows for s in row]
        log(f"race payments sent at the tick: statuses {dict(Counter(statuses))}")
        self.race_statuses = statuses
        for tick in ticks:
            assert tick.popen is not None
            tick.popen.wait(timeout=self.budget(90))
        return {
            t.name: " | ".join(
                line for line in t.log_text().splitlines() if line.startswith("prepayments.")
            )
            for t in ticks
        }

    # ------------------------------------------------------------------ phase 4: recovery

    def stuck_messages(self) -> list[Any]:
        from zapys.core.tenancy import unscoped
        from zapys.messaging.models import Message

        with unscoped():
            return list(Message.objects.filter(status=Message.Status.SENDING))

    def queue_idle(self) -> bool:
        from huey.contrib.djhuey import HUEY

        return HUEY.pending_count() == 0 and HUEY.scheduled_count() == 0

    def recover_outbox(self, stuck: list[Any]) -> str:
        """The killed worker's rows wait in `sending` for the outbox lease; then the sweep
        sends them again. With a lease longer than CI can wait, the sweep is run as the
        scheduler would run it after the lease (`tick --now`)."""
        from zapys.messaging import outbox

        if not stuck:
            return "nothing to recover"
        lease_for = getattr(outbox, "lease_for", None)
        lease = max(
            lease_for(m.transport_code) if lease_for else outbox.LEASE  # type: ignore[attr-defined]
            for m in stuck
        )
        claimed = max(m.claimed_at for m in stuck)
        if lease <= timedelta(seconds=120):
            return f"left to the scheduler's outbox sweep (lease {lease})"
        at = (claimed + lease + timedelta(seconds=1)).isoformat()
        argv = [
            ".venv/bin/python", "manage.py", "tick", "--job", "messaging.outbox", "--now", at,
        ]  # fmt: skip
        out = subprocess.run(
            argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        if out.returncode != 0:
            raise Failure(f"{shlex.join(argv)} failed: {out.stderr[-2000:]}")
        return (
            f"lease is {lease} (longer than CI waits): ran `tick --job messaging.outbox "
            f"--now claimed_at + lease` → {out.stdout.strip()}"
        )

    # ------------------------------------------------------------------ the whole drive

    def drive(self) -> None:
        from zapys.core.tenancy import unscoped
        from zapys.messaging.models import Message

        self.check_deployment()
        self.build_organizations()
        attempts = self.bookings_with_a_kill()
        self.assert_running()
        self.check_bookings(attempts)
        grouped = self.bookings_made(attempts)
        plan = Plan()
        for slug, rows in grouped.items():
            n = len(rows)
            untouched = max(2, n // 6)
            expire = max(2, n // 5)
            race = max(2, n // 6) if slug == "scaled-liqpay" else 0
            plan.untouched += [b.pk for b in rows[:untouched]]
            plan.expire += [b.pk for b in rows[untouched : untouched + expire]]
            plan.race += [b.pk for b in rows[untouched + expire : untouched + expire + race]]
            plan.paid += [b.pk for b in rows[untouched + expire + race :]]
        self.plan = plan
        by_id = {b.pk: b for rows in grouped.values() for b in rows}
        self.by_id = by_id
        # Before paying: the killed worker's deliveries are the rows left in `sending`
        # once the queue is idle (the sweep of the scheduler may still be sending others).
        wait_for(
            "the queue to drain after the kill",
            lambda: (
                self.queue_idle() and not [m for m in self.stuck_messages() if not self._old(m)]
            ),
            self.budget(90),
            every=1,
        )
        stuck = self.stuck_messages()
        self.killed_in_flight = {m.pk for m in stuck}
        self.check(
            "the kill caught deliveries in flight (rows left in `sending`)",
            bool(stuck),
            f"{len(stuck)} message(s): {sorted(self.killed_in_flight)}",
        )
        log(f"paying {len(plan.paid)} bookings (each callback {DUPLICATES}× at once)")
        paid = [by_id[pk] for pk in plan.paid]
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(
                pool.map(
                    lambda b: (
                        self.pay_liqpay(b)
                        if b.organization.slug == "scaled-liqpay"
                        else self.pay_sandbox(b)
                    ),
                    paid,
                )
            )
        statuses = Counter(s for row in results for s in row)
        self.check(
            "provider callbacks (duplicated, concurrent, plain HTTP to both web instances) answer 200",
            set(statuses) == {200},
            str(dict(statuses)),
        )
        self.race_bookings = [by_id[pk] for pk in plan.race]
        tick_output = self.deadlines_race(plan)
        self.check(
            "race payments at the tick answer 200",
            set(self.race_statuses) <= {200},
            str(dict(Counter(self.race_statuses))),
        )
        for name, text in tick_output.items():
            self.notes.append(f"{name}: {text}")
        wait_for(
            "every due booking to be expired and cancelled",
            lambda: self._due_settled(plan),
            self.budget(150),
            every=1,
        )
        self.notes.append("outbox recovery: " + self.recover_outbox(self.stuck_messages()))
        with unscoped():
            wait_for(
                "every message to be sent and the queue to be idle",
                lambda: (
                    self.queue_idle()
                    and not Message.objects.exclude(
                        status__in=[Message.Status.SENT, Message.Status.DELIVERED]
                    ).exists()
                ),
                self.budget(150),
                every=1,
            )
        self.assert_running()

    def _old(self, message: Any) -> bool:
        """A row in `sending` whose worker is gone: claimed before the kill."""
        from django.utils import timezone

        return message.claimed_at < timezone.now() - timedelta(seconds=5)

    def _due_settled(self, plan: Plan) -> bool:
        from zapys.core.tenancy import unscoped
        from zapys.prepayments.models import Booking

        with unscoped():
            open_due = Booking.objects.filter(
                pk__in=plan.expire + plan.race, status__in=["pending", "expired"]
            ).count()
        return open_due == 0

    # ------------------------------------------------------------------ teardown

    def teardown(self) -> None:
        for proc in reversed(self.procs):
            try:
                proc.stop()
            except (OSError, subprocess.SubprocessError) as exc:
                log(f"stopping {proc.name}: {exc!r}")
        if self.lb is not None:
            self.lb.stop()
        self.sms.release()
        for sim in (self.sms, self.liqpay):
            try:
                sim.stop()
            except Exception as exc:
                log(f"stopping a simulator: {exc!r}")
        if self.django_ready:
            from django.db import connections

            connections.close_all()
        try:
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()
        except Exception as exc:
            log(f"flushing Redis: {exc!r}")
        if self.db_created:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        if self.args.keep:
            log(f"logs kept in {self.tmp}")
        else:
            import shutil

            shutil.rmtree(self.tmp, ignore_errors=True)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=20, help="online bookings per organization")
    parser.add_argument("--time-limit", type=float, default=420, help="seconds for the whole run")
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("SCALED_REDIS_DB", 13)))
    parser.add_argument("--keep", action="store_true", help="keep the processes' logs")
    parser.add_argument("--docs", default=str(DOC), help="the deployment guide to follow")
    args = parser.parse_args(list(argv) if argv is not None else None)

    def on_signal(signum: int, _frame: Any) -> None:
        raise SystemExit(f"interrupted by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    run = ScaledRun(args)
    error = ""
    try:
        run.prepare()
        run.start()
        run.drive()
        run.verify()
    except Failure as exc:
        error = str(exc)
    except Exception:
        error = traceback.format_exc()
    finally:
        if error:
            for proc in run.procs:
                tail = proc.log_text()[-1500:]
                if tail and ("Traceback" in tail or "ERROR" in tail or not proc.alive()):
                    print(f"--- {proc.name} log (tail) ---\n{tail}")
        run.teardown()
    failed = [c for c in run.checks if not c.ok]
    print("\n=== scaled mode: summary ===")
    for c in run.checks:
        print(f"{'PASS' if c.ok else 'FAIL'}  {c.name}" + (f"  [{c.detail}]" if c.detail else ""))
    for note in run.notes:
        print(f"note  {note}")
    if error:
        print(f"ERROR {error}")
    ok = not failed and not error and bool(run.checks)
    print(
        f"scaled mode: {'PASS' if ok else 'FAIL'} "
        f"({len(run.checks) - len(failed)}/{len(run.checks)} checks, {time.monotonic() - T0:.0f}s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
