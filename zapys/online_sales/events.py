"""Messages of online membership sales, declared for the template editor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.messaging.events import register_event

PURCHASED = "online_sales.purchased"

VARIABLES = [
    ("membership", _("Membership")),
    ("valid", _("Validity")),
    ("visits", pgettext_lazy("membership", "Visits")),
    ("amount", _("Amount")),
    ("code", _("Activation code")),
    ("link", _("Purchase page")),
    ("organization.name", _("Business")),
]

_TEXT = _(
    "Thank you for your purchase at {organization.name}!\n"
    "Membership: {membership} ({valid}, {visits}).\n"
    "Paid: {amount}.\n"
    "Your activation code: {code}\n"
    "Tell this code to the staff at your first visit to activate the membership.\n"
    "{link}"
)

#: The SMS keeps what the client needs (the code, what to do with it, the page): within two
#: SMS in Cyrillic (messaging/tests/test_sms_defaults_fit.py); the other channels say all.
_SMS = _(
    "{organization.name}: thank you! Tell code {code} at your first visit to activate it. {link}"
)

register_event(
    PURCHASED,
    label=_("Online membership sale: activation code"),
    variables=VARIABLES,
    defaults={"email": _TEXT, "sms": _SMS, "telegram": _TEXT, "viber": _TEXT},
    subject=_("Your membership and activation code"),
)
