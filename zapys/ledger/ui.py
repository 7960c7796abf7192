"""What the ledger adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MONEY,
    PAYMENTS,
    TILL,
    CardAction,
    CardTab,
    NavItem,
    SettingsTab,
    audit_actions,
    client_card_action,
    client_card_tab,
    nav_item,
    settings_tab,
)

nav_item(
    NavItem(
        "ledger:payments_report",
        _("Payments and charges"),
        "cash-stack",
        MANAGERS,
        MONEY,
        50,
        group=PAYMENTS,
    )
)
nav_item(NavItem("ledger:day_sales", _("Daily sales"), "receipt", MANAGERS, MONEY, 60, group=TILL))
nav_item(
    NavItem("ledger:operations", _("Cash & operations"), "wallet2", MANAGERS, MONEY, 70, group=TILL)
)
settings_tab(SettingsTab("finance", "ledger:settings", _("Finance"), order=80))
# The tab says what the page and the card's button say (it said «Платежі»; tour 6, #12).
client_card_tab(CardTab("payments", _("Payments and charges"), "ledger:client_entries", order=30))
client_card_action(
    CardAction(_("Add a payment or charge"), "plus-slash-minus", "ledger:client_entry_new", 10)
)


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "ledger.entry_create": _("Payment or charge recorded"),
        "ledger.entry_cancel": _("Payment or charge cancelled"),
        "ledger.operation_create": _("Cash operation recorded"),
        "ledger.receipt_create": _("Sales receipt recorded"),
        "ledger.account_create": _("Client balance opened"),
        "ledger.article_create": _("Finance category added"),
        "ledger.article_update": _("Finance category changed"),
        "ledger.cash_desk_create": _("Cash desk added"),
        "ledger.payment_type_create": _("Payment method added"),
        "ledger.payment_type_update": _("Payment method changed"),
        "ledger.money_assigned": _("Payment attached to a client"),
        "ledger.money_unassigned_cancel": _("Unattached payment cancelled"),
    }
)
