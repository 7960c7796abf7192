"""What messaging adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MESSAGES,
    CardTab,
    NavItem,
    SettingsTab,
    client_card_tab,
    nav_item,
    settings_tab,
)

nav_item(NavItem("messaging:outbox", _("Messages"), "chat-dots", MANAGERS, MESSAGES, 110))
settings_tab(SettingsTab("messaging", "messaging:settings", _("Messages"), order=50))
settings_tab(SettingsTab("templates", "messaging:templates", _("Message templates"), order=60))
client_card_tab(CardTab("messages", _("Messages"), "messaging:client_messages", order=50))
