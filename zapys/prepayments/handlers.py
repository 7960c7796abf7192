"""The "prepayment" payment purpose: what happens when a booking's payment moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment


class PrepaymentHandler:
    """Registered with `register_purpose("prepayment", ...)`; runs inside the payment's
    transition, with the payment row locked, once per transition."""

    def on_succeeded(self, payment: Payment, actor: Actor) -> None:
        from zapys.prepayments.services import booking_payment_succeeded

        booking_payment_succeeded(payment=payment, actor=actor)

    def return_url(self, payment: Payment) -> str | None:
        """After paying, the client comes back to the booking's own page (its state and the
        visit details), not to the bare payment page."""
        from zapys.prepayments.models import Booking

        if not str(payment.purpose_id).isdigit():
            return None
        booking = (
            Booking.objects.for_org(payment.organization).filter(pk=payment.purpose_id).first()
        )
        return f"{booking.payment_url}?return=1" if booking is not None else None

    def on_failed(self, payment: Payment, actor: Actor) -> None:
        """A declined card or an expired provider link: the booking keeps its own
        deadline (the client may try again until then), so nothing changes here."""

    def on_refunded(self, payment: Payment, amount: int, actor: Actor) -> None:
        from zapys.prepayments.services import booking_payment_refunded

        booking_payment_refunded(payment=payment, amount=amount, actor=actor)
