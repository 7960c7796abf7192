"""Links between clients and their messenger chats.

A client has at most one chat per messenger; a chat may serve several clients only when
they are one family (the same phone: a parent's chat gets every child's messages). A chat
linked to someone with another phone is refused (`Conflict`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.tenancy import org_scope
from zapys.messaging.events import STAFF_NOTIFICATION, event_exists, get_event
from zapys.messaging.models import ClientMessenger, Message
from zapys.messaging.routing import MESSENGERS, active_accounts
from zapys.messaging.staff_chats import staff_chat_gone

if TYPE_CHECKING:
    from zapys.clients.models import Client


@transaction.atomic
def client_messenger_link(
    *, client: Client, channel: str, external_id: str, actor: Actor
) -> ClientMessenger:
    """Link a client to a messenger chat (the bot calls this when a client subscribes)."""
    if channel not in MESSENGERS:
        raise DomainError(_("Unknown messenger."), field="channel")
    external_id = external_id.strip()
    if not external_id:
        raise DomainError(_("Enter the chat id."), field="external_id")
    others = ClientMessenger.objects.for_org(client.organization).filter(
        channel=channel, external_id=external_id
    )
    others = others.exclude(client=client)
    if client.phone:
        # The chat may already serve this client's family (the same phone).
        others = others.exclude(client__phone=client.phone)
    taken = others.exists()
    if taken:
        raise Conflict(_("This chat is linked to another client."), field="external_id")
    link, _created = ClientMessenger.objects.for_org(client.organization).update_or_create(
        organization=client.organization,
        client=client,
        channel=channel,
        defaults={"external_id": external_id},
    )
    audit_record(
        organization=client.organization,
        actor=actor,
        action="client_messenger.link",
        obj=client,
        changes={"channel": channel},
    )
    return link


@transaction.atomic
def client_messenger_unlink(*, client: Client, channel: str, actor: Actor) -> None:
    deleted, _rows = (
        ClientMessenger.objects.for_org(client.organization)
        .filter(client=client, channel=channel)
        .delete()
    )
    if deleted:
        audit_record(
            organization=client.organization,
            actor=actor,
            action="client_messenger.unlink",
            obj=client,
            changes={"channel": channel},
        )


#: Where a message whose messenger recipient is gone is sent instead, in this order.
FALLBACK_CHANNELS = ("sms", "email")


def messengers_gone(messages: list[Message], *, now: datetime) -> int:
    """Messages a messenger refused because the recipient is gone (the bot blocked, the
    Viber user unsubscribed): drop each such chat's link to its client, so routing uses
    the next channel from now on (M4), and queue the same text on the client's first
    reachable fallback channel (SMS, then e-mail), once: the key is the message's own
    plus ":fallback". Returns the number of fallback messages queued.
    """
    queued = 0
    for message in messages:
        if message.channel not in MESSENGERS:
            continue
        with org_scope(message.organization), transaction.atomic():
            if message.event == STAFF_NOTIFICATION:
                # A staff member's own chat, not a client's: its owner (the bot) drops it.
                staff_chat_gone(message.organization, message.recipient)
                continue
            links = list(
                ClientMessenger.objects.for_org(message.organization)
                .filter(channel=message.channel, external_id=message.recipient)
                .select_related("client")
            )
            for link in links:
                link.delete()
                audit_record(
                    organization=message.organization,
                    actor=Actor.system("messaging"),
                    action="client_messenger.unlink",
                    obj=link.client,
                    changes={"channel": message.channel},
                )
            if _no_fallback(message):
                continue
            # The message's own client (a family's chat serves several clients).
            client = message.client or (links[0].client if links else None)
            if client is None or client.deleted_at is not None:
                continue
            accounts = active_accounts(organization=message.organization)
            for channel in FALLBACK_CHANNELS:
                address = client.phone if channel == "sms" else client.email
                account = accounts.get(channel)
                if not address or account is None:
                    continue
                key = f"{message.idempotency_key}:fallback"[:200]
                _row, created = Message.objects.for_org(message.organization).get_or_create(
                    organization=message.organization,
                    idempotency_key=key,
                    defaults={
                        "client": client,
                        "recipient": address,
                        "channel": channel,
                        "transport_account": account,
                        "transport_code": account.code,
                        "event": message.event,
                        "subject": message.subject,
                        "text": message.text,
                        "related_type": message.related_type,
                        "related_id": message.related_id,
                        "status": Message.Status.QUEUED,
                        "next_attempt_at": now,
                    },
                )
                queued += int(created)
                break
    return queued


def _no_fallback(message: Message) -> bool:
    """A marketing message (a broadcast) is not re-sent on another channel: SMS costs money
    and the staff chose the broadcast's channel."""
    return event_exists(message.event) and get_event(message.event).marketing
