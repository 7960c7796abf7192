"""Writes of the messaging app: sending to clients, templates, settings, staff notifications.

`message_send` is what the other apps call. It writes the outbox row inside the
caller's transaction and enqueues delivery on commit, so a message about a booking
exists exactly when the booking does; delivery itself lives in `zapys.messaging.outbox`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.crypto import decrypt_json, encrypt_json
from zapys.core.exceptions import Conflict, DomainError
from zapys.messaging.credentials import CODES_FOR_CHANNEL, fields_for
from zapys.messaging.events import (
    CHANNELS,
    CLIENT_CHANNELS,
    CUSTOM_MESSAGE,
    STAFF_NOTIFICATION,
    EventType,
    get_event,
)
from zapys.messaging.models import (
    ClientMessenger,
    EventSetting,
    Message,
    MessageTemplate,
    MessagingSettings,
    StaffNotification,
    TransportAccount,
)
from zapys.messaging.rendering import placeholders_in, render_template
from zapys.messaging.transports import TransportError, get_transport

if TYPE_CHECKING:
    from zapys.accounts.models import Organization, User
    from zapys.clients.models import Client

MAX_IDEMPOTENCY_KEY = 200
MESSENGERS = ("telegram", "viber")


# --- Sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """Where a message goes: channel, address and the account that will carry it."""

    channel: str
    recipient: str
    account: TransportAccount


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
        settings_rows = _event_settings(organization, event)
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
            order=_order_from(settings_rows, event),
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
        route = _first_route(
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
    from zapys.messaging.tasks import deliver_message_task

    try:
        deliver_message_task(message_id)
    except Exception:
        import logging

        logging.getLogger(__name__).exception("could not enqueue message %s", message_id)


def _normalise_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise DomainError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > MAX_IDEMPOTENCY_KEY:
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _event_settings(organization: Organization, event: str) -> dict[str, EventSetting]:
    """The event's own row and the organization's default row (event ""), in one query."""
    return {
        s.event: s for s in EventSetting.objects.for_org(organization).filter(event__in=[event, ""])
    }


def _order_from(rows: dict[str, EventSetting], event: str) -> list[str]:
    for key in (event, ""):
        if key in rows and rows[key].channel_list:
            return rows[key].channel_list
    return list(CLIENT_CHANNELS)


def event_enabled(*, organization: Organization, event: str) -> bool:
    setting = _event_settings(organization, event).get(event)
    return setting is None or setting.is_enabled


def channel_order(*, organization: Organization, event: str) -> list[str]:
    """The event's own order, else the organization's default, else messengers→SMS→e-mail."""
    return _order_from(_event_settings(organization, event), event)


def active_accounts(*, organization: Organization) -> dict[str, TransportAccount]:
    """The account that carries each channel: active, lowest priority first."""
    accounts: dict[str, TransportAccount] = {}
    for account in TransportAccount.objects.for_org(organization).filter(is_active=True):
        accounts.setdefault(account.channel, account)
    return accounts


def choose_route(
    *,
    organization: Organization,
    event: EventType,
    client: Client | None,
    recipient: str | None,
    channel: str | None,
    order: list[str] | None = None,
    templates: dict[str, MessageTemplate] | None = None,
) -> Route | None:
    """M4: the first channel in the configured order that can reach the recipient.

    `order` and `templates` may be passed in when the caller already loaded them.
    """
    accounts = active_accounts(organization=organization)
    if recipient:
        chosen = channel or ("email" if "@" in recipient else "sms")
        account = accounts.get(chosen)
        return Route(chosen, recipient.strip(), account) if account else None
    if client is None:
        raise DomainError(_("A message needs a client or a recipient."), field="recipient")
    if getattr(client, "deleted_at", None):
        return None
    if channel:
        order = [channel]
    elif order is None:
        order = channel_order(organization=organization, event=event.code)
    if templates is None:
        templates = {
            t.channel: t
            for t in MessageTemplate.objects.for_org(organization).filter(event=event.code)
        }
    messengers: dict[str, str] = {}
    if any(c in MESSENGERS for c in order):
        messengers = dict(
            ClientMessenger.objects.for_org(organization)
            .filter(client=client)
            .values_list("channel", "external_id")
        )
    return _first_route(client, order, accounts, templates, messengers, event)


def _first_route(
    client: Client,
    order: list[str],
    accounts: dict[str, TransportAccount],
    templates: dict[str, MessageTemplate],
    messengers: dict[str, str],
    event: EventType,
) -> Route | None:
    """The first channel of `order` with an active account, an enabled (or default) text
    and an address for this client."""
    for candidate in order:
        account = accounts.get(candidate)
        template = templates.get(candidate)
        if account is None or (template is not None and not template.is_enabled):
            continue
        if template is None and not event.default_text(candidate):
            continue
        address = _address(client, candidate, messengers)
        if address:
            return Route(candidate, address, account)
    return None


def _address(client: Client, channel: str, messengers: dict[str, str]) -> str:
    if channel in MESSENGERS:
        return messengers.get(channel, "")
    if channel == "sms":
        return client.phone or ""
    if channel == "email":
        return client.email or ""
    return ""


def render_message(
    *,
    organization: Organization,
    event: EventType,
    channel: str,
    variables: dict[str, Any],
    client: Client | None = None,
    template: MessageTemplate | bool | None = False,
) -> tuple[str, str]:
    """(text, subject) from the organization's template or the event's default.

    Only the event's declared variables are substituted; values are never re-scanned,
    so a client named "{{ settings.SECRET_KEY }}" is printed as written.
    """
    if template is False:  # not passed in: look it up
        template = (
            MessageTemplate.objects.for_org(organization).filter(event=event.code, channel=channel)
        ).first()
    assert template is None or isinstance(template, MessageTemplate)
    return message_renderer(
        organization=organization, event=event, channel=channel, template=template
    )(variables, client)


def message_renderer(
    *,
    organization: Organization,
    event: EventType,
    channel: str,
    template: MessageTemplate | None,
) -> Callable[[dict[str, Any], Client | None], tuple[str, str]]:
    """`render_message` for many messages of one event and channel: the template text (or
    the translated default) is resolved once, then each call only substitutes values."""
    # Defaults may be lazy translations: they are written in the organization's language.
    with translation.override(organization.language or None):
        text = template.text if template is not None else str(event.default_text(channel))
        subject = (template.subject if template is not None else "") or str(event.default_subject())
    allowed = event.variable_names

    def render(variables: dict[str, Any], client: Client | None = None) -> tuple[str, str]:
        context: dict[str, Any] = {"organization": organization}
        if client is not None:
            context["client"] = client
        context.update(variables)
        rendered_subject = (
            render_template(subject, context, allowed=allowed) if channel == "email" else ""
        )
        return render_template(text, context, allowed=allowed), rendered_subject

    return render


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


# --- Transport accounts -------------------------------------------------------------------


@transaction.atomic
def transport_account_save(
    *,
    organization: Organization,
    actor: Actor,
    channel: str,
    code: str,
    credentials: dict[str, str],
    account: TransportAccount | None = None,
    name: str = "",
    base_url: str = "",
    is_active: bool = True,
    priority: int = 10,
) -> TransportAccount:
    """Create or update an account. Empty secret fields on edit keep the stored value."""
    if channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if code not in CODES_FOR_CHANNEL[channel]:
        raise DomainError(_("This provider cannot send this channel."), field="code")
    stored = decrypt_json(account.credentials_encrypted) if account is not None else {}
    merged: dict[str, str] = {}
    for field in fields_for(code):
        value = str(credentials.get(field.key) or "").strip()
        if not value and field.secret and account is not None and account.code == code:
            value = str(stored.get(field.key) or "")
        if field.required and not value:
            raise DomainError(_("This field is required."), field=field.key)
        if value:
            merged[field.key] = value
    try:
        get_transport(code, merged, base_url=base_url or None)
    except TransportError as exc:
        raise DomainError(str(exc), field="code") from exc
    before: dict[str, Any] = {}
    if account is None:
        account = TransportAccount(organization=organization)
    else:
        before = {
            "channel": account.channel,
            "code": account.code,
            "name": account.name,
            "base_url": account.base_url,
            "is_active": account.is_active,
            "priority": account.priority,
        }
    after = {
        "channel": channel,
        "code": code,
        "name": name.strip(),
        "base_url": base_url.strip(),
        "is_active": is_active,
        "priority": priority,
    }
    for attr, new_value in after.items():
        setattr(account, attr, new_value)
    account.credentials_encrypted = encrypt_json(merged)
    account.save()
    changes = changes_between(before, after)
    changes["credentials"] = ["***", "***"]  # that they were saved, never what they are
    audit_record(
        organization=organization,
        actor=actor,
        action="transport_account.update" if before else "transport_account.create",
        obj=account,
        changes=changes,
    )
    return account


@transaction.atomic
def transport_account_delete(*, account: TransportAccount, actor: Actor) -> None:
    audit_record(
        organization=account.organization,
        actor=actor,
        action="transport_account.delete",
        obj=account,
    )
    account.delete()


# --- Channel order and settings -----------------------------------------------------------


@transaction.atomic
def event_setting_save(
    *,
    organization: Organization,
    event: str,
    channels: list[str],
    actor: Actor,
    is_enabled: bool = True,
) -> EventSetting:
    """Set the channel order (M4) of one event, or of the organization with event=""."""
    if event:
        get_event(event)
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise DomainError(_("Unknown channel: %s.") % ", ".join(unknown), field="channels")
    ordered = list(dict.fromkeys(channels))
    setting, created = EventSetting.objects.for_org(organization).get_or_create(
        organization=organization, event=event
    )
    before = {"channels": setting.channels, "is_enabled": setting.is_enabled}
    setting.channels = ",".join(ordered)
    setting.is_enabled = is_enabled
    setting.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="message_event.update",
        obj=setting,
        changes=changes_between(
            {} if created else before,
            {"channels": setting.channels, "is_enabled": is_enabled},
        ),
    )
    return setting


def messaging_settings_get(*, organization: Organization) -> MessagingSettings:
    existing = MessagingSettings.objects.for_org(organization).first()
    return existing or MessagingSettings(organization=organization)


@transaction.atomic
def messaging_settings_save(
    *, organization: Organization, staff_telegram_chat_id: str, actor: Actor
) -> MessagingSettings:
    settings_row, _created = MessagingSettings.objects.for_org(organization).get_or_create(
        organization=organization
    )
    before = {"staff_telegram_chat_id": settings_row.staff_telegram_chat_id}
    settings_row.staff_telegram_chat_id = staff_telegram_chat_id.strip()
    settings_row.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="messaging_settings.update",
        obj=settings_row,
        changes=changes_between(
            before, {"staff_telegram_chat_id": settings_row.staff_telegram_chat_id}
        ),
    )
    return settings_row


# --- Templates ----------------------------------------------------------------------------


def _check_template(event: EventType, channel: str, text: str) -> None:
    if channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if not text.strip():
        raise DomainError(_("Enter the message text."), field="text")
    allowed = set(event.variable_names)
    unknown = [name for name in placeholders_in(text) if name not in allowed]
    if unknown:
        raise DomainError(
            _("Unknown variables: %s. Use the variables listed next to the editor.")
            % ", ".join("{" + n + "}" for n in unknown),
            field="text",
        )


@transaction.atomic
def template_save(
    *,
    organization: Organization,
    event: str,
    channel: str,
    text: str,
    actor: Actor,
    subject: str = "",
    is_enabled: bool = True,
) -> MessageTemplate:
    """Store the organization's text for an event and channel (M3)."""
    event_type = get_event(event)
    _check_template(event_type, channel, text)
    if subject:
        unknown = [n for n in placeholders_in(subject) if n not in event_type.variable_names]
        if unknown:
            raise DomainError(
                _("Unknown variables: %s.") % ", ".join("{" + n + "}" for n in unknown),
                field="subject",
            )
    template = (
        MessageTemplate.objects.for_org(organization).filter(event=event, channel=channel).first()
    )
    before: dict[str, Any] = {}
    if template is None:
        template = MessageTemplate(organization=organization, event=event, channel=channel)
    else:
        before = {
            "text": template.text,
            "subject": template.subject,
            "enabled": template.is_enabled,
        }
    template.text = text.strip()
    template.subject = subject.strip()
    template.is_enabled = is_enabled
    template.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="message_template.update" if before else "message_template.create",
        obj=template,
        changes=changes_between(
            before,
            {"text": template.text, "subject": template.subject, "enabled": is_enabled},
        ),
    )
    return template


@transaction.atomic
def template_reset(*, organization: Organization, event: str, channel: str, actor: Actor) -> None:
    """Drop the organization's text: the event's default applies again."""
    template = (
        MessageTemplate.objects.for_org(organization).filter(event=event, channel=channel).first()
    )
    if template is None:
        return
    audit_record(
        organization=organization, actor=actor, action="message_template.reset", obj=template
    )
    template.delete()


# --- Messenger links ----------------------------------------------------------------------


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


# --- Staff notifications ------------------------------------------------------------------


def staff_notify(
    *,
    organization: Organization,
    title: str,
    body: str = "",
    related: models.Model | None = None,
    url: str = "",
    level: str = "info",
    recipient: User | None = None,
) -> StaffNotification:
    """An in-app notification for the team (or one person); also to the staff Telegram chat.

    Runs in the caller's transaction when there is one. The Telegram copy goes through
    the outbox (event "staff.notification"), so it is retried like any message.
    """
    if level not in StaffNotification.Level.values:
        level = StaffNotification.Level.INFO
    actor = Actor.system("notifications")
    with transaction.atomic():
        notification = StaffNotification.objects.create(
            organization=organization,
            recipient=recipient,
            title=title[:200],
            body=body,
            url=url[:500],
            level=level,
            related_type=related._meta.label_lower if related is not None else "",
            related_id=str(related.pk) if related is not None else "",
        )
        audit_record(
            organization=organization,
            actor=actor,
            action="staff_notification.create",
            obj=notification,
        )
        chat_id = messaging_settings_get(organization=organization).staff_telegram_chat_id
        if chat_id:
            message_send(
                organization=organization,
                event=STAFF_NOTIFICATION,
                variables={"title": title, "body": body, "url": url},
                actor=actor,
                recipient=chat_id,
                channel="telegram",
                related=related,
                idempotency_key=f"staff-notification:{notification.pk}",
            )
    return notification


@transaction.atomic
def notification_mark_read(
    *, notification: StaffNotification, user: User, now: datetime | None = None
) -> StaffNotification:
    """Mark one notification read (idempotent: a second call changes nothing)."""
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.read_by = user
        notification.save(update_fields=["read_at", "read_by"])
    return notification


@transaction.atomic
def notifications_mark_all_read(
    *, organization: Organization, user: User, now: datetime | None = None
) -> int:
    from zapys.messaging.selectors import notifications_for

    return (
        notifications_for(organization=organization, user=user)
        .filter(read_at__isnull=True)
        .update(read_at=now or timezone.now(), read_by=user)
    )
