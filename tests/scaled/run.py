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
import html
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.scaled.proxy import LoadBalancer  # noqa: E402
from tests.simulators.liqpay import LiqPaySimulator, lp_encode, lp_sign  # noqa: E402
from tests.simulators.sms_gateways import FakeTurboSMS  # noqa: E402

DOC = ROOT / "docs" / "deployment.md"
SETUP_MARK = "<!-- scaled-mode:setup"
PROCESSES_MARK = "<!-- scaled-mode:processes"
PG_ADMIN = os.environ.get("SCALED_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SCALED_REDIS", "redis://127.0.0.1:6379")
LIQPAY_PUBLIC, LIQPAY_PRIVATE = "i-scaled-liqpay", "scaled-liqpay-private-key"
SMS_TOKEN = "scaled-turbosms-token"
SUCCESS_CARD, THREE_DS = "4242424242424242", "1234"
#: Every callback is sent this many times at once (a provider's retries, a proxy's replay).
DUPLICATES = 3

T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


class Failure(Exception):
    """The run cannot go on (a process died, a wait ran out): reported as FAIL."""


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- the docs


def doc_block(text: str, mark: str) -> list[str]:
    """The command lines of the fenced block right after `mark` (comments dropped)."""
    at = text.find(mark)
    if at < 0:
        raise Failure(f"docs/deployment.md has no {mark} block: the run follows the docs")
    fence = text.index("```", at)
    start = text.index("\n", fence) + 1
    end = text.index("```", start)
    lines = []
    for raw in text[start:end].splitlines():
        words = shlex.split(raw, comments=True)
        if words:
            lines.append(raw.split(" #")[0].strip())
    return lines


@dataclass
class Proc:
    role: str  # web | worker | scheduler | tick
    name: str
    argv: list[str]
    log_path: Path
    popen: subprocess.Popen | None = None
    port: int | None = None

    def start(self, env: dict[str, str]) -> Proc:
        with open(self.log_path, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its workers
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, no chance to clean up (what the test is about)."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
            assert self.popen is not None
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        assert self.popen is not None
        os.killpg(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


# --------------------------------------------------------------------------- simulators


class HoldingTurboSMS(FakeTurboSMS):
    """The TurboSMS simulator with a gate: while held, requests are received (and
    recorded) but not answered — a gateway that accepted a message and has not said so
    yet. Released, every held request is answered (a client that died meanwhile gets
    nothing, but the gateway has the message: that is how a resend becomes a duplicate)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.gate = threading.Event()
        self.gate.set()
        self.held = 0
        self.held_since: float | None = None

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    def respond(self, request: Any, failure: str | None) -> Any:
        if not self.gate.is_set():
            with self._lock:
                self.held += 1
                self.held_since = self.held_since or time.monotonic()
            self.gate.wait(timeout=60)
        return super().respond(request, failure)


def wire_key(request: Any) -> str:
    """The idempotency key a transport passed on the wire, if any: a header or a body field
    named like one (TurboSMS has no documented field; whatever the transport sends)."""
    for name, value in request.headers.items():
        if "idempot" in name:
            return str(value)
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if any(part in key.lower() for part in ("idempot", "sequence", "dedup")):
                    found.append(str(value))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(request.json())
    return found[0] if found else ""


# --------------------------------------------------------------------------- HTTP clients


class Browser:
    """One client through the proxy. Cookies are kept by hand: production cookies are
    `Secure`, and the proxy here speaks plain HTTP (it only claims HTTPS upstream)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.origin = base_url.replace("http://", "https://")
        self.cookies: dict[str, str] = {}
        self.client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)

    def close(self) -> None:
        self.client.close()

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        headers = {"User-Agent": "zapys-scaled-mode"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        response = self.client.request(method, path, data=data, headers=headers)
        self.client.cookies.clear()
        for raw in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return response


def hidden_fields(page: str, form_marker: str) -> tuple[str, dict[str, str]]:
    """The action and hidden inputs of the form whose tag contains `form_marker`."""
    match = re.search(r"<form[^>]*" + re.escape(form_marker) + r"[^>]*>(.*?)</form>", page, re.S)
    if match is None:
        raise Failure(f"no form {form_marker!r} on the page")
    tag = page[match.start() : page.index(">", match.start()) + 1]
    action = re.search(r'action="([^"]*)"', tag)
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match.group(1)
        )
    }
    return html.unescape(action.group(1)) if action else "", fields


def post_form(url: str, fields: dict[str, str]) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        return client.post(url, data=fields)


def post_at_once(jobs: list[Callable[[], httpx.Response]]) -> list[int]:
    """Run the requests at the same moment (a barrier), return their statuses."""
    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = [0] * len(jobs)

    def run(i: int) -> None:
        barrier.wait()
        try:
            statuses[i] = jobs[i]().status_code
        except httpx.HTTPError:
            statuses[i] = -1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


# --------------------------------------------------------------------------- the run


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Attempt:
    org_slug: str
    phone: str
    staff_id: int
    start: datetime
    status: int = 0
    location: str = ""


@dataclass
class Plan:
    """Which booking goes where (ids of prepayments.Booking)."""

    paid: list[int] = field(default_factory=list)  # paid in time, callbacks duplicated
    race: list[int] = field(default_factory=list)  # deadline passed, paid at the tick
    expire: list[int] = field(default_factory=list)  # deadline passed, never paid
    untouched: list[int] = field(default_factory=list)  # left pending, deadline ahead


class ScaledRun:
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
        self.killed_in_flight: set[int] = set()

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
            if proc.role != "tick" and not proc.alive() and not getattr(proc, "killed", False):
                raise Failure(f"{proc.name} exited ({proc.popen and proc.popen.returncode})")

    # ------------------------------------------------------------------ setup

    def prepare(self) -> None:
        import psycopg
        import redis

        doc = DOC.read_text()
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

        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HUEY_URL")},
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
            "PYTHONUNBUFFERED": "1",
            # gunicorn's control sockets go here, not into the user's ~/.gunicorn
            "XDG_RUNTIME_DIR": str(self.tmp / "run"),
        }
        self.env.pop("HUEY_IMMEDIATE", None)
        self.env.pop("ZAPYS_TESTING", None)
        documented = [
            k
            for k in self.env
            if k not in os.environ or os.environ.get(k) != self.env[k]
            if k not in ("PYTHONUNBUFFERED", "XDG_RUNTIME_DIR")
        ]
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
        self.scheduler_started = time.monotonic()

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
            own = children and all(_parent(pid) == proc.pid for pid in children)
            sockets.append(path)
            self.check(
                f"{proc.name}: its own gunicorn control socket answers with its own workers",
                bool(own),
                f"{Path(path).name}: {sorted(children)} {out.stderr.strip()[:120]}",
            )
        self.check("control sockets are distinct", len(set(sockets)) == len(sockets))

    # ------------------------------------------------------------------ organizations

    def build_organizations(self) -> None:
        from datetime import time as clock

        from zapys.accounts.models import User
        from zapys.accounts.services import branch_create, organization_create, staff_create
        from zapys.catalog.models import Service
        from zapys.core.audit import Actor
        from zapys.core.tenancy import org_scope
        from zapys.messaging.services import transport_account_save
        from zapys.payments.services import payment_account_create
        from zapys.prepayments import services as prepayments
        from zapys.schedule import services as schedule

        actor = Actor.system("scaled-mode run")
        for slug, provider in (("scaled-liqpay", "liqpay"), ("scaled-sandbox", "sandbox")):
            org = organization_create(name=f"Scaled {provider}", slug=slug, actor=actor)
            with org_scope(org):
                branch = branch_create(organization=org, name="Main", actor=actor)
                staff_create(
                    organization=org,
                    username=f"owner-{slug}",
                    password=secrets.token_urlsafe(16),
                    role=User.Role.OWNER,
                    branches=[branch],
                    actor=actor,
                )
                specialists = [
                    staff_create(
                        organization=org,
                        username=f"spec{i}-{slug}",
                        password=secrets.token_urlsafe(16),
                        role=User.Role.SPECIALIST,
                        first_name=f"Майстер {i}",
                        branches=[branch],
                        actor=actor,
                    )
                    for i in range(3)
                ]
                week = [(d, clock(8), clock(20)) for d in range(7)]
                for spec in specialists:
                    schedule.staff_hours_set(staff=spec, branch=branch, intervals=week, actor=actor)
                schedule.schedule_settings_update(
                    organization=org,
                    actor=actor,
                    online_rate_limit_per_minute=1000,  # every client comes via the one proxy
                    slot_step_minutes=60,
                )
                service = Service.objects.for_org(org).create(
                    organization=org,
                    name="Стрижка",
                    duration_minutes=60,
                    price=100_000,
                    online_booking=True,
                )
                credentials = (
                    {"public_key": LIQPAY_PUBLIC, "private_key": LIQPAY_PRIVATE}
                    if provider == "liqpay"
                    else {}
                )
                account = payment_account_create(
                    organization=org, provider=provider, credentials=credentials, actor=actor
                )
                transport_account_save(
                    organization=org,
                    actor=actor,
                    channel="sms",
                    code="turbosms",
                    credentials={"token": SMS_TOKEN, "sender": "Zapys"},
                    base_url=self.sms.base_url,
                    priority=10,
                    is_active=True,
                )
                prepayments.prepayment_settings_update(
                    organization=org,
                    actor=actor,
                    enabled=True,
                    payment_account=account,
                    agreement_enabled=False,
                    auto_cancel=True,
                    auto_cancel_after_minutes=0,
                )
                prepayments.booking_type_create(
                    organization=org,
                    name="200 грн",
                    rule="fixed",
                    value=20_000,
                    actor=actor,
                    is_default=True,
                )
            self.orgs[slug] = {
                "org": org,
                "provider": provider,
                "service": service,
                "account": account,
                "specialists": specialists,
            }
        log("built two organizations (LiqPay, sandbox) with online booking and prepayment")

    def plan_slots(self, slug: str, count: int, collisions: int) -> list[Attempt]:
        from django.utils import timezone

        from zapys.core.tenancy import org_scope
        from zapys.schedule.selectors import free_slots
        from zapys.schedule.services import org_tz

        info = self.orgs[slug]
        org = info["org"]
        with org_scope(org):
            today = timezone.now().astimezone(org_tz(org)).date()
            slots = free_slots(
                organization=org,
                service=info["service"],
                date_from=today + timedelta(days=2),
                date_to=today + timedelta(days=6),
                online=True,
            )
        if len(slots) < count:
            raise Failure(f"{slug}: only {len(slots)} free slots for {count} bookings")
        chosen = slots[:: max(1, len(slots) // count)][:count]
        attempts = [Attempt(slug, "", s.staff_id, s.start) for s in chosen]
        # pairs racing for the same slot: exactly one of each pair may get it
        attempts += [Attempt(slug, "", a.staff_id, a.start) for a in attempts[:collisions]]
        return attempts

    # ------------------------------------------------------------------ phase 1: bookings

    def book(self, attempt: Attempt) -> Attempt:
        assert self.lb is not None
        from zapys.schedule.services import org_tz

        org = self.orgs[attempt.org_slug]["org"]
        service = self.orgs[attempt.org_slug]["service"]
        local = attempt.start.astimezone(org_tz(org))
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
                    "name": f"Клієнт {attempt.phone[-4:]}",
                    "phone": attempt.phone,
                    "consent": "on",
                },
            )
            attempt.status = answer.status_code
            attempt.location = answer.headers.get("location", "")
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

    kill_error = ""

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
            victim.killed = True  # type: ignore[attr-defined]
            self.sms.release()
            log(
                f"SIGKILLed worker-1 (pid {victim.pid}) with {held} of {threads} consumer "
                "threads inside a delivery; gateway released"
            )
            self.kill_held = held
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
            rows = pool.map(pay_around_the_tick, *zip(*enumerate(self._race_bookings), strict=True))
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

    _race_bookings: list[Any] = []

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
        self._race_bookings = [by_id[pk] for pk in plan.race]
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

    # ------------------------------------------------------------------ checks

    def check_bookings(self, attempts: list[Attempt]) -> None:
        from zapys.core.tenancy import unscoped
        from zapys.prepayments.models import Booking
        from zapys.schedule.models import Visit

        by_slot: dict[tuple, list[Attempt]] = defaultdict(list)
        for a in attempts:
            by_slot[(a.org_slug, a.staff_id, a.start)].append(a)
        pairs = [v for v in by_slot.values() if len(v) > 1]
        one_winner = all(sum(1 for a in v if a.status == 302) == 1 for v in pairs)
        losers_ok = all(a.status == 200 for v in pairs for a in v if a.status != 302)
        self.check(
            f"{len(pairs)} pairs racing for the same slot: exactly one booking each, the other "
            "told the time is taken",
            bool(pairs) and one_winner and losers_ok,
            str([[a.status for a in v] for v in pairs]),
        )
        singles = [v[0] for v in by_slot.values() if len(v) == 1]
        self.check(
            "every other online booking succeeded (302 to its confirmation)",
            all(a.status == 302 for a in singles),
            str(dict(Counter(a.status for a in singles))),
        )
        made = [a for a in attempts if a.status == 302]
        with unscoped():
            visits = Visit.objects.filter(client__phone__in=[a.phone for a in made]).count()
            bookings = Booking.objects.filter(client__phone__in=[a.phone for a in made])
            pending = bookings.filter(status="pending", payment__status="pending").count()
            total = bookings.count()
        self.check(
            "one visit and one pending prepayment (with its pending payment) per booking",
            visits == len(made) == total == pending,
            f"{len(made)} bookings, {visits} visits, {total} prepayments, {pending} pending",
        )

    def verify_processes(self) -> None:
        assert self.lb is not None
        counts = self.lb.counts
        self.check(
            "the proxy spread the clients over both web instances",
            len(counts) == len(self.web_ports) and min(counts.values()) > 0,
            ", ".join(f"{port}: {n}" for (_host, port), n in sorted(counts.items())),
        )

        def executed(proc: Proc, task: str = "") -> int:
            pattern = re.compile(r"^\[[^\]]*\] INFO:huey:[^:]*:Executing " + re.escape(task), re.M)
            return len(pattern.findall(proc.log_text()))

        consumers = [p for p in self.procs if p.role in ("worker", "scheduler")]
        self.check(
            "every worker and the scheduler ran tasks (the killed worker before its kill)",
            all(executed(p) > 0 for p in consumers),
            ", ".join(f"{p.name}: {executed(p)}" for p in consumers),
        )
        sandbox_paid = [
            pk for pk in self.plan.paid if self.by_id[pk].organization.slug == "scaled-sandbox"
        ]
        delivered = sum(
            executed(p, "zapys.payments.tasks.sandbox_deliver_callback") for p in consumers
        )
        self.check(
            "the sandbox's callbacks were delivered by workers, back through the proxy",
            delivered >= len(sandbox_paid) > 0,
            f"{delivered} deliveries for {len(sandbox_paid)} payments",
        )

    def verify(self) -> None:
        self.verify_processes()
        from zapys.core.audit import AuditLog
        from zapys.core.tenancy import unscoped
        from zapys.ledger.models import Entry
        from zapys.payments.models import Payment, PaymentEvent
        from zapys.prepayments.models import Booking

        plan = self.plan
        everyone = plan.paid + plan.race + plan.expire + plan.untouched
        with unscoped():
            bookings = {
                b.pk: b
                for b in Booking.objects.filter(pk__in=everyone).select_related("payment", "visit")
            }
            entries: Counter[str] = Counter(
                Entry.objects.filter(
                    cause_type="prepayments.booking",
                    cause_id__in=[str(pk) for pk in everyone],
                    purpose="prepayment",
                ).values_list("cause_id", flat=True)
            )
            payments = [bookings[pk].payment for pk in plan.paid + plan.race]
            applied = Counter(
                PaymentEvent.objects.filter(payment__in=payments, outcome="applied").values_list(
                    "payment_id", flat=True
                )
            )
            audits = Counter(
                AuditLog.objects.filter(
                    object_type="prepayments.booking",
                    object_id__in=[str(pk) for pk in everyone],
                    action__in=["booking.expired", "booking.auto_cancelled", "booking.paid",
                                "booking.paid_late", "booking.paid_duplicate"],
                ).values_list("object_id", "action")
            )  # fmt: skip

        def n(pk: int, action: str) -> int:
            return audits[(str(pk), action)]

        credited = [
            pk
            for pk in plan.paid + plan.race
            if bookings[pk].payment.status == Payment.Status.SUCCEEDED
            and entries[str(pk)] == 1
            and applied[bookings[pk].payment.pk] == 1
        ]
        self.check(
            "every payment credited exactly once (succeeded, one ledger entry, one applied event)",
            len(credited) == len(plan.paid + plan.race),
            f"{len(credited)}/{len(plan.paid + plan.race)}; "
            + ", ".join(
                f"#{pk}: {bookings[pk].payment.status}, {entries[str(pk)]} entries, "
                f"{applied[bookings[pk].payment.pk]} applied"
                for pk in plan.paid + plan.race
                if pk not in credited
            ),
        )
        in_time = [
            pk for pk in plan.paid if bookings[pk].status == "paid" and n(pk, "booking.paid") == 1
        ]
        self.check(
            "bookings paid in time are paid (one `booking.paid` each), no expiry",
            len(in_time) == len(plan.paid)
            and not any(n(pk, "booking.expired") for pk in plan.paid),
            f"{len(in_time)}/{len(plan.paid)}",
        )
        expired_once = [
            pk
            for pk in plan.expire
            if bookings[pk].status == "cancelled"
            and n(pk, "booking.expired") == 1
            and n(pk, "booking.auto_cancelled") == 1
            and not bookings[pk].visit.blocks_time
            and bookings[pk].payment.status != Payment.Status.SUCCEEDED
            and entries[str(pk)] == 0
        ]
        self.check(
            "every due unpaid booking expired exactly once and cancelled exactly once "
            "(visit freed, nothing credited)",
            len(expired_once) == len(plan.expire),
            f"{len(expired_once)}/{len(plan.expire)}; "
            + ", ".join(
                f"#{pk}: {bookings[pk].status} expired×{n(pk, 'booking.expired')} "
                f"cancelled×{n(pk, 'booking.auto_cancelled')}"
                for pk in plan.expire
                if pk not in expired_once
            ),
        )
        race_ok, outcomes = [], Counter()
        for pk in plan.race:
            b = bookings[pk]
            if b.status == "paid" and not b.paid_late:
                outcome = "paid before the sweep"
                ok = n(pk, "booking.paid") == 1 and n(pk, "booking.expired") == 0
            else:
                outcome = "expired first, paid late"
                ok = (
                    b.paid_late
                    and b.status in ("expired", "cancelled")
                    and n(pk, "booking.expired") == 1
                    and n(pk, "booking.paid_late") == 1
                    and n(pk, "booking.auto_cancelled") <= 1
                )
            outcomes[outcome] += 1
            if ok:
                race_ok.append(pk)
        self.check(
            "payment racing the expiry: exactly one outcome each, money kept either way",
            len(race_ok) == len(plan.race),
            str(dict(outcomes)),
        )
        untouched = [
            pk
            for pk in plan.untouched
            if bookings[pk].status == "pending"
            and not any(n(pk, a) for a in ("booking.expired", "booking.auto_cancelled"))
            and entries[str(pk)] == 0
        ]
        self.check(
            "bookings with their deadline ahead are untouched (pending, nothing credited)",
            len(untouched) == len(plan.untouched),
            f"{len(untouched)}/{len(plan.untouched)}",
        )
        self.verify_messages(bookings)

    def verify_messages(self, bookings: dict[int, Any]) -> None:
        from zapys.core.tenancy import unscoped
        from zapys.messaging.models import Message

        plan = self.plan
        with unscoped():
            messages = list(Message.objects.all())
        keys = {m.idempotency_key for m in messages}
        # link: every booking; paid: paid before its deadline passed; expired and
        # cancelled: the deadline passed unpaid (a late payment sends no "paid")
        late = {pk for pk in plan.race if bookings[pk].paid_late}
        expected = {f"booking:{pk}:link" for pk in bookings}
        expected |= {f"booking:{pk}:paid" for pk in plan.paid + plan.race if pk not in late}
        expected |= {
            f"booking:{pk}:{kind}"
            for pk in plan.expire + sorted(late)
            for kind in ("expired", "cancelled")
        }
        self.check(
            "the outbox holds exactly the expected messages, once each (link, paid, expired, "
            "cancelled)",
            expected == keys and len(keys) == len(messages),
            f"{len(messages)} rows, {len(expected)} expected; missing {sorted(expected - keys)}"
            f", unexpected {sorted(keys - expected)}",
        )
        unsent = [m for m in messages if m.status not in ("sent", "delivered")]
        self.check("no message lost: every outbox row sent", not unsent, f"{len(unsent)} not sent")
        received: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for request in list(self.sms.requests):
            payload = request.json() or {}
            for phone in payload.get("recipients", []):
                received[(str(phone), payload.get("sms", {}).get("text", ""))].append(request)
        by_message = {
            m.pk: received.get((re.sub(r"\D", "", m.recipient), m.text), []) for m in messages
        }
        missing = [pk for pk, got in by_message.items() if not got]
        self.check(
            "every message reached the SMS gateway",
            not missing,
            f"{len(messages) - len(missing)}/{len(messages)}",
        )
        duplicated = {pk: got for pk, got in by_message.items() if len(got) > 1}
        unexpected = set(duplicated) - self.killed_in_flight
        keyed = {pk: {wire_key(r) for r in got} for pk, got in duplicated.items()}
        carry = {pk for pk, found in keyed.items() if len(found) == 1 and "" not in found}
        self.check(
            "duplicates at the gateway only for deliveries the killed worker had in flight",
            not unexpected,
            f"{len(duplicated)} duplicated: {sorted(duplicated)}; in flight at the kill: "
            f"{sorted(self.killed_in_flight)}; unexpected: {sorted(unexpected)}",
        )
        inconsistent = {pk for pk, found in keyed.items() if len(found) > 1 and "" not in found}
        self.check(
            "a resend carries the same idempotency key as the first copy, when the transport "
            "passes one",
            not inconsistent,
            (
                f"{len(carry)} of {len(duplicated)} duplicate(s) carry the outbox key (the "
                "gateway can drop them); "
                f"{len(duplicated) - len(carry) - len(inconsistent)} carry none (the "
                "transport passes no key: at least once)"
            ),
        )

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


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=20, help="online bookings per organization")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds for the whole run")
    parser.add_argument("--redis-db", type=int, default=int(os.environ.get("SCALED_REDIS_DB", 13)))
    parser.add_argument("--keep", action="store_true", help="keep the processes' logs")
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
