"""Messages the waiting list sends to clients (found by messaging like every app's events.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

OFFER = "waitlist.offer"
SLOT_TAKEN = "waitlist.slot_taken"
BOOKED = "waitlist.booked"
#: An unpaid offer closed because another client booked its time (no money to mention).
OFFER_LOST = "waitlist.offer_lost"

VARIABLES = [
    ("client.name", _("Full name")),
    ("client.first_name", _("First name")),
    ("service", _("Service")),
    ("specialist", _("Specialist")),
    ("date", _("Date")),
    ("time", _("Time")),
    ("amount", _("Amount")),
    ("link", _("Offer link")),
    ("deadline", _("Pay by")),
    ("branch", _("Branch")),
]

# The two "time taken" messages read apart by what the client did: paid (the money is on
# their balance) or not yet (the offer simply closed). Labelled alike, administrators could
# not tell which one a client had been sent.
EVENTS = {
    OFFER: (
        _("Waiting list: a time is free"),
        _(
            "{client.first_name}, a time is free: {service} on {date} at {time}. "
            "It is yours if you prepay {amount} by {deadline}: {link}"
        ),
    ),
    SLOT_TAKEN: (
        _("Waiting list: paid, but the time was already taken (money on the balance)"),
        _(
            "{client.first_name}, sorry: {service} on {date} at {time} was taken a moment "
            "before your payment. Your {amount} is on your balance; you stay on the waiting list."
        ),
    ),
    OFFER_LOST: (
        _("Waiting list: offer closed before payment, another client booked the time"),
        _(
            "{client.first_name}, sorry: {service} on {date} at {time} has just been booked "
            "by another client, so the offer is closed. You stay on the waiting list; we will "
            "write when another time is free."
        ),
    ),
    BOOKED: (
        _("Waiting list: booked"),
        _(
            "{client.first_name}, we received {amount}: {service} on {date} at {time} is "
            "yours. See you at {branch}!"
        ),
    ),
}

# The SMS says the same in fewer words: within two SMS in Cyrillic (134 characters) with
# typical values (messaging/tests/test_sms_defaults_fit.py); the other channels keep the
# whole text.
SMS_TEXTS = {
    OFFER: _(
        "{client.first_name}, a time is free: {service}, {date} at {time}. "
        "Prepay {amount} by {deadline}: {link}"
    ),
    SLOT_TAKEN: _(
        "{client.first_name}, sorry: {service}, {date} at {time} was taken first. "
        "{amount} is on your balance; you stay on the list."
    ),
    OFFER_LOST: _(
        "{client.first_name}, sorry: {service}, {date} at {time} has been booked by another "
        "client. You stay on the waiting list."
    ),
}

for _code, (_label, _text) in EVENTS.items():
    register_event(
        _code,
        label=_label,
        variables=VARIABLES,
        defaults={
            "sms": SMS_TEXTS.get(_code, _text),
            "email": _text,
            "telegram": _text,
            "viber": _text,
        },
        subject=_("Waiting list"),
    )
