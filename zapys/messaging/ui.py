"""What messaging adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zapys.core.system_names import is_default_name, shown_name
from zapys.core.ui import (
    MANAGERS,
    MESSAGES,
    CardTab,
    NavItem,
    SettingsTab,
    audit_actions,
    audit_values,
    client_card_tab,
    nav_item,
    settings_tab,
)
from zapys.messaging.events import event_exists, get_event
from zapys.messaging.models import Channel
from zapys.messaging.providers import (
    DEMO_ACCOUNT_NAME,
    DEMO_ACCOUNT_OLD_NAMES,
    DEMO_BOT_NAME,
    DEMO_BOT_OLD_NAMES,
    provider_label,
)

# The notifications page is the bell's (top bar), not a page of Messages.
nav_item(
    NavItem(
        "messaging:outbox",
        _("Messages"),
        "chat-dots",
        MANAGERS,
        MESSAGES,
        110,
        not_under=("/notifications/",),
    )
)
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


def _channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


def _event_label(code: str) -> str:
    return str(get_event(code).label) if event_exists(code) else code


def _account_name(value: str) -> str:
    # The demo's accounts carry a system name: in the reader's language, as on the settings
    # page (`TransportAccount.display_name`); a name a person typed stays as typed.
    if is_default_name(value, DEMO_BOT_NAME, DEMO_BOT_OLD_NAMES):
        return gettext(DEMO_BOT_NAME)
    return shown_name(value, DEMO_ACCOUNT_NAME, DEMO_ACCOUNT_OLD_NAMES)


def _rate_label(value: str) -> str:
    # 0 is "no limit of our own": the provider's usual one applies (the field's help text)
    return str(_("The service's usual limit")) if value == "0" else value


# How the audit log names the codes messaging stores without field choices ("sms",
# "messaging.custom", "console"): every app's "channel" change key, a message's event, a
# transport account's provider and its rate.
audit_values("", "channel", _channel_label)
audit_values("messaging.message", "event", _event_label)
audit_values("messaging.transportaccount", "code", provider_label)
audit_values("messaging.transportaccount", "max_per_second", _rate_label)
audit_values("messaging.transportaccount", "name", _account_name)
