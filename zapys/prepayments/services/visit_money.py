"""A visit that holds money is cancelled or not attended (V2, X3).

The schedule calls `visit_status_changed` (registered in `schedule_hooks.py`) inside the
transaction that moved the visit, whoever moved it: staff on the calendar or the API, the
client from the link in a message (`Actor.client_link`). So the policy applies once, and a
failure here (a waiver without a reason) undoes the cancellation too.

- cancelled, the booking unpaid: the booking is cancelled, its link dies;
- cancelled, the booking paid: the policy's fee (outside the free window, unless the client
  has an exempt tag or staff waive it with a reason) is charged to the balance the prepayment
  sits on, the rest stays there or goes back to the card through the provider (after the
  commit: no lock is held over the provider's HTTP call), the client is told;
- marked a no-show: a pending fee, charged by `fees_charge_due` after the review window
  unless waived (`fee_waive`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.money import format_money
from zapys.core.text import clean_line
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry
from zapys.messaging.services import message_send
from zapys.payments.locks import locked_with_payment
from zapys.payments.services import payment_expire
from zapys.prepayments import events
from zapys.prepayments.models import Booking, CancellationPolicy, Fee
from zapys.prepayments.selectors import (
    cancel_terms,
    message_variables,
    no_show_fee_amount,
    policy_for_visit,
    policy_snapshot,
)
from zapys.prepayments.services.fees import fee_entry_create
from zapys.prepayments.services.refunds import booking_cancel_refund
from zapys.prepayments.services.visit_side import visit_clock_set
from zapys.schedule.models import Visit, VisitStatus

logger = logging.getLogger(__name__)
S = Booking.Status


def _reason(options: dict[str, Any]) -> str:
    return clean_line(str(options.get("reason") or ""))[:300]


def _live_booking(visit: Visit) -> Booking | None:
    return (
        Booking.objects.for_org(visit.organization)
        # Only the booking's row: PostgreSQL cannot lock the nullable side of the joins.
        .select_for_update(of=("self",))
        .select_related("booking_type", "booking_type__cancellation_policy", "payment")
        .filter(visit=visit, status__in=[S.PENDING, S.PAID, S.EXPIRED])
        .order_by("-id")
        .first()
    )


def _charge(fee: Fee, actor: Actor, now: datetime) -> None:
    """The fee as a charge on the client's balance (where the prepayment sits)."""
    entry = fee_entry_create(fee, actor)
    fee.state, fee.charged_at, fee.entry_id_charged = Fee.State.CHARGED, now, entry.pk
    fee.save(update_fields=["state", "charged_at", "entry_id_charged"])


def _money_text(fee: int, kept: int, to_balance: int, refunded: int, currency: str) -> str:
    parts = []
    if kept:
        parts.append(
            _("By the cancellation policy %(fee)s of the prepayment is kept as a fee.")
            % {"fee": format_money(kept, currency)}
        )
    elif fee == 0:
        parts.append(_("No fee."))
    if to_balance:
        parts.append(
            _("%(amount)s stays on your balance for the next visit.")
            % {"amount": format_money(to_balance, currency)}
        )
    if refunded:
        # Not "refunded" yet: the provider confirms later, and then the client is told.
        parts.append(
            _("%(amount)s will be returned to your card; we will write when it is done.")
            % {"amount": format_money(refunded, currency)}
        )
    return " ".join(parts)


def _cancel_paid(
    visit: Visit, booking: Booking, actor: Actor, now: datetime, options: dict[str, Any]
) -> dict[str, Any]:
    organization = visit.organization
    terms = cancel_terms(visit, booking, now)
    by = Booking.CancelledBy.CLIENT if actor.kind == "client_link" else options.get("by") or "staff"
    waive = bool(options.get("waive_fee")) and by != Booking.CancelledBy.CLIENT
    reason = _reason(options)
    if waive and terms.fee and not reason:
        raise DomainError(_("Say why the fee is waived."), field="reason")
    fee = None
    if terms.fee:
        fee = Fee.objects.create(
            organization=organization,
            visit=visit,
            booking=booking,
            client=booking.client,
            policy=terms.policy,
            kind=Fee.Kind.LATE_CANCEL,
            amount=terms.fee,
            currency=booking.currency,
            policy_snapshot=policy_snapshot(terms.policy),
        )
        if waive:
            fee.state, fee.waived_at, fee.waive_reason = Fee.State.WAIVED, now, reason
            fee.save(update_fields=["state", "waived_at", "waive_reason"])
        else:
            _charge(fee, actor, now)
    kept = terms.kept if fee is not None and fee.state == Fee.State.CHARGED else 0
    rest = terms.held - kept
    rest_to = terms.rest_to
    if rest_to == CancellationPolicy.Rest.STAFF:
        rest_to = options.get("rest") or CancellationPolicy.Rest.BALANCE
        if by == Booking.CancelledBy.CLIENT:
            rest_to = CancellationPolicy.Rest.BALANCE  # the staff's choice, later
    refunded = rest if rest_to == CancellationPolicy.Rest.REFUND and terms.can_refund else 0
    to_balance = rest - refunded
    Booking.objects.for_org(organization).filter(pk=booking.pk).update(
        status=S.CANCELLED,
        cancelled_at=now,
        cancelled_by=by,
        cancel_kept=kept,
        cancel_to_balance=to_balance,
        cancel_refunded=refunded,
    )
    booking.refresh_from_db()
    visit_clock_set(visit, "", actor)
    audit_record(
        organization=organization,
        actor=actor,
        action="booking.visit_cancelled",
        obj=booking,
        changes={
            "status": [S.PAID, S.CANCELLED],
            "cancelled_by": by,  # the booking's field: the audit log reads its choice
            "fee": terms.fee,
            "waived": bool(waive and terms.fee),
            "reason": reason,
            "kept": kept,
            "to_balance": to_balance,
            "refunded": refunded,
        },
    )
    if refunded:
        Booking.objects.for_org(organization).filter(pk=booking.pk).update(
            refund_state=Booking.RefundState.PENDING
        )
        # After the commit (no lock over the provider's HTTP call); a failure is shown on
        # the booking with "Retry refund" and notified to staff (services/refunds.py).
        transaction.on_commit(lambda: booking_cancel_refund(booking=booking, actor=actor))
    with override(organization.language or "uk"):
        money = _money_text(
            terms.fee if not waive else 0, kept, to_balance, refunded, booking.currency
        )
    variables = {**message_variables(booking), "money": money}
    _send(booking, events.VISIT_CANCELLED_MONEY, "cancelled-money", variables, actor)
    return {
        "cancellation": {
            "fee": terms.fee,
            "fee_id": fee.pk if fee is not None else None,
            "fee_state": fee.state if fee is not None else None,
            "kept": kept,
            "to_balance": to_balance,
            "refunded": refunded,
            "inside_window": terms.inside_window,
            "by": by,
            "policy_snapshot": booking.terms_snapshot.get("policy")
            or policy_snapshot(terms.policy),
        }
    }


def _send(
    booking: Booking, event: str, suffix: str, variables: dict[str, Any], actor: Actor
) -> None:
    try:
        message_send(
            organization=booking.organization,
            event=event,
            variables=variables,
            actor=actor,
            client=booking.client,
            channel=booking.channel or None,
            related=booking,
            idempotency_key=f"booking:{booking.pk}:{suffix}",
        )
    except DomainError:
        logger.warning("prepayments: %s for booking %s could not be queued", event, booking.pk)


def _cancel_unpaid(visit: Visit, booking: Booking, actor: Actor, now: datetime) -> None:
    before = booking.status
    Booking.objects.for_org(visit.organization).filter(pk=booking.pk, status=before).update(
        status=S.CANCELLED,
        cancelled_at=now,
        cancelled_by=(
            Booking.CancelledBy.CLIENT if actor.kind == "client_link" else Booking.CancelledBy.STAFF
        ),
    )
    if before == S.PENDING and booking.payment is not None:
        payment_expire(payment=booking.payment, actor=actor)
    visit_clock_set(visit, "", actor)
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="booking.visit_cancelled",
        obj=booking,
        changes={"status": [before, S.CANCELLED]},
    )


def _no_show(visit: Visit, actor: Actor, now: datetime) -> dict[str, Any]:
    booking = (
        Booking.objects.for_org(visit.organization)
        .select_related("booking_type", "booking_type__cancellation_policy")
        .filter(visit=visit, paid_at__isnull=False)
        .order_by("-id")
        .first()
    )
    policy = policy_for_visit(visit, booking)
    amount = no_show_fee_amount(visit, booking, policy)
    if not amount or policy is None:
        return {"fee": None}
    fee = Fee.objects.for_org(visit.organization).filter(visit=visit, kind=Fee.Kind.NO_SHOW).first()
    if fee is None:
        try:
            with transaction.atomic():
                fee = Fee.objects.create(
                    organization=visit.organization,
                    visit=visit,
                    booking=booking,
                    client=visit.client,
                    policy=policy,
                    kind=Fee.Kind.NO_SHOW,
                    amount=amount,
                    currency=visit.organization.currency,
                    charge_at=now + timedelta(hours=policy.review_hours),
                    policy_snapshot=policy_snapshot(policy),
                )
        except IntegrityError as exc:  # pragma: no cover - the visit row is locked
            raise Conflict(_("The no-show fee exists already.")) from exc
        audit_record(
            organization=visit.organization,
            actor=actor,
            action="fee.create",
            obj=fee,
            changes={"kind": fee.kind, "amount": amount, "charge_at": fee.charge_at},
        )
    return {"fee": fee}


def visit_status_locking(visit: Visit, status: VisitStatus) -> None:
    """Schedule hook, before `visit_status_set` locks the visit: cancelling a visit whose
    booking is live closes the booking and its payment link (`_cancel_unpaid`,
    `_cancel_paid`), and that link's provider callback locks the payment, then the booking,
    then the visit. Taken after the visit, as they were, the two could wait for each other;
    here they are taken first, in that order (payments/locks.py), and `_live_booking`
    finds them held. A booking made between this read and the visit's lock (a new attempt)
    is locked after the visit, as before — a new attempt is a new payment no callback holds
    yet."""
    if not status.is_cancellation or visit.kind != Visit.Kind.INDIVIDUAL:
        return
    booking_id = (
        Booking.objects.for_org(visit.organization)
        .filter(visit_id=visit.pk, status__in=[S.PENDING, S.PAID, S.EXPIRED])
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    if booking_id is not None:
        locked_with_payment(Booking, Booking(pk=booking_id, organization=visit.organization))


def visit_status_changed(
    visit: Visit,
    *,
    before: VisitStatus,
    after: VisitStatus,
    actor: Actor,
    now: datetime,
    options: dict[str, Any],
) -> dict[str, Any] | None:
    """Schedule hook: the policy when a visit is cancelled or marked a no-show."""
    if visit.kind != Visit.Kind.INDIVIDUAL or visit.client_id is None:
        return None
    if after.is_cancellation and not before.is_cancellation:
        booking = _live_booking(visit)
        if booking is None:
            return None
        if booking.status == S.PAID:
            return _cancel_paid(visit, booking, actor, now, options)
        _cancel_unpaid(visit, booking, actor, now)
        return None
    if after.is_no_show and not before.is_no_show:
        return _no_show(visit, actor, now)
    if before.is_no_show and not after.is_no_show:
        # The mark was a mistake: its fee, not yet charged, goes with it.
        pending = Fee.objects.for_org(visit.organization).filter(
            visit=visit, kind=Fee.Kind.NO_SHOW, state=Fee.State.PENDING
        )
        for fee in pending:
            fee_waive(fee=fee, actor=actor, reason=_("The no-show mark was undone."), now=now)
    return None


def visit_cancel_page(visit: Visit) -> str | None:
    """Schedule hook: a visit with a paid booking is cancelled on our page, where staff see
    the fee and the rest and choose where the choice is theirs."""
    if visit.kind != Visit.Kind.INDIVIDUAL or not visit.blocks_time:
        return None
    paid = Booking.objects.for_org(visit.organization).filter(visit=visit, status=S.PAID).exists()
    return reverse("prepayments:visit_cancel", kwargs={"visit_id": visit.pk}) if paid else None


@transaction.atomic
def fee_waive(*, fee: Fee, actor: Actor, reason: str, now: datetime | None = None) -> Fee:
    """Staff waive a fee (reason required, audited). A charged fee's charge is cancelled
    in the ledger; a waived fee is a 409."""
    now = now or timezone.now()
    reason = clean_line(reason or "")[:300]
    if not reason:
        raise DomainError(_("Say why the fee is waived."), field="reason")
    fee = Fee.objects.for_org(fee.organization).select_for_update().get(pk=fee.pk)
    before = fee.state
    if before == Fee.State.WAIVED:
        raise Conflict(_("The fee is already waived."), field="state")
    if before == Fee.State.CHARGED and fee.entry_id_charged:
        entry = Entry.objects.for_org(fee.organization).get(pk=fee.entry_id_charged)
        ledger.entry_cancel(entry=entry, actor=actor, reason=reason)
    fee.state, fee.waived_at, fee.waive_reason = Fee.State.WAIVED, now, reason
    fee.save(update_fields=["state", "waived_at", "waive_reason"])
    audit_record(
        organization=fee.organization,
        actor=actor,
        action="fee.waive",
        obj=fee,
        changes={"state": [before, Fee.State.WAIVED], "reason": reason},
    )
    return fee
