"""Staff notifications to the staff members' own chats (`messaging.staff_chats`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zapys.bots.models import StaffChat
from zapys.messaging.staff_chats import staff_chats_declare

if TYPE_CHECKING:
    from zapys.accounts.models import Organization, User


def telegram_staff_chats(organization: Organization, recipient: User | None) -> list[str]:
    """Active staff Telegram chats: everybody's for a team notification, else the
    recipient's own (one query)."""
    chats = StaffChat.objects.for_org(organization).filter(channel="telegram", is_active=True)
    if recipient is not None:
        chats = chats.filter(user=recipient)
    return list(chats.order_by("id").values_list("chat_id", flat=True))


def telegram_staff_chat_gone(organization: Organization, chat_id: str) -> int:
    """Telegram answered a staff notification with 403 (the bot was blocked): no more
    notifications to this chat, as when its "kicked" update arrives."""
    return (
        StaffChat.objects.for_org(organization)
        .filter(channel="telegram", chat_id=chat_id, is_active=True)
        .update(is_active=False)
    )


staff_chats_declare("bots", telegram_staff_chats, gone=telegram_staff_chat_gone)
