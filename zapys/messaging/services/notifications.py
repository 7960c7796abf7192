"""Staff notifications: in-app, with a copy to the staff Telegram chat through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

from zapys.core.audit import Actor, audit_record
from zapys.messaging.events import STAFF_NOTIFICATION
from zapys.messaging.models import StaffNotification
from zapys.messaging.selectors import messaging_settings_get, notifications_for
from zapys.messaging.services.sending import message_send

if TYPE_CHECKING:
    from zapys.accounts.models import Organization, User


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
    return (
        notifications_for(organization=organization, user=user)
        .filter(read_at__isnull=True)
        .update(read_at=now or timezone.now(), read_by=user)
    )
