"""The messages a client gets about a visit (found by messaging like every app's
events.py): «Ви записані…» when it is booked, «Нагадуємо…» before it, «Ваш запис
перенесено…» when it moves to another time or specialist.

The SMS texts stay within two SMS in Cyrillic (134 characters) with typical values: the
client's name «Оксано», «Стрижка жіноча», «завтра о 15:00», an address of 20 characters
and a phone (`tests/test_events.py` measures them). The messengers' and the e-mail's say
who the specialist is too. `{when}` reads «завтра о 15:00» / «сьогодні о 15:00» near the
visit and «7 грудня о 15:00» further away; `{address}` is the branch's address (else the
organization's, else the branch's name) and `{phone}` the branch's phone (else the
organization's). `{was}` (the moved message's) is the previous day and time, said like
`{when}`, or the previous specialist when only the specialist changed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

CONFIRMATION = "visit_messages.confirmation"
REMINDER = "visit_messages.reminder"
MOVED = "visit_messages.moved"

VARIABLES = [
    ("client.name", _("Full name")),
    ("client.first_name", _("First name")),
    ("service", _("Service")),
    ("specialist", _("Specialist")),
    ("when", _("Day and time in words")),
    ("date", _("Date")),
    ("time", _("Time")),
    ("branch", _("Branch")),
    ("address", _("Address")),
    ("phone", _("Phone to call")),
    ("organization.name", _("Organization name")),
]

# The service quoted and the branch named, as the prepayment's texts do (sixth tour, #21).
CONFIRMATION_SMS = _(
    "{client.first_name}, you are booked for {service} {when}, {branch}, {address}. "
    "{organization.name}, {phone}"
)
CONFIRMATION_LONG = _(
    "{client.first_name}, you are booked: {service}, {when}.\n"
    "{specialist} will see you. Address: {address}.\n"
    "If your plans change, please call {phone}.\n"
    "{organization.name}"
)
REMINDER_SMS = _(
    "{client.first_name}, a reminder: {service}, {when}, {address}. Cannot come? Please call {phone}"
)
REMINDER_LONG = _(
    "{client.first_name}, a reminder of your visit: {service}, {when}.\n"
    "{specialist} will see you. Address: {address}.\n"
    "If you cannot come, please call {phone}.\n"
    "{organization.name}"
)

MOVED_SMS = _(
    "{client.first_name}, your visit is moved: {service}, {when} (was {was}). {address}, {phone}"
)
MOVED_LONG = _(
    "{client.first_name}, your visit is moved: {service}, {when} (was {was}).\n"
    "{specialist} will see you. Address: {address}.\n"
    "If the new time does not suit you, please call {phone}.\n"
    "{organization.name}"
)

register_event(
    CONFIRMATION,
    label=_("Booking confirmation"),
    variables=VARIABLES,
    defaults={
        "sms": CONFIRMATION_SMS,
        "telegram": CONFIRMATION_LONG,
        "viber": CONFIRMATION_LONG,
        "email": CONFIRMATION_LONG,
    },
    subject=_("You are booked: {service}, {when}"),
)
register_event(
    REMINDER,
    label=_("Visit reminder"),
    variables=VARIABLES,
    defaults={
        "sms": REMINDER_SMS,
        "telegram": REMINDER_LONG,
        "viber": REMINDER_LONG,
        "email": REMINDER_LONG,
    },
    subject=_("Reminder: {service}, {when}"),
)
register_event(
    MOVED,
    label=_("Visit moved message"),
    variables=[*VARIABLES, ("was", _("Previous day and time (or specialist)"))],
    defaults={
        "sms": MOVED_SMS,
        "telegram": MOVED_LONG,
        "viber": MOVED_LONG,
        "email": MOVED_LONG,
    },
    subject=_("Your visit is moved: {service}, {when}"),
)
