"""Messages the prepayment app sends to clients (B5), declared for the template editor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

BOOKING_LINK = "prepayments.booking_link"
PAYMENT_RECEIVED = "prepayments.payment_received"
LINK_EXPIRED = "prepayments.link_expired"
VISIT_CANCELLED = "prepayments.visit_cancelled"
REMINDER = "prepayments.reminder"

VARIABLES = [
    ("client.name", _("Full name")),
    ("client.first_name", _("First name")),
    ("service", _("Service")),
    ("specialist", _("Specialist")),
    ("date", _("Date")),
    ("time", _("Time")),
    ("amount", _("Amount")),
    ("link", _("Payment link")),
    ("branch", _("Branch")),
]

EVENTS = {
    BOOKING_LINK: (
        _("Prepayment: payment link"),
        _("{client.first_name}, please prepay {amount} for {service} on {date} at {time}: {link}"),
    ),
    PAYMENT_RECEIVED: (
        _("Prepayment: payment received"),
        _("{client.first_name}, we received {amount}. See you on {date} at {time}, {branch}."),
    ),
    LINK_EXPIRED: (
        _("Prepayment: link expired"),
        _(
            "{client.first_name}, the prepayment for {service} on {date} at {time} was not "
            "received in time."
        ),
    ),
    VISIT_CANCELLED: (
        _("Prepayment: visit cancelled"),
        _(
            "{client.first_name}, your visit ({service}, {date} {time}) is cancelled: "
            "the prepayment was not received."
        ),
    ),
    REMINDER: (
        _("Prepayment: reminder before the deadline"),
        _("{client.first_name}, the link to prepay {amount} for {service} expires soon: {link}"),
    ),
}

for _code, (_label, _text) in EVENTS.items():
    register_event(
        _code,
        label=_label,
        variables=VARIABLES,
        defaults={"sms": _text, "email": _text, "telegram": _text, "viber": _text},
        subject=_("Prepayment"),
    )
