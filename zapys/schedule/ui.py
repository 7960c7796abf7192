"""What the schedule adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import CardTab, NavItem, SettingsTab, client_card_tab, nav_item, settings_tab

nav_item(NavItem("schedule:calendar", _("Calendar"), "calendar3", order=20))
settings_tab(SettingsTab("schedule", "schedule:settings", _("Schedule"), order=70))
client_card_tab(CardTab("visits", _("Visits"), "schedule:client_visits", order=20))
