"""Staff decide a booking's end: cancel it (the link dies; paid money stays on the balance
or goes back), or restore one whose money came after the deadline. The unattended
expiry and auto-cancel are the sweep's (`prepayments/sweeps.py`)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict
from zapys.payments.locks import locked_with_payment
from zapys.payments.services import payment_expire, payment_refund
from zapys.prepayments.models import Booking
from zapys.prepayments.services.prepayment_settings import prepayment_settings_get
from zapys.prepayments.services.visit_side import visit_clock_set, visit_locked
from zapys.schedule.services import visit_status_default, visit_status_set

S = Booking.Status


def booking_cancellable(booking: Booking, now: datetime | None = None) -> bool:
    """Staff may cancel a booking while its link is open, or a paid one before its visit:
    once the visit has started or was marked a no-show, the prepayment belongs to the visit
    (paid towards it, or a no-show fee taken from it) and there is nothing to cancel."""
    if booking.status in (S.PENDING, S.EXPIRED):
        return True
    if booking.status != S.PAID:
        return False
    visit = booking.visit
    return not visit.status.is_no_show and visit.starts_at > (now or timezone.now())


def booking_cancel(*, booking: Booking, actor: Actor, refund: bool = False) -> Booking:
    """Staff cancel a booking. Pending: the link dies. Paid: the prepayment stays on
    the client's balance, or (refund=True) goes back through the provider."""

    organization = booking.organization
    now = timezone.now()
    with transaction.atomic():
        # The booking's payment first, then the booking (payments/locks.py: its link's
        # callback locks them in that order; the link is closed below), the row as it is
        # now: the caller's copy may predate a payment that arrived meanwhile (a callback),
        # and what happens to the money follows the row's status.
        booking = locked_with_payment(Booking, booking, related=("visit__status", "payment"))
        before = booking.status
        if not booking_cancellable(booking, now):
            raise Conflict(
                _("The visit has already taken place: its prepayment cannot be cancelled.")
            )
        # What happens to paid money, recorded as a visit's cancellation records it, so the
        # cancellations report counts this booking and says where its money went.
        to_card = (
            before == S.PAID
            and refund
            and bool(booking.payment_id)
            and not booking.paid_from_balance
        )
        held = booking.amount if before == S.PAID else 0
        moved = (
            Booking.objects.for_org(organization)
            .filter(pk=booking.pk, status__in=[S.PENDING, S.PAID, S.EXPIRED])
            .update(
                status=S.CANCELLED,
                cancelled_at=now,
                cancelled_by=Booking.CancelledBy.STAFF,
                cancel_to_balance=0 if to_card else held,
                cancel_refunded=held if to_card else 0,
            )
        )
        if moved != 1:
            raise Conflict(_("This booking cannot be cancelled any more."))
        booking.refresh_from_db()
        if before == S.PENDING and booking.payment_id:
            assert booking.payment is not None
            payment_expire(payment=booking.payment, actor=actor)
        visit_clock_set(booking.visit, "", actor)
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.cancel",
            obj=booking,
            changes={"status": [before, S.CANCELLED], "refund": refund},
        )
    if to_card:
        assert booking.payment is not None
        payment_refund(payment=booking.payment, actor=actor)
        booking.refresh_from_db()
    return booking


def booking_restore(*, booking: Booking, actor: Actor, now: datetime | None = None) -> Booking:
    """One click for late money: put the visit back (if its time is still free) and count
    the booking as paid. The visit's time is checked by the schedule service (409)."""

    now = now or timezone.now()
    organization = booking.organization
    visit = booking.visit  # the caller's, with what it loaded (locked below)
    with transaction.atomic():
        # The booking's payment, then the booking, then the visit (payments/locks.py): a
        # staff cancel of the same booking or its visit takes them in that order; the visit
        # first, as this took it, could wait for the booking another path held while it
        # waited for the visit. Decided on the locked row.
        booking = locked_with_payment(Booking, booking)
        if not booking.paid_late or booking.status not in (S.EXPIRED, S.CANCELLED):
            raise Conflict(_("Only a booking paid after its deadline can be restored."))
        settings = prepayment_settings_get(organization)
        visit = visit_locked(visit)
        if not visit.blocks_time:
            target = settings.status_after_payment or visit_status_default(organization)
            visit_status_set(visit=visit, status=target, actor=Actor.system("prepayments"), now=now)
        try:
            with transaction.atomic():
                moved = (
                    Booking.objects.for_org(organization)
                    .filter(pk=booking.pk, status__in=[S.EXPIRED, S.CANCELLED])
                    .update(status=S.PAID, late_resolution=Booking.LateResolution.RESTORED)
                )
        except IntegrityError as exc:
            raise Conflict(_("The visit already has an active booking.")) from exc
        if moved != 1:
            raise Conflict(_("The booking changed meanwhile; reload the page."))
        booking.refresh_from_db()
        visit_clock_set(visit, "paid", actor)
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.restore",
            obj=booking,
            changes={"status": [None, S.PAID]},
        )
    return booking
