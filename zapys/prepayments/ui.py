"""What paid time booking adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import MONEY, NavItem, SettingsTab, audit_actions, nav_item, settings_tab

nav_item(
    NavItem("prepayments:bookings", _("Prepayments"), "clock-history", section=MONEY, order=40)
)
settings_tab(SettingsTab("prepayment", "prepayments:settings", _("Prepayment"), order=40))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "booking.create": _("Prepayment requested"),
        "booking.paid": _("Booking paid"),
        "booking.paid_from_balance": _("Booking paid from the balance"),
        "booking.cancel": _("Booking cancelled"),
        "booking.restore": _("Booking restored"),
        "booking.refunded": _("Prepayment refunded"),
        "booking.expired": _("Booking not paid in time"),
        "booking.auto_cancelled": _("Visit cancelled: prepayment not received"),
        "booking.reminded": _("Payment reminder sent"),
        "booking.payment_retry": _("New payment link"),
        "booking.terms_accepted": _("Client accepted the terms"),
        "booking_type.create": _("Booking type added"),
        "booking_type.update": _("Booking type changed"),
        "prepayment_rule.create": _("Prepayment rule added"),
        "prepayment_rule.delete": _("Prepayment rule deleted"),
        "prepayment_settings.update": _("Prepayment settings changed"),
        "prepayment_settings.cancel_status_create": _("Cancellation status created"),
        "prepayment_branch_finance.set": _("Branch payment settings changed"),
    }
)
