"""The "prepayment" way of getting paid: what happens when a booking's payment moves.

Declared for `payments.purposes` (found by `purposes_discover`); each transition runs inside
the payment's transaction, with the payment row locked, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from zapys.payments.purposes import Purpose, purpose_declare
from zapys.prepayments.models import Booking
from zapys.prepayments.services import (
    PURPOSE,
    booking_payment_refunded,
    booking_payment_succeeded,
)

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment


def prepayment_succeeded(payment: Payment, actor: Actor) -> None:
    booking_payment_succeeded(payment=payment, actor=actor)


def prepayment_failed(payment: Payment, actor: Actor) -> None:
    """A declined card or an expired provider link: the booking keeps its own deadline (the
    client may try again until then), so nothing changes here."""


def prepayment_refunded(payment: Payment, amount: int, actor: Actor) -> None:
    booking_payment_refunded(payment=payment, amount=amount, actor=actor)


def prepayment_return_url(payment: Payment) -> str | None:
    """After paying, the client comes back to the booking's own page (its state and the visit
    details), not to the bare payment page."""
    if not str(payment.purpose_id).isdigit():
        return None
    booking = Booking.objects.for_org(payment.organization).filter(pk=payment.purpose_id).first()
    return f"{booking.payment_url}?return=1" if booking is not None else None


PREPAYMENT = purpose_declare(
    Purpose(
        key=PURPOSE,
        label=gettext_lazy("Prepayment"),
        on_succeeded=prepayment_succeeded,
        on_failed=prepayment_failed,
        on_refunded=prepayment_refunded,
        return_url=prepayment_return_url,
    )
)
