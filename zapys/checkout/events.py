"""Messages the checkout sends to clients (found by messaging like every app's events.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

#: The online payment link staff send from the visit card.
PAYMENT_LINK_EVENT = "checkout.payment_link"

register_event(
    PAYMENT_LINK_EVENT,
    label=_("Payment link for a visit"),
    variables=[
        ("client.first_name", _("Client's first name")),
        ("client.name", _("Client's full name")),
        ("service", _("Service")),
        ("amount", _("Amount")),
        ("link", _("Payment link")),
        ("organization.name", _("Business name")),
    ],
    defaults={
        "sms": _("{client.first_name}, pay {amount} for {service}: {link} {organization.name}"),
        "email": _(
            "{client.first_name}, thank you for your visit to {organization.name}. "
            "Pay {amount} for {service} here: {link}"
        ),
    },
    subject=_("Payment for your visit"),
)
