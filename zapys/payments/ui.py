"""What online payments adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MONEY,
    NavItem,
    SettingsTab,
    nav_item,
    settings_tab,
)

nav_item(NavItem("payments:list", _("Online payments"), "credit-card", MANAGERS, MONEY, 80))
settings_tab(SettingsTab("payment_accounts", "payments:accounts", _("Payment accounts"), order=30))
