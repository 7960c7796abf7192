"""A booking's money goes back through the provider: staff ask for it, and the provider's
refund lands (the ledger's refund and expense; the booking refunded when all of it is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict
from zapys.ledger.money import money_refunded_record
from zapys.payments.services import payment_refund
from zapys.prepayments.models import Booking
from zapys.prepayments.selectors import booking_branch
from zapys.prepayments.services.visit_side import visit_clock_set

if TYPE_CHECKING:
    from zapys.payments.models import Payment

S = Booking.Status


def booking_payment_refunded(*, payment: Payment, amount: int, actor: Actor) -> None:
    """Money went back through the provider: a ledger CREDIT "refund" and an expense;
    the booking becomes refunded when the whole payment is."""
    organization = payment.organization
    booking = Booking.objects.for_org(organization).filter(pk=payment.purpose_id).first()
    if booking is None:
        return
    comment = _("Refund of prepayment, booking #%(b)s, payment #%(p)s") % {
        "b": booking.pk,
        "p": payment.pk,
    }
    money_refunded_record(
        client=booking.client,
        amount=amount,
        actor=actor,
        cause=booking,
        comment=comment,
        branch=booking_branch(booking),
    )
    if payment.status == "refunded" and booking.payment_id == payment.pk:
        now = timezone.now()
        moved = (
            Booking.objects.for_org(organization)
            .filter(pk=booking.pk, status__in=[S.PAID, S.EXPIRED, S.CANCELLED])
            .update(status=S.REFUNDED, refunded_at=now)
        )
        if moved and booking.late_resolution == "":
            Booking.objects.for_org(organization).filter(pk=booking.pk).update(
                late_resolution=Booking.LateResolution.REFUNDED if booking.paid_late else ""
            )
        if moved and booking.status == S.PAID:
            visit_clock_set(booking.visit, "", actor)
    audit_record(
        organization=organization,
        actor=actor,
        action="booking.refunded",
        obj=booking,
        changes={"amount": amount, "payment_id": payment.pk},
    )


def booking_refund(*, booking: Booking, actor: Actor) -> Booking:
    """Refund the booking's paid payment through the provider (late money or a cancel)."""

    if booking.payment_id is None or booking.paid_from_balance:
        raise Conflict(_("This booking has no online payment to refund."))
    if booking.status not in (S.PAID, S.EXPIRED, S.CANCELLED) or booking.paid_at is None:
        raise Conflict(_("Only a paid booking can be refunded."))
    assert booking.payment is not None
    payment_refund(payment=booking.payment, actor=actor)
    booking.refresh_from_db()
    return booking
