"""Messages about invoices (I2, I5, X6 dunning), declared for the template editor with
the seed's tags (I6) and the due date: `{bill.*}` for the invoice the message is about and
`{customer.*}` for the client and all their open invoices."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

INVOICE_LINK = "invoices.invoice_link"
REMINDER = "invoices.reminder"
PAID = "invoices.paid"

#: I6, in the seed's order; the editor lists them (clickable) from this declaration.
TAGS = [
    ("bill.url", _("Invoice link")),
    # what is still due (the whole sum once paid): «Сума рахунку» read wrong next to
    # «1 400,00 грн» for an invoice of 2 400,00 грн with 1 000,00 paid (tour 6, #33)
    ("bill.amount", _("Amount due")),
    ("bill.type", _("Invoice type (what it is for)")),
    ("bill.begin_date", _("Period start")),
    ("bill.end_date", _("Period end")),
    # not the seed's: the one due date the page says «Сплатити до» and reminders count from
    ("bill.due_date", _("Due date")),
    ("bill.amount_url", _("Amount and link")),
    ("bill.amount_subjects_url", _("Amount, services and link")),
    ("customer.first_name", _("Client's first name")),
    ("customer.name", _("Client's full name")),
    ("customer.bills", _("Links to every open invoice of the client")),
    ("customer.bills.amount_url", _("Every open invoice: amount and link")),
    ("customer.bills.amount_subject_url", _("Every open invoice: amount, services and link")),
]

EVENTS = {
    INVOICE_LINK: (
        _("Invoice: payment link"),
        _("{customer.first_name}, please pay {bill.amount} for {bill.type}: {bill.url}"),
    ),
    REMINDER: (
        _("Invoice: payment reminder"),
        # {bill.amount} is what is still due: «рахунок на 1 400,00 грн» was wrong for an
        # invoice of 2 400,00 грн with 1 000,00 paid
        _(
            "{customer.first_name}, a reminder to pay your invoice: {bill.amount}, "
            "due {bill.due_date}: {bill.url}"
        ),
    ),
    PAID: (
        _("Invoice: payment received"),
        _("{customer.first_name}, we received your payment. Thank you!"),
    ),
}

for _code, (_label, _text) in EVENTS.items():
    register_event(
        _code,
        label=_label,
        variables=TAGS,
        defaults={"sms": _text, "email": _text, "telegram": _text, "viber": _text},
        subject=_("Invoice"),
    )


#: The same messages with a text typed on a rule or a reminder (already filled in with the
#: tags above): they go under their own kind, so the message log reads "Invoice: payment
#: reminder", not "Custom message". Not offered in the template editor (the text is the
#: rule's or the reminder's own; audience "typed"), the default only carries the text.
INVOICE_LINK_TYPED = "invoices.invoice_link_typed"
REMINDER_TYPED = "invoices.reminder_typed"
TYPED = {INVOICE_LINK: INVOICE_LINK_TYPED, REMINDER: REMINDER_TYPED}

for _code, _label in (
    (INVOICE_LINK_TYPED, EVENTS[INVOICE_LINK][0]),
    (REMINDER_TYPED, EVENTS[REMINDER][0]),
):
    register_event(
        _code,
        label=_label,
        variables=[("text", _("Message text"))],
        defaults={"sms": "{text}", "email": "{text}", "telegram": "{text}", "viber": "{text}"},
        subject=_("Invoice"),
        audience="typed",
    )
