"""The scaled-mode run's plumbing: the docs' command blocks, child processes, the SMS
gateway with a gate, a browser through the proxy, and the run's own bookkeeping types.
No Django here: this module is imported before the run has configured anything."""

from __future__ import annotations

import html
import os
import re
import shlex
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx

from tests.simulators.sms_gateways import FakeTurboSMS

ROOT = Path(__file__).resolve().parents[2]
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
    killed: bool = False  # SIGKILLed on purpose: its exit is not a failure

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


def parent_pid(pid: int) -> int:
    """The parent of a live process (Linux /proc); -1 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


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


@dataclass
class Plan:
    """Which booking goes where (ids of prepayments.Booking)."""

    paid: list[int] = field(default_factory=list)  # paid in time, callbacks duplicated
    race: list[int] = field(default_factory=list)  # deadline passed, paid at the tick
    expire: list[int] = field(default_factory=list)  # deadline passed, never paid
    untouched: list[int] = field(default_factory=list)  # left pending, deadline ahead
