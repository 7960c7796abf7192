"""What online payments adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MONEY,
    PAYMENTS,
    NavItem,
    SettingsTab,
    audit_actions,
    audit_values,
    nav_item,
    settings_tab,
)
from zapys.payments.purposes import purpose_label

nav_item(
    NavItem(
        "payments:list", _("Online payments"), "credit-card", MANAGERS, MONEY, 80, group=PAYMENTS
    )
)
settings_tab(SettingsTab("payment_accounts", "payments:accounts", _("Payment services"), order=30))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "payment.create": _("Online payment created"),
        "payment.created": _("Online payment created"),
        "payment.pending": _("Online payment awaiting the client"),
        "payment.succeeded": _("Online payment received"),
        "payment.failed": _("Online payment failed"),
        "payment.expired": _("Online payment expired"),
        "payment.refunded": _("Online payment refunded"),
        "payment.partially_refunded": _("Online payment partly refunded"),
        "payment.refund_requested": _("Refund requested"),
        "payment.held_for_review": _("Online payment held for review"),
        "payment.review_cleared": _("Online payment review finished"),
        "payment_account.create": _("Payment account added"),
        "payment_account.update": _("Payment account changed"),
    }
)

# A payment's purpose is a declared key ("waitlist"): the audit log says its label.
audit_values("payments.payment", "purpose", purpose_label)
