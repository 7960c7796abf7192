"""What the checkout adds to the staff interface (see `core.ui`): how the audit log names
its actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import audit_actions, audit_fields

audit_actions(
    {
        "checkout.settle": _("Visit paid"),
        "checkout.link_sent": _("Visit payment link sent"),
        "checkout.refunded": _("Visit payment refunded: due again"),
        "checkout.repaid": _("Visit paid again after a refund"),
    }
)
# Amounts the checkout's audit rows record beside the row's own fields (kopecks, read as money).
audit_fields(
    "checkout.checkout",
    {
        "paid": _("Paid"),
        "on_credit": _("Left owing"),
        "to_balance": _("Left on the balance"),
    },
    money=True,
)
