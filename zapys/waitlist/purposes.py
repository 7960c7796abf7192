"""The "waitlist" way of getting paid: the prepayment for a slot offered from the waiting
list (found by `payments.purposes.purposes_discover`).

On the checkout a declined card may be tried again while the offer is open; no agreement and
no "pay from the balance" (the money is the client's deposit for the offered slot)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from zapys.payments.purposes import Purpose, purpose_declare
from zapys.waitlist.models import Offer
from zapys.waitlist.services import (
    PURPOSE,
    offer_paid,
    offer_payment_retry,
    offer_payment_text,
    offer_refunded,
    offer_unpaid,
)

if TYPE_CHECKING:
    from zapys.payments.models import Payment


def _offer_of(payment: Payment) -> Offer | None:
    return Offer.objects.for_org(payment.organization).filter(pk=payment.purpose_id).first()


def offer_return_url(payment: Payment) -> str | None:
    """After paying, the client comes back to the offer's own page (booked, or taken)."""
    offer = _offer_of(payment)
    return f"{offer.offer_url}?return=1" if offer is not None else None


def offer_describe(payment: Payment) -> str:
    offer = _offer_of(payment)
    return offer_payment_text(offer) if offer is not None else payment.description


WAITLIST_PURPOSE = purpose_declare(
    Purpose(
        key=PURPOSE,
        label=gettext_lazy("Prepayment from the waiting list"),
        on_succeeded=offer_paid,
        on_failed=offer_unpaid,
        on_refunded=offer_refunded,
        return_url=offer_return_url,
        retry=offer_payment_retry,
        describe=offer_describe,
    )
)
