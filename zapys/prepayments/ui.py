"""What paid time booking adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import MONEY, NavItem, SettingsTab, nav_item, settings_tab

nav_item(
    NavItem("prepayments:bookings", _("Prepayments"), "clock-history", section=MONEY, order=40)
)
settings_tab(SettingsTab("prepayment", "prepayments:settings", _("Prepayment"), order=40))
