"""What the ledger adds to the staff interface (see `core.ui`)."""

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

nav_item(NavItem("ledger:payments_report", _("Payments"), "cash-coin", MANAGERS, MONEY, 50))
nav_item(NavItem("ledger:day_sales", _("Sales of the day"), "receipt", MANAGERS, MONEY, 60))
nav_item(NavItem("ledger:operations", _("Cash & operations"), "wallet2", MANAGERS, MONEY, 70))
settings_tab(SettingsTab("finance", "ledger:settings", _("Finance"), order=80))
client_card_tab(CardTab("payments", _("Payments"), "ledger:client_entries", order=30))
client_card_action(CardAction(_("Add entry"), "plus-slash-minus", "ledger:client_entry_new", 10))
