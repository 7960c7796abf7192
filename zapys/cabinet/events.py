"""Messages the cabinet sends to clients (found by messaging like every app's events.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

CABINET_LINK_EVENT = "cabinet.link"

register_event(
    CABINET_LINK_EVENT,
    label=_("Link to the client's page"),
    variables=[
        ("client.first_name", _("Client's first name")),
        ("client.name", _("Client's full name")),
        ("cabinet_url", _("Link to the client's page")),
        ("organization.name", _("Business name")),
    ],
    defaults={
        "sms": _(
            "{client.first_name}, your balance, visits and payments with {organization.name}: "
            "{cabinet_url}"
        ),
        "email": _(
            "{client.first_name}, here is your page with {organization.name}: your balance, "
            "visits, memberships and what is left to pay, and a top-up. {cabinet_url}"
        ),
    },
    subject=_("Your page"),
)
