"""Local fake of the Viber REST bot API: `POST /pa/send_message` (with keyboards: a
`share-phone` button needs `min_api_version` ≥ 3), `/pa/set_webhook`, `/pa/get_account_info`;
and Viber's side of the webhook: callbacks POSTed to the registered URL, signed with
`X-Viber-Content-Signature` = hex HMAC-SHA256 of the body keyed with the bot token.

    user = fake.user("01234567890A=", "Olena")
    fake.deliver(user.open(context="<token>"), via=client)  # conversation_started
    fake.deliver(user.contact("+380501234567"))             # the share-phone button
    fake.deliver(user.text("cmd:balance"))                  # a reply button / typed text
    fake.deliver(user.unsubscribe())

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

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx

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

    def __init__(self, token: str = "viber-test-token", uri: str = "zapystestbot") -> None:
        super().__init__()
        self.token = token
        self.uri = uri
        self.not_registered: set[str] = set()
        self.not_subscribed: set[str] = set()
        self._tokens = itertools.count(5741311803571721087)
        self.webhook_url = ""
        self.event_types: list[str] = []

    def respond(self, request: FakeRequest, failure: str | None) -> FakeResponse:
        if failure == "server_error":
            return FakeResponse(HTTPStatus.INTERNAL_SERVER_ERROR, "<h1>Internal Server Error</h1>")
        paths = ("/pa/send_message", "/pa/set_webhook", "/pa/get_account_info")
        if request.method != "POST" or request.path not in paths:
            return FakeResponse(HTTPStatus.NOT_FOUND, "not found")
        if failure == "bad_token" or request.header("X-Viber-Auth-Token") != self.token:
            return _status("bad_token")
        if failure == "rate_limited":
            return _status("rate_limited")
        payload = request.json()
        if not isinstance(payload, dict):
            return _status("bad_data")
        if request.path == "/pa/set_webhook":
            return self._set_webhook(payload)
        if request.path == "/pa/get_account_info":
            return FakeResponse(
                HTTPStatus.OK,
                {"status": 0, "status_message": "ok", "id": "pa:1", "name": "Zapys test",
                 "uri": self.uri, "webhook": self.webhook_url},
            )  # fmt: skip
        return self._send(payload, failure)

    def _set_webhook(self, payload: dict[str, Any]) -> FakeResponse:
        url = payload.get("url")
        if not isinstance(url, str) or not url:
            return _status("missing_data")
        self.webhook_url = url
        self.event_types = list(payload.get("event_types") or [])
        return FakeResponse(
            HTTPStatus.OK,
            {"status": 0, "status_message": "ok", "event_types": self.event_types},
        )

    # -- Viber's side of the webhook -------------------------------------------------

    def user(self, user_id: str, name: str = "Client") -> FakeViberUser:
        return FakeViberUser(self, user_id, name)

    def signature(self, body: bytes) -> str:
        return hmac.new(self.token.encode(), body, hashlib.sha256).hexdigest()

    def deliver(
        self, event: dict[str, Any], *, via: Any = None, signature: str | None = None
    ) -> tuple[int, bytes]:
        """POST a callback to the registered webhook with Viber's signature (or
        `signature`; "" = none). `via` is a Django test client, else httpx."""
        if not self.webhook_url:
            raise RuntimeError("no webhook registered (set_webhook was never called)")
        body = json.dumps(event).encode()
        signature = self.signature(body) if signature is None else signature
        headers = {"X-Viber-Content-Signature": signature} if signature else {}
        if via is not None:
            response = via.post(
                urlsplit(self.webhook_url).path,
                data=body,
                content_type="application/json",
                headers=headers,
            )
            return response.status_code, response.content
        answer = httpx.post(
            self.webhook_url,
            content=body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=10,
        )
        return answer.status_code, answer.content

    def replies_to(self, user_id: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["receiver"] == user_id]

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
    keyboard = payload.get("keyboard")
    if keyboard is not None:
        return _validate_keyboard(keyboard, payload.get("min_api_version"))
    return None


_ACTION_TYPES = {"reply", "open-url", "share-phone", "location-picker", "none"}


def _validate_keyboard(keyboard: Any, min_api_version: Any) -> str | None:
    if not isinstance(keyboard, dict) or keyboard.get("Type") != "keyboard":
        return "bad_data"
    buttons = keyboard.get("Buttons")
    if not isinstance(buttons, list) or not buttons:
        return "bad_data"
    for button in buttons:
        if not isinstance(button, dict) or not button.get("ActionBody"):
            return "bad_data"
        if button.get("ActionType", "reply") not in _ACTION_TYPES:
            return "bad_data"
        if button.get("ActionType") == "share-phone" and not (
            isinstance(min_api_version, int) and min_api_version >= 3
        ):
            return "bad_data"
    return None


@dataclass
class FakeViberUser:
    """A Viber user talking to the bot: builds the callbacks they cause."""

    fake: FakeViber
    user_id: str
    name: str

    def _base(self, event: str) -> dict[str, Any]:
        return {
            "event": event,
            "timestamp": int(time.time() * 1000) + next(self.fake._tokens) % 1000,
            "chat_hostname": "SN-CHAT-01_",
            "message_token": next(self.fake._tokens),
        }

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "name": self.name, "language": "uk", "country": "UA",
                "api_version": 10}  # fmt: skip

    def open(self, context: str = "") -> dict[str, Any]:
        """The user opens the chat (a deep link's `context` comes back here)."""
        event = {**self._base("conversation_started"), "type": "open", "user": self._user(),
                 "subscribed": False}  # fmt: skip
        if context:
            event["context"] = context
        return event

    def _message(self, message: dict[str, Any]) -> dict[str, Any]:
        return {**self._base("message"), "sender": self._user(), "message": message,
                "silent": False}  # fmt: skip

    def text(self, text: str) -> dict[str, Any]:
        return self._message({"type": "text", "text": text})

    def contact(self, phone: str) -> dict[str, Any]:
        """The share-phone button's answer: the user's own number."""
        return self._message({"type": "contact", "contact": {"name": self.name,
                                                             "phone_number": phone}})  # fmt: skip

    def unsubscribe(self) -> dict[str, Any]:
        self.fake.not_subscribed.add(self.user_id)
        return {**self._base("unsubscribed"), "user_id": self.user_id}


def _status(key: str) -> FakeResponse:
    code, message = _STATUSES[key]
    return FakeResponse(HTTPStatus.OK, {"status": code, "status_message": message})
