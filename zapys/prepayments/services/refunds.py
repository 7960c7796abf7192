"""A booking's money goes back through the provider: staff ask for it, and the provider's
refund lands (the ledger's refund and expense; the booking refunded when all of it is).

A cancelled visit's refund (`booking_cancel_refund`, after the cancellation's commit) may
fail at the provider. It is then not only logged: the booking shows "Refund failed" with
the provider's reason, staff are notified, and "Retry refund" (`booking_refund_retry`)
asks again — once at a time (a conditional UPDATE failed → pending), never beyond what the
payment has left to refund (the payments service reserves each refund against it). The
client is told "refunded" only when the provider confirms (`booking_payment_refunded`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.money import Money, format_money
from zapys.core.stored_text import StoredText
from zapys.ledger.money import money_refunded_record
from zapys.messaging.services import message_send, staff_notify
from zapys.payments.services import payment_refund
from zapys.prepayments import events
from zapys.prepayments.models import Booking
from zapys.prepayments.refund_reasons import refund_failure_parse, refund_failure_text
from zapys.prepayments.selectors import booking_branch, message_variables
from zapys.prepayments.services.visit_side import visit_clock_set
from zapys.prepayments.texts import VISIT_NAMED_BY, visit_named

if TYPE_CHECKING:
    from zapys.payments.models import Payment

S = Booking.Status
R = Booking.RefundState
logger = logging.getLogger(__name__)


def booking_payment_refunded(*, payment: Payment, amount: int, actor: Actor) -> None:
    """Money went back through the provider: a ledger CREDIT "refund" and an expense;
    the booking becomes refunded when the whole payment is."""
    organization = payment.organization
    booking = (
        Booking.objects.for_org(organization)
        .select_related(*VISIT_NAMED_BY)
        .filter(pk=payment.purpose_id)
        .first()
    )
    if booking is None:
        return
    comment = StoredText(
        gettext_noop("Prepayment refunded: %(visit)s"),
        visit=visit_named(booking.visit, organization),
    )
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
    _cancel_refund_done(booking, amount, actor)


def _cancel_refund_done(booking: Booking, amount: int, actor: Actor) -> None:
    """A cancelled visit's refund confirmed: the booking says so and, only now, the client
    hears that the money is back on their card (once: the state moves once)."""
    organization = booking.organization
    moved = (
        Booking.objects.for_org(organization)
        .filter(pk=booking.pk, refund_state__in=[R.PENDING, R.FAILED])
        .update(refund_state=R.DONE, refund_error="", refund_error_code="")
    )
    if not moved:
        return
    with override(organization.language or "uk"):
        variables = {
            **message_variables(booking),
            "amount": format_money(amount, booking.currency),
        }
    try:
        message_send(
            organization=organization,
            event=events.REFUND_DONE,
            variables=variables,
            actor=actor,
            client=booking.client,
            channel=booking.channel or None,
            related=booking,
            idempotency_key=f"booking:{booking.pk}:refund-done",
        )
    except DomainError:
        logger.warning("prepayments: refund message for booking %s not queued", booking.pk)


def _refund_failed(booking: Booking, amount: int, code: str, detail: str, actor: Actor) -> None:
    """The provider's code and words are kept (booking and audit); staff read what happened
    and what to do (`refund_failure_text`), not the code."""
    organization = booking.organization
    with transaction.atomic():
        moved = (
            Booking.objects.for_org(organization)
            .filter(pk=booking.pk, refund_state=R.PENDING)
            .update(refund_state=R.FAILED, refund_error=detail[:300], refund_error_code=code[:60])
        )
        if not moved:
            return
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.refund_failed",
            obj=booking,
            changes={"amount": amount, "code": code[:60], "reason": detail[:300]},
        )
        with override(organization.language or "uk"):
            staff_notify(
                organization=organization,
                title=StoredText(gettext_noop("A refund to the card failed")),
                # The provider's reason is worded once, in the organization's language.
                body=StoredText(
                    gettext_noop(
                        "%(client)s: %(amount)s for the cancelled visit was not refunded. "
                        "%(reason)s Open the booking to retry."
                    ),
                    client=booking.client.name,
                    amount=Money(amount, booking.currency),
                    reason=refund_failure_text(code, detail),
                ),
                related=booking,
                url=reverse("prepayments:detail", args=[booking.pk]),
                level="warning",
            )


def _last_refund_id(payment: Payment) -> int:
    """The newest refund request of the payment before this one (0: none), so the failure
    read afterwards is this attempt's own."""
    from zapys.payments.models import PaymentRefund

    last = (
        PaymentRefund.objects.for_org(payment.organization)
        .filter(payment_id=payment.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0


def _failure_of(payment: Payment, after_id: int, exc: DomainError) -> tuple[str, str]:
    """The provider's `(code, detail)` for a refund that did not go through: from the
    failed request the payments service recorded; refused before any request (not paid,
    nothing left to refund) → our own code with the service's words."""
    from zapys.payments.models import PaymentRefund

    failed = (
        PaymentRefund.objects.for_org(payment.organization)
        .filter(payment_id=payment.pk, pk__gt=after_id, status=PaymentRefund.Status.FAILED)
        .order_by("-pk")
        .first()
    )
    if failed is None:
        return ("not_paid" if isinstance(exc, Conflict) else "refund_amount_limit"), exc.detail
    if exc.status == 502:  # the provider did not answer (timeout, 5xx, garbled reply)
        return "no_answer", failed.message
    return refund_failure_parse(payment.account.provider, failed.provider_status, failed.message)


def _refund_amount(booking: Booking) -> int:
    """What is still to go back for the cancellation: the refund decided at cancelling,
    at most what the payment has not yet returned."""
    payment = booking.payment
    if payment is None:
        return 0
    return max(min(booking.cancel_refunded, payment.amount - payment.refunded_amount), 0)


def booking_cancel_refund(*, booking: Booking, actor: Actor) -> bool:
    """Ask the provider for a cancelled visit's refund (outside any transaction: no lock
    over the HTTP call). True when the provider took it; a refusal or no answer marks the
    booking "refund failed" and tells staff why."""
    booking = (
        Booking.objects.for_org(booking.organization)
        .select_related("payment__account", "client", "organization", *VISIT_NAMED_BY)
        .get(pk=booking.pk)
    )
    amount = _refund_amount(booking)
    if amount <= 0:
        _cancel_refund_done(booking, 0, actor)
        return True
    assert booking.payment is not None
    # The payments service keeps the refund's comment as text: the organization's words.
    with override(booking.organization.language or "uk"):
        comment = StoredText(
            gettext_noop("Cancelled visit: %(visit)s"),
            visit=visit_named(booking.visit, booking.organization),
        ).render()
    before = _last_refund_id(booking.payment)
    try:
        payment_refund(payment=booking.payment, actor=actor, amount=amount, comment=comment)
    except DomainError as exc:
        logger.warning("prepayments: refund for booking %s failed: %s", booking.pk, exc.detail)
        code, detail = _failure_of(booking.payment, before, exc)
        _refund_failed(booking, amount, code, detail, actor)
        return False
    return True


def booking_refund_retry(*, booking: Booking, actor: Actor) -> Booking:
    """Staff retry a failed refund. Only a failed one, one retry at a time (409 else):
    two clicks at once make one request to the provider."""
    organization = booking.organization
    with transaction.atomic():
        moved = (
            Booking.objects.for_org(organization)
            .filter(pk=booking.pk, refund_state=R.FAILED)
            .update(refund_state=R.PENDING)
        )
        if moved != 1:
            raise Conflict(_("This refund has not failed, or is being retried already."))
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.refund_retry",
            obj=booking,
            changes={"refund_state": [R.FAILED, R.PENDING]},
        )
    booking_cancel_refund(booking=booking, actor=actor)
    booking.refresh_from_db()
    return booking


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
