"""What broadcasts add to the staff interface (see `core.ui`): the menu item, the settings
tab (the SMS price) and the audit log's names of its actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MESSAGES,
    NavItem,
    SettingsTab,
    audit_actions,
    audit_fields,
    audit_values,
    nav_item,
    settings_tab,
)
from zapys.messaging.models import Channel

nav_item(NavItem("broadcasts:list", _("Broadcasts"), "megaphone", MANAGERS, MESSAGES, 115))
settings_tab(SettingsTab("broadcasts", "broadcasts:settings", _("Broadcasts"), order=65))

audit_actions(
    {
        "broadcast.create": _("Broadcast created"),
        "broadcast.start": _("Broadcast started"),
        "broadcast.finish": _("Broadcast finished"),
        "broadcast_settings.update": _("Broadcast settings changed"),
    }
)

# The counts a broadcast's rows record under keys that are not its fields (services.py).
audit_fields(
    "broadcasts.broadcast",
    {
        "recipients": _("Recipients"),
        "sent": _("Sent"),
        "test_mode": _("Test mode, not sent"),
        "failed": _("Not delivered"),
    },
)


def _channel(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


# A broadcast's channel "" is the form's automatic choice: the audit read "Channel: —".
audit_values(
    "broadcasts.broadcast",
    "channel",
    _channel,
    empty=_("Automatic: messenger, else SMS, else e-mail"),
)
