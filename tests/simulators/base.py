"""Small HTTP servers that stand in for outside services in tests.

Each simulator is a stdlib `ThreadingHTTPServer` on 127.0.0.1 with an OS-chosen port,
served from a daemon thread; use it as a context manager:

    with LiqPaySimulator(private_keys={"pk": "priv"}) as sim:
        provider = get_provider("liqpay", creds, base_url=sim.base_url)

Fault switches (`inject_fault`) make the next requests answer with an HTTP error, hang
(so the client times out) or drop the connection, to test the client's error paths.
Simulators never import the client code they test: they implement the provider side
of the protocol on their own, from docs/providers.md.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx


@dataclass(frozen=True)
class SimRequest:
    """One request as the simulator saw it."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def form(self) -> list[tuple[str, str]]:
        """Form fields in order, repeated names kept (like a browser posts them)."""
        return parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)

    def json(self, **kwargs: Any) -> Any:
        return json.loads(self.body, **kwargs)


@dataclass
class SimResponse:
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> SimResponse:
        return cls(status, "application/json", json.dumps(payload, ensure_ascii=False).encode())

    @classmethod
    def html(cls, text: str, status: int = 200) -> SimResponse:
        return cls(status, "text/html; charset=utf-8", text.encode("utf-8"))

    @classmethod
    def redirect(cls, location: str) -> SimResponse:
        return cls(303, "text/plain; charset=utf-8", b"", {"Location": location})


@dataclass
class Fault:
    """What to do instead of (or before) answering normally.

    `status`: answer with this HTTP status. `delay`: wait this long first (seconds).
    `drop`: close the connection without answering. `times`: how many requests it
    applies to (None = until cleared). `path`: only requests to this path.
    """

    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = None
    path: str | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    simulator: SimulatorServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet; requests are recorded on the simulator instead."""

    def _dispatch(self) -> None:
        simulator = self.server.simulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = SimRequest(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        simulator._record(request)
        fault = simulator._take_fault(request.path)
        if fault is not None:
            if fault.delay:
                simulator._stopping.wait(fault.delay)
            if fault.drop:
                self.close_connection = True
                return
            if fault.status is not None:
                self._write(SimResponse.html(f"<h1>Simulated {fault.status}</h1>", fault.status))
                return
        self._write(simulator._safe_handle(request))

    def _write(self, response: SimResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)


class SimulatorServer:
    """Base class: lifecycle, request log, fault switches, background work."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._background: list[threading.Thread] = []
        self._faults: list[Fault] = []
        self.requests: list[SimRequest] = []
        self.errors: list[str] = []  # tracebacks of handler crashes (answered with 500)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.simulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown between tests
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay fault
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.join_background(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("simulator is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # ------------------------------------------------------------------ faults

    def inject_fault(
        self,
        *,
        status: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
        times: int | None = None,
        path: str | None = None,
    ) -> Fault:
        fault = Fault(status=status, delay=delay, drop=drop, times=times, path=path)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is not None and fault.path != path:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------ background work

    def run_in_background(self, work: Callable[[], object]) -> None:
        """Do `work` after the current reply (as a provider sends callbacks later)."""

        def guarded() -> None:
            try:
                work()
            except Exception:
                self.errors.append(traceback.format_exc())

        thread = threading.Thread(target=guarded, daemon=True)
        with self._lock:
            self._background.append(thread)
        thread.start()

    def join_background(self, timeout: float = 5.0) -> None:
        """Wait for callbacks sent in the background (call before asserting on them)."""
        with self._lock:
            threads, self._background = self._background, []
        for thread in threads:
            thread.join(timeout)

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: SimRequest) -> SimResponse:
        return SimResponse(404, body=b"not found")

    def _record(self, request: SimRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _safe_handle(self, request: SimRequest) -> SimResponse:
        try:
            return self.handle(request)
        except Exception:
            self.errors.append(traceback.format_exc())
            return SimResponse(500, body=b"simulator error")


Responder = Callable[[SimRequest], SimResponse]


class CallbackReceiver(SimulatorServer):
    """Stands in for *our* server: records what a provider simulator posts to it and
    answers with `responder(request)` (default: 200, empty body)."""

    def __init__(self, responder: Responder | None = None) -> None:
        super().__init__()
        self.responder = responder
        self.received: list[SimRequest] = []

    @property
    def url(self) -> str:
        return self.base_url + "/callback"

    def handle(self, request: SimRequest) -> SimResponse:
        with self._lock:
            self.received.append(request)
        if self.responder is None:
            return SimResponse()
        return self.responder(request)


def post_form(
    url: str, fields: Iterable[tuple[str, str]], *, timeout: float = 5.0
) -> httpx.Response:
    """POST fields url-encoded, in order, repeated names kept — what a browser does
    with a checkout form."""
    return httpx.post(
        url,
        content=urlencode(list(fields)).encode("ascii"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=timeout,
    )
