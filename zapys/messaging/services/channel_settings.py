"""Channel order per event (M4) and the organization's messaging settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError
from zapys.messaging.events import CHANNELS, get_event
from zapys.messaging.models import EventSetting, MessagingSettings

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


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


@transaction.atomic
def event_settings_save_many(
    *,
    organization: Organization,
    changes: list[tuple[str, list[str], bool]],
    actor: Actor,
) -> list[EventSetting]:
    """`event_setting_save` for several events at once (the settings page's one form):
    `(event, channels, is_enabled)` each; all or none are saved."""
    return [
        event_setting_save(
            organization=organization,
            event=event,
            channels=channels,
            is_enabled=is_enabled,
            actor=actor,
        )
        for event, channels, is_enabled in changes
    ]


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
