"""The "prepayment" way of getting paid: what happens when a booking's payment moves, and
what the checkout offers for it.

Declared for `payments.purposes` (found by `purposes_discover`); each transition runs inside
the payment's transaction, with the payment row locked, once. On the checkout (the booking's
page `/p/<token>/`, and the bare payment page of the same payment) a prepayment asks for the
agreement when the organization requires one (X4: accepted once per booking, recorded on the
booking, so a retried card does not ask again), may be covered from the balance (X5) and may
be retried after a declined card until the booking's deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from zapys.core.exceptions import NotFound
from zapys.payments.purposes import Acceptance, Agreement, Purpose, purpose_declare
from zapys.prepayments.models import Booking
from zapys.prepayments.services import (
    PURPOSE,
    booking_accept_terms,
    booking_pay_from_balance,
    booking_payment_refunded,
    booking_payment_retry,
    booking_payment_succeeded,
    prepayment_settings_get,
)

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment


def _booking_of(payment: Payment) -> Booking | None:
    if payment.purpose_type != "prepayments.booking" or not str(payment.purpose_id).isdigit():
        return None
    return Booking.objects.for_org(payment.organization).filter(pk=payment.purpose_id).first()


def _booking_or_error(payment: Payment) -> Booking:
    booking = _booking_of(payment)
    if booking is None:
        raise NotFound(_("This booking no longer exists. Please contact us."))
    return booking


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
    booking = _booking_of(payment)
    return f"{booking.payment_url}?return=1" if booking is not None else None


def prepayment_agreement(payment: Payment) -> Agreement | None:
    """The terms frozen into the booking when it was made (the current text only for a
    booking made before there was one), when the organization asks for acceptance — in
    the page's language (active while the checkout renders)."""
    booking = _booking_of(payment)
    if booking is None:
        return None
    settings = prepayment_settings_get(payment.organization)
    if not settings.agreement_enabled:
        return None
    language = get_language()
    text = booking.agreement_snapshot_text(language) or settings.text("agreement_text", language)
    return Agreement(text=text, accepted=booking.accepted_at is not None)


def prepayment_agreement_accept(payment: Payment, acceptance: Acceptance) -> None:
    # The page's language is active while its form is submitted: the text the client read.
    booking_accept_terms(
        booking=_booking_or_error(payment),
        ip=acceptance.ip,
        user_agent=acceptance.user_agent,
        language=get_language() or "",
    )


def prepayment_pay_from_balance(payment: Payment, actor: Actor) -> None:
    booking_pay_from_balance(booking=_booking_or_error(payment), actor=actor)


def prepayment_retry(payment: Payment, actor: Actor) -> Payment:
    """A new attempt for the booking; asked from an old attempt's page, the booking's
    current attempt (the booking keeps one)."""
    booking = booking_payment_retry(booking=_booking_or_error(payment), actor=actor)
    assert booking.payment is not None  # booking_payment_retry leaves one
    return booking.payment


def prepayment_describe(payment: Payment) -> str:
    booking = _booking_of(payment)
    if booking is None or booking.visit is None:
        return payment.description
    return _("Prepayment: %(what)s") % {"what": booking.visit.title}


PREPAYMENT = purpose_declare(
    Purpose(
        key=PURPOSE,
        label=gettext_lazy("Prepayment"),
        on_succeeded=prepayment_succeeded,
        on_failed=prepayment_failed,
        on_refunded=prepayment_refunded,
        return_url=prepayment_return_url,
        agreement=prepayment_agreement,
        agreement_accept=prepayment_agreement_accept,
        pay_from_balance=prepayment_pay_from_balance,
        retry=prepayment_retry,
        describe=prepayment_describe,
    )
)
