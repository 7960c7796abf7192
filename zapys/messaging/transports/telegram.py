"""Telegram Bot API: a client linked to the organization's bot gets messages in Telegram.

    POST {base}/bot{token}/sendMessage   {"chat_id": ..., "text": ...}
    → {"ok": true, "result": {"message_id": 42, "chat": {...}, ...}}
    → {"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    → {"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 5",
       "parameters": {"retry_after": 5}}

403 (blocked, kicked, user deactivated), 400 (chat not found, message too long,
empty text), 401/404 (bad token) are permanent; 429 and 5xx are transient, with
Telegram's `retry_after` passed on. A 403 also says the recipient is gone
(`recipient_gone`): the outbox drops the client's Telegram link and uses SMS next. The provider id is "<chat_id>:<message_id>"
because a message id is only unique within its chat.

Messages go as plain text (no parse_mode): the text comes from a template filled
with client data, and plain text cannot be broken by a "<" in a client's name.

The Bot API has no idempotency key: a resend after a lost answer is a second message.
"""

from __future__ import annotations

from typing import Any

import httpx

from .base import HttpTransport, OutgoingMessage, SendResult, is_retryable_status, json_body


class TelegramTransport(HttpTransport):
    code = "telegram"
    channel = "telegram"
    default_base_url = "https://api.telegram.org"
    required_credentials = ("token",)

    def send(self, message: OutgoingMessage) -> SendResult:
        return self.send_message(message.recipient, message.text)

    def send_message(
        self, chat_id: str, text: str, reply_markup: dict[str, Any] | None = None
    ) -> SendResult:
        """`sendMessage`, optionally with a keyboard (the bot's replies)."""
        params: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if reply_markup is not None:
            params["reply_markup"] = reply_markup
        body = self.call("sendMessage", params)
        result = body["result"]
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return SendResult(provider_message_id=f"{chat_id}:{message_id}", raw=body)

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Any Bot API method (setWebhook, getMe, answerCallbackQuery, ...): the whole
        `{"ok": true, "result": ...}` answer, or the TransportError its failure means."""
        response = self.post(
            f"{self.base_url}/bot{self.credentials['token']}/{method}", json=params
        )
        body = json_body(response) or {}
        if body.get("ok") is True and "result" in body:
            return body
        raise self._failure(response, body)

    def _failure(self, response: httpx.Response, body: dict[str, Any]) -> Exception:
        description = str(body.get("description") or response.text[:200])
        status = _int(body.get("error_code")) or response.status_code
        if is_retryable_status(status) or response.is_success:
            return self.error(
                f"{status} {description}", permanent=False, retry_after=_retry_after(body)
            )
        return self.error(
            f"{status} {description}{_migration_hint(body)}",
            permanent=True,
            recipient_gone=status == 403,
        )


def _retry_after(body: dict[str, Any]) -> float | None:
    parameters = body.get("parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
        return float(parameters["retry_after"])
    return None


def _migration_hint(body: dict[str, Any]) -> str:
    """A group that became a supergroup has a new chat id; say so in the error."""
    parameters = body.get("parameters")
    if isinstance(parameters, dict) and parameters.get("migrate_to_chat_id"):
        return f" (chat moved to {parameters['migrate_to_chat_id']})"
    return ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
