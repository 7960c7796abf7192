"""The message a client gets when a fiscal receipt of theirs is made (the receipt's link)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

RECEIPT_READY = "fiscal.receipt_ready"

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
