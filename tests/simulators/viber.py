"""Local fake of the Viber REST bot API's `POST /pa/send_message`.

    with FakeViber(token="viber-token") as fake:
        transport = ViberTransport({"token": "viber-token", "sender_name": "Zapys"},
                                   base_url=fake.base_url)
        ...
        assert fake.sent[0]["receiver"] == "01234567890A="

Like the real API it answers HTTP 200 with a numeric `status` in the body.
Per-receiver failures: `fake.not_registered` (5), `fake.not_subscribed` (6). Modes
for `fake.fail(...)`: "not_registered", "not_subscribed", "rate_limited" (12
tooManyRequests), "bad_token" (2), and the common "server_error", "timeout",
"disconnect".
"""

from __future__ import annotations

import itertools
from http import HTTPStatus
from typing import Any

from tests.simulators.sms_gateways import COMMON_MODES, FakeHttpService, FakeRequest, FakeResponse

MAX_SENDER_NAME = 28
_STATUSES = {
    "bad_token": (2, "invalidAuthToken"),
    "bad_data": (3, "badData"),
    "missing_data": (4, "missingData"),
    "not_registered": (5, "receiverNotRegistered"),
    "not_subscribed": (6, "receiverNotSubscribed"),
    "rate_limited": (12, "tooManyRequests"),
}


class FakeViber(FakeHttpService):
    modes = COMMON_MODES | {"not_registered", "not_subscribed", "rate_limited", "bad_token"}

    def __init__(self, token: str = "viber-test-token") -> None:
        super().__init__()
        self.token = token
        self.not_registered: set[str] = set()
        self.not_subscribed: set[str] = set()
        self._tokens = itertools.count(5741311803571721087)

    def respond(self, request: FakeRequest, failure: str | None) -> FakeResponse:
        if failure == "server_error":
            return FakeResponse(HTTPStatus.INTERNAL_SERVER_ERROR, "<h1>Internal Server Error</h1>")
        if request.method != "POST" or request.path != "/pa/send_message":
            return FakeResponse(HTTPStatus.NOT_FOUND, "not found")
        if failure == "bad_token" or request.header("X-Viber-Auth-Token") != self.token:
            return _status("bad_token")
        if failure == "rate_limited":
            return _status("rate_limited")
        payload = request.json()
        if not isinstance(payload, dict):
            return _status("bad_data")
        return self._send(payload, failure)

    def _send(self, payload: dict[str, Any], failure: str | None) -> FakeResponse:
        problem = _validate(payload)
        if problem is not None:
            return _status(problem)
        receiver = str(payload["receiver"])
        if failure == "not_registered" or receiver in self.not_registered:
            return _status("not_registered")
        if failure == "not_subscribed" or receiver in self.not_subscribed:
            return _status("not_subscribed")
        message_token = next(self._tokens)
        self.record({**payload, "message_token": message_token})
        return FakeResponse(
            HTTPStatus.OK,
            {
                "status": 0,
                "status_message": "ok",
                "message_token": message_token,
                "chat_hostname": "SN-CHAT-01_",
            },
        )


def _validate(payload: dict[str, Any]) -> str | None:
    sender = payload.get("sender")
    if not payload.get("receiver") or not payload.get("text") or not isinstance(sender, dict):
        return "missing_data"
    if payload.get("type") != "text" or not sender.get("name"):
        return "bad_data"
    if len(str(sender["name"])) > MAX_SENDER_NAME:
        return "bad_data"
    return None


def _status(key: str) -> FakeResponse:
    code, message = _STATUSES[key]
    return FakeResponse(HTTPStatus.OK, {"status": code, "status_message": message})
