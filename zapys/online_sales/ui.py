"""What online membership sales add to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MONEY,
    NavItem,
    SettingsTab,
    audit_actions,
    nav_item,
    settings_tab,
)

nav_item(
    NavItem("online_sales:sales", _("Online sales"), "bag-check", MANAGERS, section=MONEY, order=45)
)
settings_tab(SettingsTab("online_sales", "online_sales:settings", _("Online sales"), order=45))

# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "online_sales.settings_update": _("Online sales settings changed"),
        "online_sales.plan_update": _("Online sale of a plan changed"),
        "online_sale.start": _("Online purchase started"),
        "online_sale.paid": _("Online purchase paid"),
        "online_sale.attach": _("Online purchase attached to a client"),
        "online_sale.refunded": _("Online purchase refunded"),
    }
)
