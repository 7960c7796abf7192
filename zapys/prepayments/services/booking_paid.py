"""Money for a booking arrives: through the provider (on time, late or twice — never
lost) or from the client's balance (X5). Each is a conditional UPDATE of the booking:
a payment racing the expiry sweep, exactly one wins."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.money import Money, format_money
from zapys.core.stored_text import StoredText
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry
from zapys.ledger.money import money_received_record
from zapys.ledger.selectors import client_balance
from zapys.payments.locks import locked_with_payment
from zapys.payments.services import payment_expire
from zapys.prepayments import events
from zapys.prepayments.models import Booking, BranchFinance
from zapys.prepayments.selectors import balance_held_by_bookings, booking_branch
from zapys.prepayments.services.notices import booking_message_send, booking_staff_notify
from zapys.prepayments.services.prepayment_settings import prepayment_settings_get
from zapys.prepayments.services.visit_side import visit_clock_set, visit_locked
from zapys.prepayments.texts import VISIT_NAMED_BY, visit_named
from zapys.schedule.services import visit_status_set

if TYPE_CHECKING:
    from zapys.payments.models import Payment

logger = logging.getLogger(__name__)

S = Booking.Status


def _record_money(booking: Booking, payment: Payment, actor: Actor, *, comment: StoredText) -> None:
    """Money came in for the booking: it lands on the client's balance ("prepayment"), in
    the booking's branch till under the configured article, with a receipt."""
    organization = booking.organization
    settings = prepayment_settings_get(organization)
    branch = booking_branch(booking)
    finance = (
        BranchFinance.objects.for_org(organization).filter(branch=branch).first()
        if branch is not None
        else None
    )
    money_received_record(
        client=booking.client,
        amount=payment.amount,
        purpose=Entry.Purpose.PREPAYMENT,
        article=settings.income_article or "prepayments",
        actor=actor,
        cause=booking,
        comment=comment,
        deposit_line=StoredText(gettext_noop("Prepayment: %(what)s"), what=booking.visit.title),
        branch=branch,
        payment_type=finance.payment_type if finance and finance.payment_type_id else None,
    )


def _after_paid(booking: Booking, actor: Actor, now: datetime) -> None:
    """The visit side of a payment: configured status, green clock, notifications."""

    settings = prepayment_settings_get(booking.organization)
    visit = visit_locked(booking.visit)
    status = settings.status_after_payment
    if status is not None and visit.blocks_time and status.pk != visit.status_id:
        try:
            with transaction.atomic():
                visit_status_set(visit=visit, status=status, actor=actor, now=now)
        except DomainError as exc:
            logger.warning("prepayments: status after payment not set on %s: %s", visit.pk, exc)
    visit_clock_set(visit, "paid", actor)
    booking_staff_notify(
        booking,
        StoredText(
            gettext_noop("Prepayment received: %(amount)s"),
            amount=Money(booking.amount, booking.currency),
        ),
        StoredText(
            gettext_noop("%(client)s prepaid %(what)s."),
            client=booking.client.name,
            what=visit_named(visit, booking.organization),
        ),
        level="success",
    )
    if settings.send_paid:
        booking_message_send(booking, events.PAYMENT_RECEIVED, "paid", actor)


def booking_payment_succeeded(
    *, payment: Payment, actor: Actor, now: datetime | None = None
) -> str:
    """The provider confirmed a prepayment payment (called by the purpose handler inside
    the payment's transition). Returns what happened: paid / late / duplicate / unknown."""
    now = now or timezone.now()
    organization = payment.organization
    booking = (
        Booking.objects.for_org(organization)
        .select_related("visit", "visit__staff", "visit__branch", "visit__service", "client")
        .filter(pk=payment.purpose_id)
        .first()
        if str(payment.purpose_id).isdigit()
        else None
    )
    if booking is None:
        logger.warning("prepayments: payment %s names no booking", payment.pk)
        return "unknown"
    qs = Booking.objects.for_org(organization).filter(pk=booking.pk)
    with transaction.atomic():
        moved = qs.filter(status=S.PENDING).update(status=S.PAID, paid_at=now, payment=payment)
        if moved == 1:
            booking.status, booking.paid_at, booking.payment = S.PAID, now, payment
            _record_money(
                booking,
                payment,
                actor,
                comment=StoredText(
                    gettext_noop("Prepayment: %(what)s"),
                    what=visit_named(booking.visit, organization),
                ),
            )
            audit_record(
                organization=organization,
                actor=actor,
                action="booking.paid",
                obj=booking,
                changes={"status": [S.PENDING, S.PAID], "payment_id": payment.pk},
            )
            _after_paid(booking, actor, now)
            return "paid"
        # Late or duplicate money: never lost — on the balance, flagged for staff. The visit
        # is named before the booking is read again (which forgets its loaded visit).
        visit = visit_named(booking.visit, organization)
        late = qs.filter(status__in=[S.EXPIRED, S.CANCELLED], paid_late=False).update(
            paid_late=True, paid_at=now, payment=payment
        )
        booking.refresh_from_db()
        if late:
            kind = "late"
            title = StoredText(
                gettext_noop("Prepayment paid after the deadline: %(visit)s"), visit=visit
            )
            body = StoredText(
                gettext_noop(
                    "%(amount)s from %(client)s is on the client's balance. Restore the visit "
                    "(if the time is free) or refund the payment."
                ),
                amount=Money(payment.amount, payment.currency),
                client=booking.client.name,
            )
        else:
            qs.update(extra_payments=F("extra_payments") + 1)
            kind = "duplicate"
            title = StoredText(
                gettext_noop('Prepayment for "%(visit)s" was received twice'), visit=visit
            )
            body = StoredText(
                gettext_noop(
                    "The second payment (%(amount)s) is on %(client)s's balance: keep it or refund."
                ),
                amount=Money(payment.amount, payment.currency),
                client=booking.client.name,
            )
        # The ledger's comment says what the staff notification says: which visit, and
        # whether the money came after the deadline or a second time.
        _record_money(booking, payment, actor, comment=title)
        audit_record(
            organization=organization,
            actor=actor,
            action=f"booking.paid_{kind}",
            obj=booking,
            changes={"payment_id": payment.pk, "status": booking.status},
        )
        booking_staff_notify(booking, title, body, level="warning")
        return kind


def booking_balance_locks(booking: Booking) -> Booking:
    """The named locks of paying a booking from the balance, in the order of
    `payments/locks.py`, inside the caller's transaction: the client's row (two bookings paid
    from one balance at once decide one after the other, the second from what the first left
    free), the booking's payment (its link's provider callback locks the payment first, then
    the booking: taking them the other way round, the two waited for each other), then the
    booking's row, returned as it is under the lock. The visit is locked after it
    (`_after_paid`), as the callback does."""
    return locked_with_payment(
        Booking, booking, related=("client", *VISIT_NAMED_BY, "payment"), balance_owner=True
    )


@transaction.atomic
def booking_pay_from_balance(
    *, booking: Booking, actor: Actor, now: datetime | None = None
) -> Booking:
    """X5: the client's balance already covers the prepayment — mark it paid without the
    provider. The ledger records the earmark as a pair of "prepayment" entries (taken from
    the balance, deposited for the booking), so the balance itself does not change; the
    open provider link is closed."""

    now = now or timezone.now()
    organization = booking.organization
    booking = booking_balance_locks(booking)
    if booking.status == S.PAID:
        # paid meanwhile (the card's callback, another desk): the second reads it paid
        raise Conflict(_("This booking is already paid."))
    balance = client_balance(booking.client)
    held = balance_held_by_bookings(booking)
    if balance < booking.amount:
        raise DomainError(
            _("The balance (%(balance)s) does not cover the prepayment (%(amount)s).")
            % {
                "balance": format_money(balance, booking.currency),
                "amount": format_money(booking.amount, booking.currency),
            },
            field="balance",
        )
    if balance - held < booking.amount:
        raise DomainError(
            _(
                "The balance (%(balance)s) already stands behind other paid bookings "
                "(%(held)s); what is left (%(free)s) does not cover the prepayment "
                "(%(amount)s)."
            )
            % {
                "balance": format_money(balance, booking.currency),
                "held": format_money(held, booking.currency),
                "free": format_money(max(balance - held, 0), booking.currency),
                "amount": format_money(booking.amount, booking.currency),
            },
            field="balance",
        )
    moved = (
        Booking.objects.for_org(organization)
        .filter(pk=booking.pk, status=S.PENDING)
        .update(status=S.PAID, paid_at=now, paid_from_balance=True)
    )
    if moved != 1:
        raise Conflict(_("Only a booking awaiting payment can be paid from the balance."))
    visit = visit_named(booking.visit, organization)  # before the reread forgets the visit
    booking.refresh_from_db()
    # The client may read this page in English; the texts kept beside the stored ones (the
    # ledger comments' rendering for the API, the staff notification's fallback) are the
    # organization's, in its language.
    with translation.override(organization.language or None):
        for kind, comment in (
            ("credit", gettext_noop("Prepayment taken from the balance: %(visit)s")),
            ("debit", gettext_noop("Prepayment deposited from the balance: %(visit)s")),
        ):
            ledger.entry_create(
                client=booking.client,
                kind=kind,
                amount=booking.amount,
                purpose="prepayment",
                actor=actor,
                cause=booking,
                comment=StoredText(comment, visit=visit),
                branch=booking.branch,
            )
        if booking.payment_id:
            assert booking.payment is not None
            payment_expire(payment=booking.payment, actor=actor)
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.paid_from_balance",
            obj=booking,
            changes={"status": [S.PENDING, S.PAID], "amount": booking.amount},
        )
        _after_paid(booking, actor, now)
    return booking
