"""Sending: queue messages in the caller's transaction and hand them to delivery on commit.

`message_send` is what the other apps call. It writes the outbox row inside the
caller's transaction and enqueues delivery on commit, so a message about a booking
exists exactly when the booking does; delivery itself lives in `zapys.messaging.outbox`.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.messaging.events import CHANNELS, CUSTOM_MESSAGE, get_event
from zapys.messaging.models import ClientMessenger, Message, MessageTemplate
from zapys.messaging.routing import (
    Route,
    active_accounts,
    channel_order,
    channel_order_from,
    choose_route,
    event_enabled,
    event_settings_for,
    first_route,
)
from zapys.messaging.selectors import message_renderer, render_message
from zapys.messaging.tasks import deliver_message_task

if TYPE_CHECKING:
    from zapys.accounts.models import Organization
    from zapys.clients.models import Client

logger = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 200


def message_send(
    *,
    organization: Organization,
    event: str,
    variables: dict[str, Any],
    actor: Actor,
    client: Client | None = None,
    recipient: str | None = None,
    channel: str | None = None,
    related: models.Model | None = None,
    idempotency_key: str,
) -> Message | None:
    """Queue one message (M2). Returns the existing row for a repeated idempotency key.

    None when the event is switched off for the organization or no channel reaches the
    client (no linked messenger, no phone/e-mail, no active transport account). Raises
    DomainError for a client of another organization or an unknown channel.
    """
    event_type = get_event(event)
    key = _normalise_key(idempotency_key)
    if client is not None and client.organization_id != organization.pk:
        raise DomainError(_("The client belongs to another organization."), field="client")
    if channel is not None and channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    with transaction.atomic():
        existing = Message.objects.for_org(organization).filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        settings_rows = event_settings_for(organization, event)
        if event in settings_rows and not settings_rows[event].is_enabled:
            return None
        templates = {
            t.channel: t for t in MessageTemplate.objects.for_org(organization).filter(event=event)
        }
        route = choose_route(
            organization=organization,
            event=event_type,
            client=client,
            recipient=recipient,
            channel=channel,
            order=channel_order_from(settings_rows, event),
            templates=templates,
        )
        if route is None:
            return None
        text, subject = render_message(
            organization=organization,
            event=event_type,
            channel=route.channel,
            variables=variables,
            client=client,
            template=templates.get(route.channel),
        )
        message = _queued_message(
            organization, client, route, event, text, subject, related, key, timezone.now()
        )
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:
            # A concurrent sender with the same key won the insert: theirs is the message.
            return Message.objects.for_org(organization).get(idempotency_key=key)
        audit_record(
            organization=organization,
            actor=actor,
            action="message.queue",
            obj=message,
            changes={"event": event, "channel": route.channel},
        )
        message_id = message.pk
        transaction.on_commit(lambda: _enqueue_delivery(message_id))
    return message


@dataclass(frozen=True)
class Outgoing:
    """One message of a `message_send_many` call."""

    client: Client
    variables: dict[str, Any]
    idempotency_key: str
    related: models.Model | None = None
    #: the channel the client asked for (e.g. the one a booking link went by); else the
    #: organization's order for the event
    channel: str = ""


def message_send_many(
    *, organization: Organization, event: str, messages: list[Outgoing], now: datetime
) -> int:
    """`message_send` for many clients at once, in a constant number of queries.

    For set-based work (the deadline sweeps tell thousands of clients per tick): the same
    event switch, channel order, templates, linked messengers and idempotency keys, so a
    client is never told twice whichever path queued first. Returns how many rows were
    queued. Each row is the record of its message (the cause writes its own audit row);
    delivery is the outbox sweep's.
    """
    if not messages or not event_enabled(organization=organization, event=event):
        return 0
    event_type = get_event(event)
    accounts = active_accounts(organization=organization)
    if not accounts:
        return 0
    order = channel_order(organization=organization, event=event)
    templates = {
        t.channel: t for t in MessageTemplate.objects.for_org(organization).filter(event=event)
    }
    renderers = {
        channel: message_renderer(
            organization=organization,
            event=event_type,
            channel=channel,
            template=templates.get(channel),
        )
        for channel in accounts
    }
    messengers: dict[int, dict[str, str]] = {}
    for client_id, channel, external_id in (
        ClientMessenger.objects.for_org(organization)
        .filter(client_id__in={m.client.pk for m in messages})
        .values_list("client_id", "channel", "external_id")
    ):
        messengers.setdefault(client_id, {})[channel] = external_id
    keys = {m.idempotency_key: _normalise_key(m.idempotency_key) for m in messages}
    queued = set(
        Message.objects.for_org(organization)
        .filter(idempotency_key__in=keys.values())
        .values_list("idempotency_key", flat=True)
    )
    # Due at once: a sweep run "as if" later (`tick --now`) must not hold its messages
    # back from the running worker until the real clock gets there.
    due = min(now, timezone.now())
    rows = []
    for outgoing in messages:
        client = outgoing.client
        key = keys[outgoing.idempotency_key]
        if key in queued or client.organization_id != organization.pk or client.deleted_at:
            continue
        route = first_route(
            client,
            [outgoing.channel] if outgoing.channel else order,
            accounts,
            templates,
            messengers.get(client.pk, {}),
            event_type,
        )
        if route is None:
            continue
        text, subject = renderers[route.channel](outgoing.variables, client)
        rows.append(
            _queued_message(
                organization, client, route, event, text, subject, outgoing.related, key, due
            )
        )
        queued.add(key)
    # A concurrent sender may still win a key between the read and the insert: the
    # database keeps theirs (the count then includes that one).
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _queued_message(
    organization: Organization,
    client: Client | None,
    route: Route,
    event: str,
    text: str,
    subject: str,
    related: models.Model | None,
    key: str,
    now: datetime,
) -> Message:
    """The outbox row (unsaved) for a rendered message on its route, due at `now`."""
    return Message(
        organization=organization,
        client=client,
        recipient=route.recipient,
        channel=route.channel,
        transport_account=route.account,
        transport_code=route.account.code,
        event=event,
        subject=subject[:300],
        text=text,
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "",
        idempotency_key=key,
        status=Message.Status.QUEUED,
        next_attempt_at=now,
    )


def _enqueue_delivery(message_id: int) -> None:
    try:
        deliver_message_task(message_id)
    except Exception:
        logger.exception("could not enqueue message %s", message_id)


def _normalise_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise DomainError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > MAX_IDEMPOTENCY_KEY:
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def message_send_custom(
    *,
    client: Client,
    text: str,
    actor: Actor,
    channel: str | None = None,
    idempotency_key: str | None = None,
) -> Message:
    """A free-text message from staff to one client; raises when no channel reaches them."""
    if not text.strip():
        raise DomainError(_("Enter the message text."), field="text")
    message = message_send(
        organization=client.organization,
        event=CUSTOM_MESSAGE,
        variables={"text": text.strip()},
        actor=actor,
        client=client,
        channel=channel,
        idempotency_key=idempotency_key or f"custom:{uuid.uuid4().hex}",
    )
    if message is None:
        raise DomainError(
            _("No channel can reach this client: add a phone, an e-mail or a transport account."),
            field="channel" if channel else "client",
        )
    return message


@transaction.atomic
def message_retry(*, message: Message, actor: Actor, now: datetime | None = None) -> Message:
    """Put a failed message back in the queue (staff fixed the number or the account)."""
    updated = (
        Message.objects.for_org(message.organization)
        .filter(pk=message.pk, status=Message.Status.FAILED)
        .update(
            status=Message.Status.QUEUED,
            next_attempt_at=now or timezone.now(),
            attempts=0,
            claim_token="",
            claimed_at=None,
        )
    )
    if not updated:
        raise Conflict(_("Only a failed message can be sent again."), field="status")
    message.refresh_from_db()
    audit_record(
        organization=message.organization, actor=actor, action="message.retry", obj=message
    )
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue_delivery(message_id))
    return message
