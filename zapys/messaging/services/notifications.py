"""Staff notifications: in-app, with a copy to the staff Telegram chat through the outbox."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone, translation

from zapys.core.audit import Actor, audit_record
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import org_scope
from zapys.messaging.events import STAFF_NOTIFICATION
from zapys.messaging.models import StaffNotification
from zapys.messaging.selectors import messaging_settings_get, notifications_for
from zapys.messaging.services.sending import message_send
from zapys.messaging.staff_chats import staff_chats_for

if TYPE_CHECKING:
    from zapys.accounts.models import Organization, User


def staff_notify(
    *,
    organization: Organization,
    title: str | StoredText,
    body: str | StoredText = "",
    related: models.Model | None = None,
    url: str = "",
    level: str = "info",
    recipient: User | None = None,
) -> StaffNotification:
    """An in-app notification for the team (or one person); also to the staff Telegram chat.

    Runs in the caller's transaction when there is one. The Telegram copies go through
    the outbox (event "staff.notification"), so they are retried like any message: to the
    organization's staff chat, and after the commit to the staff members' own chats linked
    through the bot (`messaging.staff_chats`: everybody's for a team notification, the
    recipient's own otherwise).

    A `StoredText` title or body is shown to each reader in their language (the page's; a
    Telegram copy in its staff member's, the staff chat's in the organization's); a plain
    string is shown as it is, in whatever language the caller wrote it.
    """
    if level not in StaffNotification.Level.values:
        level = StaffNotification.Level.INFO
    actor = Actor.system("notifications")
    with transaction.atomic():
        notification = StaffNotification.objects.create(
            organization=organization,
            recipient=recipient,
            title=_rendered(title)[:200],
            body=_rendered(body),
            title_text=title.stored() if isinstance(title, StoredText) else {},
            body_text=body.stored() if isinstance(body, StoredText) else {},
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
                variables=_variables(notification, organization.language),
                actor=actor,
                recipient=chat_id,
                channel="telegram",
                related=related,
                idempotency_key=f"staff-notification:{notification.pk}",
            )
        # The staff members' own chats after the commit: the caller's transaction (a
        # payment callback's, benchmarked statement by statement) does not pay for them.
        transaction.on_commit(
            functools.partial(_copy_to_own_chats, notification, related, exclude=chat_id)
        )
    return notification


def _copy_to_own_chats(
    notification: StaffNotification, related: models.Model | None, *, exclude: str
) -> None:
    organization = notification.organization
    with org_scope(organization):
        chats = [c for c in staff_chats_for(organization, notification.recipient) if c != exclude]
        # A team notification's chats are not told apart by person: the organization's
        # language; a personal one goes out in its recipient's.
        recipient = notification.recipient
        language = (recipient.language if recipient else "") or organization.language
        for chat_id in chats:
            message_send(
                organization=organization,
                event=STAFF_NOTIFICATION,
                variables=_variables(notification, language),
                actor=Actor.system("notifications"),
                recipient=chat_id,
                channel="telegram",
                related=related,
                idempotency_key=f"staff-notification:{notification.pk}:{chat_id}",
            )


def _rendered(value: str | StoredText) -> str:
    return value if isinstance(value, str) else value.render()


def _variables(notification: StaffNotification, language: str) -> dict[str, str]:
    """A Telegram copy's text, in `language`."""
    with translation.override(language or None):
        return {
            "title": notification.shown_title,
            "body": notification.shown_body,
            "url": notification.url,
        }


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
    return (
        notifications_for(organization=organization, user=user)
        .filter(read_at__isnull=True)
        .update(read_at=now or timezone.now(), read_by=user)
    )
