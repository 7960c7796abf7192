"""What messaging adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MESSAGES,
    CardTab,
    NavItem,
    SettingsTab,
    audit_actions,
    client_card_tab,
    nav_item,
    settings_tab,
)

nav_item(NavItem("messaging:outbox", _("Messages"), "chat-dots", MANAGERS, MESSAGES, 110))
settings_tab(SettingsTab("messaging", "messaging:settings", _("Messages"), order=50))
settings_tab(SettingsTab("templates", "messaging:templates", _("Message templates"), order=60))
client_card_tab(CardTab("messages", _("Messages"), "messaging:client_messages", order=50))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "message.queue": _("Message queued"),
        "message.retry": _("Message sent again"),
        "message_template.create": _("Message template created"),
        "message_template.update": _("Message template changed"),
        "message_template.reset": _("Message template reset to the standard one"),
        "message_event.update": _("Notification settings changed"),
        "messaging_settings.update": _("Messaging settings changed"),
        "transport_account.create": _("Sending account added"),
        "transport_account.update": _("Sending account changed"),
        "transport_account.delete": _("Sending account deleted"),
        "client_messenger.link": _("Messenger connected"),
        "client_messenger.unlink": _("Messenger disconnected"),
        "staff_notification.create": _("Staff notified"),
        "client.broadcast_opt_out": _("Unsubscribed from broadcasts"),
        "client.broadcast_opt_in": _("Subscribed to broadcasts again"),
    }
)
