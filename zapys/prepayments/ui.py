"""What paid time booking adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MONEY,
    NavItem,
    SettingsTab,
    audit_actions,
    audit_fields,
    nav_item,
    settings_tab,
)

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
        "booking.refund_failed": _("Refund to the card failed"),
        "booking.refund_retry": _("Refund to the card retried"),
        "booking.expired": _("Booking not paid in time"),
        "booking.auto_cancelled": _("Visit cancelled: prepayment not received"),
        "booking.reminded": _("Payment reminder sent"),
        "booking.payment_retry": _("New payment link"),
        "booking.link_resent": _("Payment link sent again"),
        "booking.extended": _("More time to pay given"),
        "booking.terms_accepted": _("Client accepted the terms"),
        "booking_type.create": _("Prepayment type added"),
        "booking_type.update": _("Prepayment type changed"),
        "prepayment_rule.create": _("Prepayment rule added"),
        "prepayment_rule.delete": _("Prepayment rule deleted"),
        "prepayment_settings.update": _("Prepayment settings changed"),
        "prepayment_settings.cancel_status_create": _("Cancellation status created"),
        "prepayment_branch_finance.set": _("Branch payment settings changed"),
        "booking.visit_cancelled": _("Visit with a booking cancelled"),
        "booking.pay_at_desk": _("Payment to be taken at the desk"),
        "cancellation_policy.presets": _("Cancellation policy presets added"),
        "cancellation_policy.create": _("Cancellation policy added"),
        "cancellation_policy.update": _("Cancellation policy changed"),
        "fee.create": _("No-show fee awaiting review"),
        "fee.charge": _("Fee charged"),
        "fee.waive": _("Fee waived"),
    }
)

# What cancelling a paid visit did with the money (kopecks, read as money), and who cancelled.
audit_fields(
    "prepayments.booking",
    {
        "fee": _("Cancellation fee"),
        "kept": _("Kept as the fee"),
        "to_balance": _("Left on the balance"),
        "refunded": _("Refunded to the card"),
    },
    money=True,
)
audit_fields(
    "prepayments.booking",
    {"waived": _("Fee waived")},
)
# A refund the provider declined: its own code, kept for support (pages show the sentence).
audit_fields(
    "prepayments.booking",
    {"code": _("Provider's code")},
)
# A booking type's value is kopecks for a fixed sum and a percent otherwise (of the service's
# price, or of the specialist's hourly rate): "200,00 грн" or "30 %", never a bare number.
audit_fields(
    "prepayments.bookingtype",
    {"value": _("Value")},
    unit_of="rule",
    units={"fixed": "money", "percent": "percent", "hourly": "percent"},
)
audit_fields("prepayments.booking", {"hours": _("Hours added")})
