"""Local fakes of SMS gateways (TurboSMS, Twilio) speaking their HTTP protocols.

Each fake is a real HTTP server on 127.0.0.1 (port chosen by the OS) in a
background thread, so the transports are tested through httpx exactly as in
production — only the base URL differs:

    with FakeTurboSMS(token="t0k3n") as fake:
        transport = TurboSmsTransport({"token": "t0k3n", "sender": "Zapys"},
                                      base_url=fake.base_url)
        ...
        assert fake.sent[0]["phone"] == "380501234567"

Failures are switched on the fake, for all following requests or only the next
N ("down for N requests"):

    fake.fail("server_error", times=2)   # two 5xx answers, then normal again
    fake.fail("timeout")                 # stall every request until fake.recover()
    fake.invalid_numbers.add("380000000000")

Common modes: "server_error" (HTTP 500/502), "timeout" (no answer for
`stall_seconds`), "disconnect" (close the connection without an answer),
"answer_lost" (the provider accepts the message, but its answer never arrives: a
stall, then the connection closes — the case a resend must not duplicate); each
fake adds its provider's permanent errors (see its `modes`).

`FakeHttpService` here is the shared plumbing; the Telegram and Viber fakes reuse it.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs

COMMON_MODES = frozenset({"server_error", "timeout", "disconnect", "answer_lost"})


@dataclass
class FakeRequest:
    """One HTTP request as the fake received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """The body parsed as application/x-www-form-urlencoded (last value wins)."""
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[-1] for key, values in parsed.items()}

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class FakeResponse:
    status: int
    body: Any = None  # dict/list → JSON; str/bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=utf-8"
        return json.dumps(self.body, ensure_ascii=False).encode(), "application/json"


class FakeHttpService:
    """A provider fake: a ThreadingHTTPServer on 127.0.0.1:0 with switchable failures.

    Subclasses implement `respond(request, failure)`; "timeout" and "disconnect"
    are handled here. `requests` records every request, `sent` what the fake
    accepted (each subclass decides the shape).
    """

    modes: ClassVar[frozenset[str]] = COMMON_MODES
    #: How long "timeout" stalls; the stall ends early when the fake stops.
    stall_seconds: float = 5.0

    def __init__(self) -> None:
        self.requests: list[FakeRequest] = []
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._failures: deque[str] = deque()
        self._persistent_failure: str | None = None
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        handler = type("Handler", (_Handler,), {"service": self})
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

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
            raise RuntimeError("the fake is not running; use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- failure switches ----------------------------------------------------------

    def fail(self, mode: str, times: int | None = None) -> None:
        """Answer the next `times` requests (every request, when None) with failure `mode`."""
        if mode not in self.modes:
            raise ValueError(
                f"{type(self).__name__} has no failure mode {mode!r}: {sorted(self.modes)}"
            )
        with self._lock:
            if times is None:
                self._persistent_failure = mode
            else:
                self._failures.extend([mode] * times)

    def down(self, times: int, mode: str = "server_error") -> None:
        """The provider is down for the next `times` requests, then answers normally."""
        self.fail(mode, times)

    def recover(self) -> None:
        """Clear every failure switch."""
        with self._lock:
            self._failures.clear()
            self._persistent_failure = None

    def _take_failure(self) -> str | None:
        with self._lock:
            if self._failures:
                return self._failures.popleft()
            return self._persistent_failure

    # -- request handling ----------------------------------------------------------

    def respond(self, request: FakeRequest, failure: str | None) -> FakeResponse:
        raise NotImplementedError

    def _handle(self, request: FakeRequest) -> FakeResponse | None:
        """None means: send nothing and drop the connection."""
        with self._lock:
            self.requests.append(request)
        failure = self._take_failure()
        if failure == "timeout":
            self._stopping.wait(self.stall_seconds)
            return FakeResponse(HTTPStatus.GATEWAY_TIMEOUT, "stalled")
        if failure == "disconnect":
            return None
        if failure == "answer_lost":
            self.respond(request, None)  # the provider does the work...
            self._stopping.wait(self.stall_seconds)  # ...and the answer never arrives
            return None
        return self.respond(request, failure)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.sent.append(entry)


class _Handler(BaseHTTPRequestHandler):
    service: ClassVar[FakeHttpService]

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = FakeRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        response = self.service._handle(request)
        if response is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        payload, content_type = response.encoded()
        with contextlib.suppress(OSError):  # the client may have given up (timeouts)
            self.send_response(response.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: test output should not carry one line per fake request."""


# ---------------------------------------------------------------------------------
# TurboSMS
# ---------------------------------------------------------------------------------


class FakeTurboSMS(FakeHttpService):
    """TurboSMS HTTP API v2 (`POST /message/send.json`, Bearer token).

    Like the real gateway it answers HTTP 200 with `response_code` in the body.
    Modes: "invalid_number" (305 for every recipient), "stoplist" (404), "bad_token"
    (301), "no_balance" (203), "gateway_error" (999 FATAL_ERROR), plus the common ones.

    A request repeating the `sequence_id` of one it accepted is not run again: the
    answer is 507 FAILED_DUPLICATE_REQUEST with the first request's results, nothing is
    added to `sent`, and `duplicates` counts it (the transport's documented assumption).
    """

    modes = COMMON_MODES | {
        "invalid_number",
        "stoplist",
        "bad_token",
        "no_balance",
        "gateway_error",
    }

    def __init__(self, token: str = "turbosms-test-token") -> None:
        super().__init__()
        self.token = token
        self.invalid_numbers: set[str] = set()
        self.stoplist: set[str] = set()
        self.duplicates = 0
        self._executed: dict[Any, Any] = {}  # sequence_id → the accepted request's results
        self._sequence_lock = threading.Lock()

    def respond(self, request: FakeRequest, failure: str | None) -> FakeResponse:
        if failure == "server_error":
            return FakeResponse(
                HTTPStatus.INTERNAL_SERVER_ERROR, "<h1>500 Internal Server Error</h1>"
            )
        if request.method != "POST" or request.path != "/message/send.json":
            return FakeResponse(HTTPStatus.NOT_FOUND, "not found")
        error = self._request_error(request, failure)
        if error is not None:
            return _turbo(*error)
        payload = request.json()
        sequence = payload.get("sequence_id")
        if sequence is None:
            return self._send(payload["recipients"], payload["sms"], failure)
        with self._sequence_lock:  # one request per sequence id runs, even concurrently
            if sequence in self._executed:
                self.duplicates += 1
                return _turbo(507, "FAILED_DUPLICATE_REQUEST", self._executed[sequence])
            response = self._send(payload["recipients"], payload["sms"], failure, sequence)
            if response.body["response_code"] in (800, 802):
                self._executed[sequence] = response.body["response_result"]
            return response

    def _request_error(self, request: FakeRequest, failure: str | None) -> tuple[int, str] | None:
        auth = request.header("Authorization")
        if not auth:
            return 103, "REQUIRED_TOKEN"
        if failure == "bad_token" or auth != f"Bearer {self.token}":
            return 301, "INVALID_TOKEN"
        payload = request.json()
        if not isinstance(payload, dict):
            return 502, "FAILED_PARSE_BODY"
        sms = payload.get("sms")
        if not isinstance(sms, dict) or not sms.get("sender"):
            return 200, "REQUIRED_MESSAGE_SENDER"
        if not sms.get("text"):
            return 201, "REQUIRED_MESSAGE_TEXT"
        if not payload.get("recipients"):
            return 202, "REQUIRED_MESSAGE_RECIPIENT"
        if failure == "no_balance":
            return 203, "REQUIRED_BALANCE"
        if failure == "gateway_error":
            return 999, "FATAL_ERROR"
        return None

    def _send(
        self,
        recipients: list[str],
        sms: dict[str, Any],
        failure: str | None,
        sequence: Any = None,
    ) -> FakeResponse:
        results = [self._send_one(str(phone), sms, failure, sequence) for phone in recipients]
        accepted = all(r["response_code"] == 0 for r in results)
        code, status = (
            (800, "SUCCESS_MESSAGE_ACCEPTED")
            if accepted
            else (
                802,
                "SUCCESS_MESSAGE_PARTIAL_ACCEPTED",
            )
        )
        return _turbo(code, status, results)

    def _send_one(
        self, phone: str, sms: dict[str, Any], failure: str | None, sequence: Any = None
    ) -> dict[str, Any]:
        if failure == "invalid_number" or phone in self.invalid_numbers or not _digits(phone):
            return _turbo_result(phone, 305, "INVALID_PHONE")
        if failure == "stoplist" or phone in self.stoplist:
            return _turbo_result(phone, 404, "NOT_ALLOWED_NUMBER_STOPLIST")
        message_id = str(uuid.uuid4())
        self.record(
            {
                "phone": phone,
                "sender": sms["sender"],
                "text": sms["text"],
                "message_id": message_id,
                "sequence_id": sequence,
            }
        )
        return _turbo_result(phone, 0, "OK", message_id)


def _turbo(code: int, status: str, result: Any = None) -> FakeResponse:
    return FakeResponse(
        HTTPStatus.OK, {"response_code": code, "response_status": status, "response_result": result}
    )


def _turbo_result(
    phone: str, code: int, status: str, message_id: str | None = None
) -> dict[str, Any]:
    return {
        "phone": phone,
        "response_code": code,
        "message_id": message_id,
        "response_status": status,
    }


def _digits(phone: str) -> bool:
    return phone.isdigit() and 10 <= len(phone) <= 15


# ---------------------------------------------------------------------------------
# Twilio
# ---------------------------------------------------------------------------------


class FakeTwilio(FakeHttpService):
    """Twilio `POST /2010-04-01/Accounts/{sid}/Messages.json` with basic auth and form fields.

    Modes: "invalid_number" (400, 21211), "not_mobile" (400, 21614), "unsubscribed"
    (400, 21610), "queue_full" (400, 21611, retryable), "rate_limited" (429, 20429),
    "bad_token" (401, 20003), plus the common ones.
    """

    modes = COMMON_MODES | {
        "invalid_number",
        "not_mobile",
        "unsubscribed",
        "queue_full",
        "rate_limited",
        "bad_token",
    }
    _ERRORS: ClassVar[dict[str, tuple[int, int, str]]] = {
        "invalid_number": (400, 21211, "The 'To' number is not a valid phone number."),
        "not_mobile": (400, 21614, "'To' number is not a valid mobile number"),
        "unsubscribed": (400, 21610, "Attempt to send to unsubscribed recipient"),
        "queue_full": (
            400,
            21611,
            "This 'From' number has exceeded the maximum number of queued messages",
        ),
        "rate_limited": (429, 20429, "Too Many Requests"),
        "bad_token": (401, 20003, "Authenticate"),
    }

    def __init__(
        self, account_sid: str = "AC" + "0" * 32, auth_token: str = "twilio-test-token"
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.invalid_numbers: set[str] = set()
        self._counter = itertools.count(1)

    def respond(self, request: FakeRequest, failure: str | None) -> FakeResponse:
        if failure == "server_error":
            return _twilio_error(500, 20500, "Internal Server Error")
        if (
            request.method != "POST"
            or request.path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        ):
            return _twilio_error(404, 20404, "The requested resource was not found")
        if failure == "bad_token" or not self._authorized(request):
            return _twilio_error(*self._ERRORS["bad_token"])
        if failure is not None:
            return _twilio_error(*self._ERRORS[failure])
        return self._send(request.form())

    def _authorized(self, request: FakeRequest) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.header("Authorization") == f"Basic {expected}"

    def _send(self, form: dict[str, str]) -> FakeResponse:
        to, body = form.get("To", ""), form.get("Body", "")
        if not to:
            return _twilio_error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return _twilio_error(400, 21602, "Message body is required.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return _twilio_error(400, 21603, "A 'From' phone number is required.")
        if to in self.invalid_numbers or not (to.startswith("+") and _digits(to[1:])):
            return _twilio_error(*self._ERRORS["invalid_number"])
        sid = f"SM{next(self._counter):032x}"
        self.record({"sid": sid, "to": to, "from": form.get("From", ""), "body": body, **form})
        return FakeResponse(HTTPStatus.CREATED, self._resource(sid, form))

    def _resource(self, sid: str, form: dict[str, str]) -> dict[str, Any]:
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form["Body"],
            "status": "queued" if form.get("From") else "accepted",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }


def _twilio_error(status: int, code: int, message: str) -> FakeResponse:
    return FakeResponse(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )
