"""What the fiscal app adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MONEY,
    TILL,
    NavItem,
    SettingsTab,
    audit_actions,
    nav_item,
    settings_tab,
)

nav_item(
    NavItem(
        "fiscal:receipts",
        _("Fiscal receipts"),
        "receipt",
        roles=MANAGERS,
        section=MONEY,
        order=75,  # the till's last tab, after the day's sales and the operations
        group=TILL,
    )
)
settings_tab(
    SettingsTab("cash_registers", "fiscal:registers", _("Cash registers (PRRO)"), order=45)
)

# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "cash_register.create": _("Cash register set up"),
        "cash_register.update": _("Cash register changed"),
        "fiscal_receipt.retry": _("Fiscal receipt sent again"),
        "shift.opened": _("Cash register shift opened"),
        "shift.failed": _("Cash register shift failed to open"),
        "shift.closed": _("Cash register shift closed"),
        "shift.close_failed": _("Cash register shift failed to close"),
    }
)
