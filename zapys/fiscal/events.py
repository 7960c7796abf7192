"""The message a client gets when a fiscal receipt of theirs is made (the receipt's link)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

RECEIPT_READY = "fiscal.receipt_ready"
# A refund's return receipt: its own words, so "your receipt for 100,00" does not read as
# another payment.
RETURN_RECEIPT_READY = "fiscal.return_receipt_ready"

_TEXT = _("{client.first_name}, your receipt for {amount}: {link}")

register_event(
    RECEIPT_READY,
    label=_("Fiscal receipt: link to the receipt"),
    variables=[
        ("client.name", _("Full name")),
        ("client.first_name", _("First name")),
        ("amount", _("Amount")),
        ("link", _("Receipt link")),
        ("fiscal_code", _("Fiscal code")),
    ],
    defaults={"sms": _TEXT, "email": _TEXT, "telegram": _TEXT, "viber": _TEXT},
    subject=_("Your receipt"),
)

_RETURN_TEXT = _("{client.first_name}, the receipt for the refund of {amount}: {link}")

register_event(
    RETURN_RECEIPT_READY,
    label=_("Fiscal receipt: link to a refund's return receipt"),
    variables=[
        ("client.name", _("Full name")),
        ("client.first_name", _("First name")),
        ("amount", _("Amount")),
        ("link", _("Receipt link")),
        ("fiscal_code", _("Fiscal code")),
    ],
    defaults={
        "sms": _RETURN_TEXT,
        "email": _RETURN_TEXT,
        "telegram": _RETURN_TEXT,
        "viber": _RETURN_TEXT,
    },
    subject=_("Your refund receipt"),
)
