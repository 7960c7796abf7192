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

#: The first words of the broadcast, for the e-mail's subject (`selectors.subject_start`).
TEXT_START = "text_start"

#: An e-mail's subject says who writes and what about, as a newsletter's does in an inbox:
#: «Студія краси «Зоряна»: Знижка 20% на манікюр до неділі…». It was the event's name,
#: «Розсилка», which tells a client nothing; «Новини від …» would need the name declined.
SUBJECT = "{organization.name}: {" + TEXT_START + "}"

register_event(
    BROADCAST,
    label=_("Broadcast"),
    # A channel's template also gets the broadcast's own text (its default is just that).
    variables=[
        *VARIABLES,
        ("text", _("Broadcast text")),
        (TEXT_START, _("First words of the broadcast")),
    ],
    # The text is the broadcast's own; this default only says every channel may carry it.
    defaults={"sms": "{text}", "email": "{text}", "telegram": "{text}", "viber": "{text}"},
    subject=SUBJECT,
    # A broadcast refused by a blocked bot is not re-sent by SMS (messaging.messengers_gone).
    marketing=True,
)
