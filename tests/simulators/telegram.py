"""Local fake of the Telegram Bot API's `sendMessage` (and `getMe`).

    with FakeTelegram(token="123:ABC") as fake:
        transport = TelegramTransport({"token": "123:ABC"}, base_url=fake.base_url)
        ...
        assert fake.sent == [{"chat_id": "42", "text": "Hi", "message_id": 1}]

Per-chat failures: `fake.blocked_chats` (403 "bot was blocked by the user"),
`fake.unknown_chats` (400 "chat not found"). Modes for `fake.fail(...)`: "blocked",
"chat_not_found", "rate_limited" (429 with `retry_after` = `fake.retry_after`),
"bad_token" (401), and the common "server_error", "timeout", "disconnect".
"""

from __future__ import annotations

import itertools
import re
import time
from http import HTTPStatus
from typing import Any

from tests.simulators.sms_gateways import COMMON_MODES, FakeHttpService, FakeRequest, FakeResponse

MAX_TEXT = 4096
_METHOD_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")


class FakeTelegram(FakeHttpService):
    modes = COMMON_MODES | {"blocked", "chat_not_found", "rate_limited", "bad_token"}

    def __init__(
        self, token: str = "123456:TEST-telegram-token", bot_username: str = "zapys_test_bot"
    ):
        super().__init__()
        self.token = token
        self.bot_username = bot_username
        self.retry_after = 3
        self.blocked_chats: set[str] = set()
        self.unknown_chats: set[str] = set()
        self._message_ids = itertools.count(1)

    def respond(self, request: FakeRequest, failure: str | None) -> FakeResponse:
        if failure == "server_error":
            return _error(HTTPStatus.BAD_GATEWAY, "Bad Gateway")
        match = _METHOD_PATH.match(request.path)
        if match is None:
            return _error(HTTPStatus.NOT_FOUND, "Not Found")
        if failure == "bad_token" or match["token"] != self.token:
            return _error(HTTPStatus.UNAUTHORIZED, "Unauthorized")
        if failure == "rate_limited":
            return _error(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"Too Many Requests: retry after {self.retry_after}",
                parameters={"retry_after": self.retry_after},
            )
        if match["method"] == "getMe":
            return _ok(self._bot())
        if match["method"] != "sendMessage":
            return _error(HTTPStatus.NOT_FOUND, "Not Found: method not found")
        return self._send_message(_params(request), failure)

    def _send_message(self, params: dict[str, Any], failure: str | None) -> FakeResponse:
        chat_id = str(params.get("chat_id", ""))
        text = params.get("text")
        if not chat_id:
            return _error(HTTPStatus.BAD_REQUEST, "Bad Request: chat_id is empty")
        if failure == "blocked" or chat_id in self.blocked_chats:
            return _error(HTTPStatus.FORBIDDEN, "Forbidden: bot was blocked by the user")
        if failure == "chat_not_found" or chat_id in self.unknown_chats:
            return _error(HTTPStatus.BAD_REQUEST, "Bad Request: chat not found")
        if not isinstance(text, str) or not text.strip():
            return _error(HTTPStatus.BAD_REQUEST, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            return _error(HTTPStatus.BAD_REQUEST, "Bad Request: message is too long")
        message_id = next(self._message_ids)
        self.record({"chat_id": chat_id, "text": text, "message_id": message_id})
        return _ok(self._message(message_id, chat_id, text))

    def _bot(self) -> dict[str, Any]:
        return {
            "id": int(self.token.split(":")[0]) if self.token.split(":")[0].isdigit() else 1,
            "is_bot": True,
            "first_name": "Zapys test bot",
            "username": self.bot_username,
        }

    def _message(self, message_id: int, chat_id: str, text: str) -> dict[str, Any]:
        chat_key: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        return {
            "message_id": message_id,
            "from": self._bot(),
            "chat": {"id": chat_key, "type": "private"},
            "date": int(time.time()),
            "text": text,
        }


def _params(request: FakeRequest) -> dict[str, Any]:
    """Bot API methods accept JSON, form-encoded bodies and query strings alike."""
    payload = request.json()
    if isinstance(payload, dict):
        return payload
    return dict(request.form())


def _ok(result: Any) -> FakeResponse:
    return FakeResponse(HTTPStatus.OK, {"ok": True, "result": result})


def _error(status: int, description: str, **extra: Any) -> FakeResponse:
    return FakeResponse(
        status, {"ok": False, "error_code": int(status), "description": description, **extra}
    )
