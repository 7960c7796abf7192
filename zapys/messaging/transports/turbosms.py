"""TurboSMS (turbosms.ua) — the Ukrainian SMS gateway, HTTP API v2.

Protocol, as documented at https://turbosms.ua/api.html and used by public client
libraries:

    POST {base}/message/send.json
    Authorization: Bearer <token>
    {"recipients": ["380501234567"], "sms": {"sender": "<alpha name>", "text": "..."}}

    {"response_code": 800, "response_status": "SUCCESS_MESSAGE_ACCEPTED",
     "response_result": [{"phone": "380501234567", "response_code": 0,
                          "message_id": "f83f8868-5e46-c6cf-e4fb-615e5a293754",
                          "response_status": "OK"}]}

Assumptions (not confirmed against a live account — keep the simulator in step):

- The top-level `response_code` 0 and 800–803 mean the request was accepted; the
  fate of our single recipient is then in its `response_result` entry (code 0 plus
  a `message_id` = accepted; e.g. 305 INVALID_PHONE or 404 NOT_ALLOWED_NUMBER_STOPLIST
  with `message_id` null = refused).
- The gateway normally answers HTTP 200 even for errors; HTTP 401/403 are treated
  as bad credentials and 429/5xx as transient in case a proxy answers instead.
- Recipients are digits only, without "+".
- 203 REQUIRED_BALANCE (no money on the account) is treated as TRANSIENT: the
  owner can top up, and retrying a refused SMS costs nothing. 427
  NOT_ALLOWED_MESSAGE_DUPLICATE (same message within 90 s) is PERMANENT: the
  earlier copy was accepted, and retrying after 90 s would send it twice.
- 507 FAILED_DUPLICATE_REQUEST returns the previous request's result, so it is
  read like a success when it carries a message id.
- `sequence_id` (the gateway runs a request with a given sequence id once) is a
  top-level field of the request, remembered per account for the requests it
  accepted, and answered with 507 and the first result when repeated. We send an
  integer below 2**53 derived from the outbox's idempotency key, which any JSON
  parser reads exactly; its type is not stated in the documentation we have.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import httpx

from .base import HttpTransport, OutgoingMessage, SendResult, is_retryable_status, json_body

#: Top-level codes meaning "request accepted, see per-recipient results".
ACCEPTED_CODES = frozenset({0, 800, 801, 802, 803, 507})
#: Provider trouble or an empty account balance: retry later.
TRANSIENT_CODES = frozenset({203, 500, 501, 503, 504, 505, 506, 999})


def normalize_phone(recipient: str) -> str:
    """TurboSMS wants the international number as digits: "+380 50 123" → "38050123"."""
    return re.sub(r"\D", "", recipient)


def sequence_id(idempotency_key: str) -> int:
    """The request's `sequence_id`: the same for every attempt at one outbox message, so
    a resend after a lost answer is dropped by the gateway instead of sent twice."""
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 11  # 53 bits


def is_permanent_code(code: int) -> bool:
    """Request/recipient errors (1xx–4xx, 502 unparsable body) are permanent; the rest not."""
    if code in TRANSIENT_CODES:
        return False
    return 100 <= code < 500 or code == 502


class TurboSmsTransport(HttpTransport):
    code = "turbosms"
    channel = "sms"
    default_base_url = "https://api.turbosms.ua"
    required_credentials = ("token", "sender")

    def send(self, message: OutgoingMessage) -> SendResult:
        phone = normalize_phone(message.recipient)
        if not phone:
            raise self.error(f"invalid phone number {message.recipient!r}", permanent=True)
        payload: dict[str, Any] = {
            "recipients": [phone],
            "sms": {"sender": self.credentials["sender"], "text": message.text},
        }
        if message.idempotency_key:
            payload["sequence_id"] = sequence_id(message.idempotency_key)
        response = self.post(
            f"{self.base_url}/message/send.json",
            json=payload,
            headers={"Authorization": f"Bearer {self.credentials['token']}"},
        )
        return self._parse(response, phone)

    def _parse(self, response: httpx.Response, phone: str) -> SendResult:
        body = json_body(response)
        if response.status_code in (401, 403):
            raise self.error(f"HTTP {response.status_code}: bad API token", permanent=True)
        if body is None or "response_code" not in body:
            if is_retryable_status(response.status_code) or response.is_success:
                raise self.transient_http_error(response)
            raise self.error(f"HTTP {response.status_code}: {response.text[:200]}", permanent=True)
        code = _int(body.get("response_code"))
        if code in ACCEPTED_CODES:
            return self._recipient_result(body, phone)
        raise self._code_error(code, body.get("response_status"))

    def _recipient_result(self, body: dict[str, Any], phone: str) -> SendResult:
        entry = _entry_for(body.get("response_result"), phone)
        if entry is None:
            raise self.error(
                f"{body.get('response_status')}: no result for the recipient", permanent=False
            )
        code = _int(entry.get("response_code"))
        message_id = entry.get("message_id")
        if code == 0 and message_id:
            return SendResult(provider_message_id=str(message_id), raw=body)
        raise self._code_error(code, entry.get("response_status"))

    def _code_error(self, code: int, status: object) -> Exception:
        return self.error(f"{code} {status}", permanent=is_permanent_code(code))


def _entry_for(results: object, phone: str) -> dict[str, Any] | None:
    """The response_result entry for our phone (or the only entry there is)."""
    if not isinstance(results, list):
        return None
    entries = [e for e in results if isinstance(e, dict)]
    for entry in entries:
        if normalize_phone(str(entry.get("phone", ""))) == phone:
            return entry
    return entries[0] if len(entries) == 1 else None


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return -1
