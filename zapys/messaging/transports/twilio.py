"""Twilio Programmable Messaging (SMS), for organizations outside the Ukrainian gateways.

    POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json
    HTTP basic auth (AccountSid or API key SID, auth token or API key secret)
    form fields: To, Body, and From or MessagingServiceSid

Success is 201 with the message resource (`sid` "SM…", `status` "queued"/"accepted").
Errors carry a JSON body `{"code": 21211, "message": "...", "more_info": ..., "status": 400}`.
Request errors (HTTP 4xx: 21211 invalid To, 21614 not a mobile number, 21610
recipient unsubscribed, 21408 region not enabled, 20003 bad credentials, …) are
permanent, except the documented queue/rate limits listed in TRANSIENT_CODES;
429 and 5xx are transient. We know of no idempotency key for creating a message
(`I-Twilio-Idempotency-Token` is on the webhooks Twilio sends, not on requests to it),
so a resend after a lost answer is a second SMS.
"""

from __future__ import annotations

from typing import Any

import httpx

from .base import (
    HttpTransport,
    OutgoingMessage,
    SendResult,
    TransportError,
    is_retryable_status,
    json_body,
)

#: Twilio error codes returned with HTTP 400 that still mean "try again later":
#: 21611 the From number's queue is full, 14107 send rate limit exceeded,
#: 20429 too many concurrent requests.
TRANSIENT_CODES = frozenset({21611, 14107, 20429})


class TwilioTransport(HttpTransport):
    code = "twilio"
    channel = "sms"
    default_base_url = "https://api.twilio.com"
    required_credentials = ("account_sid", "auth_token")

    def _check_credentials(self) -> None:
        super()._check_credentials()
        if not (
            self.credentials.get("from_number") or self.credentials.get("messaging_service_sid")
        ):
            raise TransportError(
                "twilio: missing credentials: from_number or messaging_service_sid",
                permanent=True,
            )

    def send(self, message: OutgoingMessage) -> SendResult:
        sid = self.credentials["account_sid"]
        response = self.post(
            f"{self.base_url}/2010-04-01/Accounts/{sid}/Messages.json",
            data=self._form(message),
            auth=(self.credentials.get("api_key_sid") or sid, self._secret()),
        )
        return self._parse(response)

    def _secret(self) -> str:
        return str(self.credentials.get("api_key_secret") or self.credentials["auth_token"])

    def _form(self, message: OutgoingMessage) -> dict[str, str]:
        form = {"To": message.recipient, "Body": message.text}
        if self.credentials.get("messaging_service_sid"):
            form["MessagingServiceSid"] = str(self.credentials["messaging_service_sid"])
        else:
            form["From"] = str(self.credentials["from_number"])
        return form

    def _parse(self, response: httpx.Response) -> SendResult:
        body = json_body(response) or {}
        if response.is_success and body.get("sid"):
            return SendResult(provider_message_id=str(body["sid"]), raw=_without_body(body))
        if response.is_success or is_retryable_status(response.status_code):
            raise self.transient_http_error(response, _describe(body))
        raise self.error(
            f"HTTP {response.status_code}: {_describe(body) or response.text[:200]}",
            permanent=body.get("code") not in TRANSIENT_CODES,
        )


def _describe(body: dict[str, Any]) -> str:
    if not body.get("code") and not body.get("message"):
        return ""
    return f"{body.get('code')} {body.get('message', '')}".strip()


def _without_body(resource: dict[str, Any]) -> dict[str, Any]:
    """The message resource minus the text, which the outbox already stores."""
    return {k: v for k, v in resource.items() if k != "body"}
