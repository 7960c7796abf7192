"""Development transport: writes the message to the log instead of sending it.

It accepts a message of any channel, so a development organization can route SMS,
e-mail and messengers to it and still exercise the whole outbox path. It never
fails: a failing fake belongs in the test simulators, not in a developer's setup.
"""

from __future__ import annotations

import logging
import uuid

from .base import OutgoingMessage, SendResult, Transport

logger = logging.getLogger("zapys.messaging.console")


class ConsoleTransport(Transport):
    code = "console"
    channel = "console"
    send_timeout = 1.0  # a log line
    timeout_steps = 1

    def send(self, message: OutgoingMessage) -> SendResult:
        provider_id = f"console-{uuid.uuid4().hex}"
        logger.info(
            "console %s message to %s (id %s)%s:\n%s",
            message.channel,
            message.recipient,
            provider_id,
            f" subject {message.subject!r}" if message.subject else "",
            message.text,
            extra={
                "channel": message.channel,
                "recipient": message.recipient,
                "provider_message_id": provider_id,
                "idempotency_key": message.idempotency_key,
            },
        )
        return SendResult(
            provider_message_id=provider_id,
            status="delivered",
            raw={"channel": message.channel, "recipient": message.recipient},
        )
