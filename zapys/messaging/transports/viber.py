"""Viber REST bot API: messages to clients subscribed to the organization's Viber bot.

    POST {base}/pa/send_message
    X-Viber-Auth-Token: <token>
    {"receiver": "<viber user id>", "min_api_version": 1, "type": "text", "text": "...",
     "sender": {"name": "<≤28 chars>", "avatar": "<url, optional>"},
     "tracking_data": "<our idempotency key>"}
    → {"status": 0, "status_message": "ok", "message_token": 5741311803571721087}

Viber answers HTTP 200 and puts the outcome in `status`. Permanent: 1–11 and 13–22
(bad token, bad request, receiver not registered (5) or not subscribed (6),
account blocked/suspended, unsupported device or country, …). Transient: 12
tooManyRequests, 23 free-messages quota / 24 no balance (the owner may top up), any
unknown code ("general error"), and HTTP 429/5xx. 5 and 6 also say the recipient is gone
(`recipient_gone`: the user left or unsubscribed from the bot): the outbox drops the
client's Viber link and uses SMS next.

`tracking_data` carries the idempotency key so delivery callbacks can be matched
to the outbox row. It is not a deduplication key: Viber's send_message has none, so
a resend after a lost answer reaches the user twice.
"""

from __future__ import annotations

from typing import Any

from .base import HttpTransport, OutgoingMessage, SendResult, is_retryable_status, json_body

MAX_SENDER_NAME = 28
PERMANENT_STATUSES = frozenset(range(1, 23)) - {12}
STATUS_NAMES = {
    1: "invalidUrl",
    2: "invalidAuthToken",
    3: "badData",
    4: "missingData",
    5: "receiverNotRegistered",
    6: "receiverNotSubscribed",
    7: "publicAccountBlocked",
    8: "publicAccountNotFound",
    9: "publicAccountSuspended",
    10: "webhookNotSet",
    11: "receiverNoSuitableDevice",
    12: "tooManyRequests",
    13: "apiVersionNotSupported",
    14: "incompatibleWithVersion",
}


class ViberTransport(HttpTransport):
    code = "viber"
    channel = "viber"
    default_base_url = "https://chatapi.viber.com"
    required_credentials = ("token", "sender_name")

    def send(self, message: OutgoingMessage) -> SendResult:
        return self._sent(self.call("send_message", self._payload(message)))

    def send_message(
        self, receiver: str, text: str, keyboard: dict[str, Any] | None = None
    ) -> SendResult:
        """A text with an optional keyboard (the bot's replies; share-phone needs API 3)."""
        payload = self._payload(OutgoingMessage(channel="viber", recipient=receiver, text=text))
        if keyboard is not None:
            payload["keyboard"] = keyboard
            payload["min_api_version"] = 3
        return self._sent(self.call("send_message", payload))

    def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /pa/<method> (set_webhook, get_account_info, send_message): the answer of
        status 0, or the TransportError its status means."""
        response = self.post(
            f"{self.base_url}/pa/{method}",
            json=payload,
            headers={"X-Viber-Auth-Token": str(self.credentials["token"])},
        )
        body = json_body(response)
        if is_retryable_status(response.status_code) or body is None:
            raise self.transient_http_error(response)
        status = body.get("status")
        if status == 0 and (method != "send_message" or body.get("message_token") is not None):
            return body
        name = STATUS_NAMES.get(status, "") if isinstance(status, int) else ""
        detail = f"{status} {body.get('status_message') or name}".strip()
        raise self.error(
            detail, permanent=status in PERMANENT_STATUSES, recipient_gone=status in (5, 6)
        )

    @staticmethod
    def _sent(body: dict[str, Any]) -> SendResult:
        return SendResult(provider_message_id=str(body["message_token"]), raw=body)

    def _payload(self, message: OutgoingMessage) -> dict[str, Any]:
        sender: dict[str, str] = {"name": str(self.credentials["sender_name"])[:MAX_SENDER_NAME]}
        if self.credentials.get("sender_avatar"):
            sender["avatar"] = str(self.credentials["sender_avatar"])
        payload: dict[str, Any] = {
            "receiver": message.recipient,
            "min_api_version": 1,
            "sender": sender,
            "type": "text",
            "text": message.text,
        }
        if message.idempotency_key:
            payload["tracking_data"] = message.idempotency_key
        return payload
