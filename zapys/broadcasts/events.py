"""The message kind of broadcasts: the staff's own text, with the client's name in it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

BROADCAST = "broadcasts.broadcast"

#: What a broadcast's text may use (the editor lists them; anything else stays as typed).
VARIABLES = [
    ("client.first_name", _("Client's first name")),
    ("client.name", _("Client's full name")),
    ("organization.name", _("Organization name")),
]

register_event(
    BROADCAST,
    label=_("Broadcast"),
    # A channel's template also gets the broadcast's own text (its default is just that).
    variables=[*VARIABLES, ("text", _("Broadcast text"))],
    # The text is the broadcast's own; this default only says every channel may carry it.
    defaults={"sms": "{text}", "email": "{text}", "telegram": "{text}", "viber": "{text}"},
    # A broadcast refused by a blocked bot is not re-sent by SMS (messaging.messengers_gone).
    marketing=True,
)
