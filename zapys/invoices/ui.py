"""What invoices add to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MONEY,
    CardAction,
    CardTab,
    NavItem,
    SettingsTab,
    client_card_action,
    client_card_tab,
    nav_item,
    settings_tab,
)

nav_item(NavItem("invoices:list", _("Invoices"), "receipt-cutoff", MANAGERS, MONEY, 45))
nav_item(NavItem("invoices:rules", _("Automatic invoicing"), "arrow-repeat", MANAGERS, MONEY, 46))
settings_tab(SettingsTab("invoices", "invoices:settings", _("Invoices"), order=45))
client_card_tab(CardTab("invoices", _("Invoices"), "invoices:client_invoices", order=35))
client_card_action(CardAction(_("Add invoice"), "receipt-cutoff", "invoices:new", 20))
