"""Messages the payments app sends to clients (imported when messaging is ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event
from zapys.payments.topups import TOP_UP_RECEIVED_EVENT

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
