"""Links between clients and their messenger chats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.messaging.models import ClientMessenger
from zapys.messaging.routing import MESSENGERS

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
    taken = (
        ClientMessenger.objects.for_org(client.organization)
        .filter(channel=channel, external_id=external_id)
        .exclude(client=client)
        .exists()
    )
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
