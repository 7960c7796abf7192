"""The bots' webhooks: Telegram and Viber → Zapys.

Both check the sender before reading anything: Telegram's `X-Telegram-Bot-Api-Secret-Token`
against the account's secret token, Viber's `X-Viber-Content-Signature` against the
HMAC-SHA256 of the raw body keyed with the bot token, each compared in constant time; a
mismatch is 403 and nothing is stored. Then one service call records and answers the update
(`bots.services.bot_update_handle`), and the replies are sent after its commit.

Telegram retries an update that got no 2xx, and Viber a callback; the answer is 200 once
the update is recorded, whatever became of the replies: a reply the user blocked marks the
chat gone; a reply refused for now (429, 5xx) is queued in the outbox with its retry
policy (`services.bot_reply_queue`), so it is not lost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from zapys.bots import selectors, services, telegram, viber
from zapys.bots.dialog import Incoming, Reply
from zapys.core.tenancy import org_scope
from zapys.messaging.models import TransportAccount
from zapys.messaging.transports import TelegramTransport, TransportError, ViberTransport

logger = logging.getLogger(__name__)

MAX_UPDATE_BYTES = 256 * 1024


def _read_json(request: HttpRequest) -> tuple[bytes, Any] | None:
    body = request.read(MAX_UPDATE_BYTES + 1)
    if len(body) > MAX_UPDATE_BYTES:
        return None
    try:
        return body, json.loads(body)
    except ValueError:
        return body, None


@csrf_exempt
def telegram_webhook(request: HttpRequest, account_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    account = selectors.bot_account(account_id, "telegram")
    if account is None:
        raise Http404
    credentials = selectors.bot_credentials(account)
    expected = selectors.telegram_secret_token(account, credentials)
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not given or not constant_time_compare(given, expected):
        logger.warning("bots: Telegram update for account %s with a wrong secret", account.pk)
        return HttpResponse(b"forbidden", status=403, content_type="text/plain")
    read = _read_json(request)
    if read is None:
        return HttpResponse(b"payload too large", status=413, content_type="text/plain")
    _body, payload = read
    incoming = telegram.parse_update(payload) if isinstance(payload, dict) else None
    if incoming is None:
        return HttpResponse(b"bad update", status=400, content_type="text/plain")
    with org_scope(account.organization):
        replies = services.bot_update_handle(account=account, incoming=incoming)
        transport = TelegramTransport(credentials, base_url=account.base_url or None)
        with translation.override(account.organization.language):
            if incoming.callback_id:
                _quietly(
                    transport.call,
                    "answerCallbackQuery",
                    {"callback_query_id": incoming.callback_id},
                )
            for number, reply in enumerate(replies):
                try:
                    transport.send_message(
                        incoming.chat_id, reply.text, telegram.reply_markup(reply)
                    )
                except TransportError as exc:
                    _not_sent(account, incoming, replies, number, exc)
                    break
    return JsonResponse({"ok": True})


def _not_sent(
    account: TransportAccount,
    incoming: Incoming,
    replies: list[Reply],
    first: int,
    exc: TransportError,
) -> None:
    """Reply number `first` was refused: a blocked bot marks the chat gone; a refusal for
    now (429 with `retry_after`, a 5xx, a timeout) queues it and the following replies in
    the outbox, which retries them; a permanent refusal is only logged."""
    logger.warning("bots: reply to %s not sent: %s", incoming.chat_id, exc.message)
    if exc.recipient_gone:
        services.bot_chat_gone(account=account, chat_id=incoming.chat_id)
        return
    if exc.permanent:
        return
    for number in range(first, len(replies)):
        services.bot_reply_queue(
            account=account,
            chat_id=incoming.chat_id,
            text=replies[number].text,
            key=f"{incoming.key}:{number}",
            retry_after=exc.retry_after,
            now=timezone.now(),
        )


def _quietly(function: Any, *args: Any) -> None:
    try:
        function(*args)
    except TransportError as exc:
        logger.info("bots: %s", exc.message)


@csrf_exempt
def viber_webhook(request: HttpRequest, account_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    account = selectors.bot_account(account_id, "viber")
    if account is None:
        raise Http404
    credentials = selectors.bot_credentials(account)
    read = _read_json(request)
    if read is None:
        return HttpResponse(b"payload too large", status=413, content_type="text/plain")
    body, payload = read
    expected = hmac.new(
        str(credentials.get("token", "")).encode(), body, hashlib.sha256
    ).hexdigest()
    given = request.headers.get("X-Viber-Content-Signature", "")
    if not given or not credentials.get("token") or not constant_time_compare(given, expected):
        logger.warning("bots: Viber callback for account %s with a wrong signature", account.pk)
        return HttpResponse(b"forbidden", status=403, content_type="text/plain")
    incoming = viber.parse_event(payload) if isinstance(payload, dict) else None
    if incoming is None:
        return HttpResponse(b"bad event", status=400, content_type="text/plain")
    with org_scope(account.organization):
        replies = services.bot_update_handle(account=account, incoming=incoming)
        transport = ViberTransport(credentials, base_url=account.base_url or None)
        with translation.override(account.organization.language):
            if payload.get("event") == "conversation_started" and replies:
                # Viber lets a bot write to a user who only opened the chat in the
                # answer to this callback (the welcome message), not through send_message.
                first = replies.pop(0)
                welcome: dict[str, Any] = {
                    "sender": {"name": str(credentials.get("sender_name", ""))[:28]},
                    "type": "text",
                    "text": first.text,
                }
                keyboard = viber.keyboard(first)
                if keyboard is not None:
                    welcome["keyboard"] = keyboard
                    welcome["min_api_version"] = 3
                return JsonResponse(welcome)
            for number, reply in enumerate(replies):
                try:
                    transport.send_message(incoming.chat_id, reply.text, viber.keyboard(reply))
                except TransportError as exc:
                    _not_sent(account, incoming, replies, number, exc)
                    break
    return JsonResponse({"status": 0})
