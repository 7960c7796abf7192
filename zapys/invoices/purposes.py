"""The "invoice" way of getting paid (I3, X5, X6): what happens when an invoice's payment
moves, and what the shared checkout offers for it.

Declared for `payments.purposes`; each transition runs inside the payment's transaction,
with the payment row locked, once (and `InvoicePayment`'s UNIQUE payment makes a replay
count nothing even if it were called again). On the checkout an invoice may be covered from
the client's balance (X5) and asks for no agreement (the offer link is on the invoice page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.core.exceptions import NotFound
from zapys.invoices.models import Invoice
from zapys.invoices.services import (
    PURPOSE,
    invoice_pay_from_balance,
    invoice_payment_refunded,
    invoice_payment_succeeded,
)
from zapys.payments.purposes import Purpose, purpose_declare

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment


def _invoice_of(payment: Payment) -> Invoice | None:
    if payment.purpose_type != "invoices.invoice" or not str(payment.purpose_id).isdigit():
        return None
    return Invoice.objects.for_org(payment.organization).filter(pk=payment.purpose_id).first()


def invoice_describe(payment: Payment) -> str:
    invoice = _invoice_of(payment)
    if invoice is None:
        return payment.description
    return _("Invoice %(number)s") % {"number": invoice.number}


def invoice_succeeded(payment: Payment, actor: Actor) -> None:
    invoice_payment_succeeded(payment=payment, actor=actor)


def invoice_failed(payment: Payment, actor: Actor) -> None:
    """A declined card or an expired attempt: the invoice keeps its own window, and its page
    starts a new attempt when the client tries again."""


def invoice_refunded(payment: Payment, amount: int, actor: Actor) -> None:
    invoice_payment_refunded(payment=payment, amount=amount, actor=actor)


def invoice_return_url(payment: Payment) -> str | None:
    """After paying, the client comes back to the invoice's own page."""
    invoice = _invoice_of(payment)
    return f"{invoice.url}?return=1" if invoice is not None else None


def invoice_balance(payment: Payment, actor: Actor) -> None:
    invoice = _invoice_of(payment)
    if invoice is None:
        raise NotFound(_("This invoice no longer exists. Please contact us."))
    invoice_pay_from_balance(invoice=invoice, actor=actor)


INVOICE = purpose_declare(
    Purpose(
        key=PURPOSE,
        label=gettext_lazy("Invoice payment"),
        on_succeeded=invoice_succeeded,
        on_failed=invoice_failed,
        on_refunded=invoice_refunded,
        return_url=invoice_return_url,
        pay_from_balance=invoice_balance,
        describe=invoice_describe,
    )
)
