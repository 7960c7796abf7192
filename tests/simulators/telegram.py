"""Local fake of the Telegram Bot API: `sendMessage` (with reply keyboards: a
`request_contact` button, inline buttons), `getMe`, `setWebhook` / `deleteWebhook` /
`getWebhookInfo`, `answerCallbackQuery`; and Telegram's side of the webhook: updates
delivered to the registered URL with the registered `secret_token` header.

    with FakeTelegram(token="123:ABC") as fake:
        transport = TelegramTransport({"token": "123:ABC"}, base_url=fake.base_url)
        ...
        assert fake.sent == [{"chat_id": "42", "text": "Hi", "message_id": 1}]

A message with a keyboard is recorded with its `reply_markup` too. A user of the fake:

    user = fake.user(555, "Olena")                 # a private chat with the bot
    fake.deliver(user.text("/start"), via=client)  # POSTed like Telegram does (Django
                                                   # test client, or httpx when via=None)
    fake.deliver(user.contact("+380501234567"))    # their own number (user_id = theirs)
    fake.deliver(user.contact("+380...", user_id=777))  # someone else's card
    fake.deliver(user.press("cmd:balance"))        # an inline button
    fake.replies_to(555)                           # what the bot answered there

Per-chat failures: `fake.blocked_chats` (403 "bot was blocked by the user"),
`fake.unknown_chats` (400 "chat not found"). Modes for `fake.fail(...)`: "blocked",
"chat_not_found", "rate_limited" (429 with `retry_after` = `fake.retry_after`),
"bad_token" (401), and the common "server_error", "timeout", "disconnect".
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx

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
        self._update_ids = itertools.count(1000)
        self.webhook_url = ""
        self.secret_token = ""
        self.callback_answers: list[str] = []

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
        method = match["method"]
        if method == "getMe":
            return _ok(self._bot())
        if method == "setWebhook":
            return self._set_webhook(_params(request))
        if method == "deleteWebhook":
            self.webhook_url = self.secret_token = ""
            return _ok(True)
        if method == "getWebhookInfo":
            return _ok({"url": self.webhook_url, "pending_update_count": 0})
        if method == "answerCallbackQuery":
            self.callback_answers.append(str(_params(request).get("callback_query_id", "")))
            return _ok(True)
        if method != "sendMessage":
            return _error(HTTPStatus.NOT_FOUND, "Not Found: method not found")
        return self._send_message(_params(request), failure)

    def _set_webhook(self, params: dict[str, Any]) -> FakeResponse:
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        if url and not url.startswith(
            ("https://", "http://127.0.0.1", "http://localhost", "http://testserver")
        ):
            return _error(
                HTTPStatus.BAD_REQUEST,
                "Bad Request: bad webhook: HTTPS url must be provided for webhook",
            )
        if secret and not _SECRET.match(secret):
            return _error(
                HTTPStatus.BAD_REQUEST, "Bad Request: secret token contains unallowed characters"
            )
        self.webhook_url, self.secret_token = url, secret
        return _ok(True)

    # -- Telegram's side of the webhook ------------------------------------------------

    def user(self, user_id: int, first_name: str = "Client") -> FakeTelegramUser:
        return FakeTelegramUser(self, user_id, first_name)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def deliver(
        self, update: dict[str, Any], *, via: Any = None, secret: str | None = None
    ) -> tuple[int, bytes]:
        """POST an update to the registered webhook, as Telegram does: JSON, with the
        registered secret in `X-Telegram-Bot-Api-Secret-Token` (or `secret`; "" = none).
        `via` is a Django test client (the path of the URL is posted), else httpx."""
        if not self.webhook_url:
            raise RuntimeError("no webhook registered (setWebhook was never called)")
        secret = self.secret_token if secret is None else secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        body = json.dumps(update)
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

    def replies_to(self, chat_id: int | str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["chat_id"] == str(chat_id)]

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
        markup = params.get("reply_markup")
        if isinstance(markup, str):  # form-encoded bodies carry it as JSON text
            markup = json.loads(markup)
        if markup is not None and not _valid_markup(markup):
            return _error(
                HTTPStatus.BAD_REQUEST, "Bad Request: can't parse reply keyboard markup JSON object"
            )
        message_id = next(self._message_ids)
        entry: dict[str, Any] = {"chat_id": chat_id, "text": text, "message_id": message_id}
        if markup is not None:
            entry["reply_markup"] = markup
        self.record(entry)
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


_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _valid_markup(markup: Any) -> bool:
    """The keyboards the Bot API accepts: a reply keyboard (rows of buttons with a text;
    `request_contact` only as a bool), an inline keyboard (each button exactly one of
    `url` / `callback_data` ≤ 64 bytes), or `remove_keyboard`."""
    if not isinstance(markup, dict):
        return False
    if markup.get("remove_keyboard") is True:
        return True
    for key, button_ok in (("keyboard", _reply_button), ("inline_keyboard", _inline_button)):
        if key in markup:
            rows = markup[key]
            return isinstance(rows, list) and all(
                isinstance(r, list) and all(button_ok(b) for b in r) for r in rows
            )
    return False


def _reply_button(button: Any) -> bool:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        return False
    return not ("request_contact" in button and not isinstance(button["request_contact"], bool))


def _inline_button(button: Any) -> bool:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        return False
    kinds = [k for k in ("url", "callback_data") if k in button]
    if len(kinds) != 1:
        return False
    return "callback_data" not in button or 1 <= len(button["callback_data"].encode()) <= 64


@dataclass
class FakeTelegramUser:
    """A Telegram user in a private chat with the bot: builds the updates they cause."""

    fake: FakeTelegram
    user_id: int
    first_name: str

    def _sender(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name}

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "update_id": self.fake.next_update_id(),
            "message": {
                "message_id": next(self.fake._message_ids),
                "date": int(time.time()),
                "from": self._sender(),
                "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name},
                **content,
            },
        }

    def text(self, text: str) -> dict[str, Any]:
        return self._message(text=text)

    def contact(self, phone: str, *, user_id: int | None = None) -> dict[str, Any]:
        """A shared contact: the user's own (Telegram fills `user_id` itself) unless another
        `user_id` is given (a card of someone else, forwarded or typed in)."""
        return self._message(
            contact={
                "phone_number": phone,
                "first_name": self.first_name,
                "user_id": self.user_id if user_id is None else user_id,
            }
        )

    def press(self, data: str) -> dict[str, Any]:
        return {
            "update_id": self.fake.next_update_id(),
            "callback_query": {
                "id": f"cq{self.fake.next_update_id()}",
                "from": self._sender(),
                "chat_instance": "1",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": self.user_id, "type": "private"},
                    "text": "…",
                },
            },
        }

    def block(self) -> dict[str, Any]:
        """The user blocks the bot: Telegram says so (my_chat_member) and refuses sends."""
        self.fake.blocked_chats.add(str(self.user_id))
        return {
            "update_id": self.fake.next_update_id(),
            "my_chat_member": {
                "chat": {"id": self.user_id, "type": "private"},
                "from": self._sender(),
                "date": int(time.time()),
                "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True}},
                "new_chat_member": {"status": "kicked", "user": {"id": 1, "is_bot": True}},
            },
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
