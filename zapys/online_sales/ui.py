"""What online membership sales add to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import MANAGERS, MONEY, NavItem, SettingsTab, nav_item, settings_tab

nav_item(
    NavItem("online_sales:sales", _("Online sales"), "bag-check", MANAGERS, section=MONEY, order=45)
)
settings_tab(SettingsTab("online_sales", "online_sales:settings", _("Online sales"), order=45))
