"""What visit messages add to the staff interface (see `core.ui`): the settings tab and the
name of its audit action."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import SettingsTab, audit_actions, settings_tab

settings_tab(
    SettingsTab("visit_messages", "visit_messages:settings", _("Visit reminders"), order=55)
)
audit_actions({"visit_messages.settings": _("Visit confirmation and reminder settings changed")})
