"""Messages the prepayment app sends to clients (B5), declared for the template editor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

BOOKING_LINK = "prepayments.booking_link"
PAYMENT_RECEIVED = "prepayments.payment_received"
LINK_EXPIRED = "prepayments.link_expired"
VISIT_CANCELLED = "prepayments.visit_cancelled"
REMINDER = "prepayments.reminder"
VISIT_CANCELLED_MONEY = "prepayments.visit_cancelled_money"
FEE_CHARGED = "prepayments.fee_charged"
REFUND_DONE = "prepayments.refund_done"

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
    ("policy", _("Cancellation policy")),
    ("cancel_link", _("Link to cancel the visit")),
    ("fee", _("Cancellation fee")),
    ("money", _("What happened to the prepayment")),
]

EVENTS = {
    BOOKING_LINK: (
        _("Prepayment: payment link"),
        _("{client.first_name}, please prepay {amount} for {service} on {date} at {time}: {link}"),
    ),
    PAYMENT_RECEIVED: (
        _("Prepayment: payment received"),
        _(
            "{client.first_name}, we received {amount}. See you on {date} at {time}, {branch}. "
            "{policy} To cancel: {cancel_link}"
        ),
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
            "{client.first_name}, your visit ({service} on {date} at {time}) is cancelled: "
            "the prepayment was not received."
        ),
    ),
    VISIT_CANCELLED_MONEY: (
        _("Prepayment: a paid visit cancelled"),
        _("{client.first_name}, your visit ({service} on {date} at {time}) is cancelled. {money}"),
    ),
    FEE_CHARGED: (
        _("Prepayment: a no-show fee charged"),
        _(
            "{client.first_name}, you did not come to {service} on {date} at {time}: "
            "a fee of {fee} was charged by the cancellation policy."
        ),
    ),
    REFUND_DONE: (
        _("Prepayment: refunded to the card"),
        _(
            "{client.first_name}, {amount} for the cancelled visit ({service} on {date} at {time}) "
            "is refunded to your card."
        ),
    ),
    REMINDER: (
        _("Prepayment: reminder before the deadline"),
        _("{client.first_name}, the link to prepay {amount} for {service} expires soon: {link}"),
    ),
}

#: Shorter SMS texts where the full one takes more than two SMS (a part is 67 Cyrillic
#: characters once a text is split): the payment confirmation's SMS leaves the cancellation
#: policy to the cancel link's page (with the policy it was ~400 characters, six SMS); the
#: link's SMS drops «будь ласка». Messengers and e-mail keep the full text.
SMS_TEXTS = {
    BOOKING_LINK: _(
        "{client.first_name}, prepay {amount} for {service} on {date} at {time}: {link}"
    ),
    PAYMENT_RECEIVED: _(
        "{client.first_name}, {amount} received. See you on {date} at {time}, {branch}. "
        "To cancel: {cancel_link}"
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
        subject=_("Prepayment"),
    )
