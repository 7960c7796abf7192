"""Messages the top-up app sends to clients (found by messaging like every app's events.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

#: The key predates the top-up app ("payment." prefix): organizations' templates and channel
#: settings are stored under it, so it stays.
TOP_UP_RECEIVED_EVENT = "payment.top_up_received"

register_event(
    TOP_UP_RECEIVED_EVENT,
    label=_("Balance top-up received"),
    variables=[
        ("client.first_name", _("Client's first name")),
        ("client.name", _("Client's full name")),
        ("amount", _("Amount")),
        ("organization.name", _("Business name")),
    ],
    defaults={
        "sms": _("{client.first_name}, we received your top-up of {amount}. {organization.name}"),
        "email": _(
            "{client.first_name}, thank you! Your balance with {organization.name} "
            "was topped up by {amount}."
        ),
    },
    subject=_("Top-up received"),
)
