"""The visit checkout (V1): what a participant of a visit owes, and taking it.

`checkout_summary` reads (no writes): the price, what covers it — a membership visit, the
visit's prepayment sitting on the balance, the rest of a positive balance that other visits'
prepayments do not hold — and the amount due. `visit_checkout` takes the rest, in one transaction, under the visit's lock:

- locks in a fixed order (`payments/locks.py`): the client's row (the balance it spends:
  a prepayment paid from the same balance at the same instant waits, or makes this wait),
  the visit row, then the participant's attendance row (every path that settles a visit —
  this one, the online payment's success, "Arrived" — takes the visit first), so two front
  desks pressing "Paid" at once write once: the second finds the attendance charged and
  gets 409 with nothing written;
- marks the participant arrived if they were still planned (a membership that covers the
  visit is consumed by that mark, as the schedule does it);
- charges the service with the attendance as the charge's cause: the covered part and the
  due part as two entries (the covered part was on a receipt when it was paid in — the
  prepayment's or the top-up's — so only the due part is a line of this checkout's receipt;
  the day's sales count the money once);
- records the money through `ledger.money`: cash and card of one checkout are one receipt
  with a payment per way (`money_received_many`); paying more than due leaves the rest on the
  balance (a "Balance top-up" line); "balance" sells the due part on credit (the client owes
  it, as staff chose); "online_link" sends the shared checkout's link of the purpose
  `visit_checkout`, whose success settles the visit the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from zapys.checkout.events import PAYMENT_LINK_EVENT
from zapys.checkout.models import Checkout
from zapys.checkout.receipt_lines import repaid_lines
from zapys.checkout.selectors import owed_after_refund
from zapys.checkout.texts import (
    online_paid_otherwise_text,
    online_payment_text,
    online_refund_text,
    paid_again_text,
    visit_named,
)
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.core.money import format_money as _format_money
from zapys.core.prepared import PreparedQuery, Slots, row_update
from zapys.core.stored_text import StoredText, TextOrStored
from zapys.core.tenancy import organization_zone
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry, PaymentType, SalesReceipt
from zapys.ledger.money import (
    Received,
    SoldLine,
    money_received_many,
    money_received_record,
    money_refunded_record,
)
from zapys.ledger.selectors import balances_for
from zapys.ledger.services.writer import LedgerWrite
from zapys.memberships.selectors import (
    CoverAsk,
    clients_covered_many,
    clients_with_covering_membership,
)
from zapys.messaging.services import message_send
from zapys.payments.locks import balance_owner_lock, payment_lock_nowait
from zapys.payments.models import Payment
from zapys.payments.services import payment_create, payment_expire
from zapys.schedule import hooks as schedule_hooks
from zapys.schedule.models import Attendance, Visit
from zapys.schedule.services import attendance_mark
from zapys.schedule.services.attendance import (
    attendance_arrived_locked,
    attendance_charge_record,
)
from zapys.schedule.services.occupancy import locked_visit
from zapys.schedule.texts import VISIT_NAMED_BY

logger = logging.getLogger(__name__)

#: The purpose's key (stored on every checkout payment: `Payment.purpose`).
VISIT_CHECKOUT = "visit_checkout"
#: The article the visit's money is recorded under (declared by the ledger).
SERVICES_ARTICLE = "services"

CASH, CARD, BALANCE, ONLINE_LINK = "cash", "card", "balance", "online_link"
METHODS = (CASH, CARD, BALANCE, ONLINE_LINK)
MAX_AMOUNT = 10**9  # the ledger's own bound


def _money(amount: int, currency: str) -> str:
    """Money in the language of the page or message being written."""
    return _format_money(amount, currency, (get_language() or "uk")[:2])


class NotAddingUp(DomainError):
    """Amounts that cannot be taken as given (a field error, 422 in the API)."""

    status = 422


@dataclass(frozen=True)
class Cover:
    source: str  # "prepayment" | "balance" | "membership"
    amount: int


@dataclass
class ParticipantCheckout:
    """What one participant of a visit owes for it, and whether it is settled."""

    visit: Visit
    attendance: Attendance
    price: int
    covered: list[Cover]
    due: int
    paid: bool
    checkout: Checkout | None = None  # the live row (awaiting or settled), if any
    balance: int = 0

    @property
    def client(self) -> Any:
        return self.attendance.client

    @property
    def covered_total(self) -> int:
        return sum(c.amount for c in self.covered)

    @property
    def awaiting_online(self) -> bool:
        return self.checkout is not None and self.checkout.status == Checkout.Status.AWAITING

    @property
    def payment_url(self) -> str | None:
        if self.awaiting_online and self.checkout is not None and self.checkout.payment:
            return self.checkout.payment.payment_url
        return None

    @property
    def can_pay(self) -> bool:
        """Taking payment makes sense: not settled, and the participant is not marked absent
        or cancelled (a no-show fee is the cancellation policy's, not a checkout)."""
        return not self.paid and self.attendance.state in (
            Attendance.State.PLANNED,
            Attendance.State.ATTENDED,
        )


@dataclass(frozen=True)
class PaymentIn:
    method: str
    amount: int


@dataclass
class CheckoutResult:
    summary: ParticipantCheckout
    checkout: Checkout
    payment_url: str | None = None
    receipt_ids: list[int] = field(default_factory=list)


# --- reading --------------------------------------------------------------------------


def _prepayments_paid(visits: Sequence[Visit]) -> dict[int, int]:
    """{visit_id: prepaid amount} of the visits' paid bookings (the schedule's bookings
    hook: the prepayment app answers for the whole list in one query)."""
    individual = [v for v in visits if v.kind == Visit.Kind.INDIVIDUAL]
    if not individual:
        return {}
    found = schedule_hooks.bookings_for(list(individual))
    return {
        visit_id: int(b.get("amount") or 0)
        for visit_id, b in found.items()
        if b.get("status") == "paid"
    }


def _split_cover(price: int, balance: int, prepaid: int, held: int = 0) -> tuple[int, int]:
    """(covered by the prepayment, covered by the rest of the balance): the prepayment is
    part of the balance, so both come out of what is positive on it; the rest is only the
    *free* balance — what other visits' paid prepayments hold (`held`) stays theirs."""
    positive = max(balance, 0)
    by_prepayment = min(prepaid, positive, price)
    free = max(positive - by_prepayment - held, 0)
    by_balance = min(free, price - by_prepayment)
    return by_prepayment, by_balance


def _summary(
    visit: Visit,
    attendance: Attendance,
    live: Checkout | None,
    balance: int,
    prepaid: int,
    membership_covers: bool,
    held: int = 0,
) -> ParticipantCheckout:
    price = visit.price
    if live is not None and live.status == Checkout.Status.SETTLED:
        if attendance.charge != Attendance.Charge.NONE:
            covered = [
                Cover(source, amount)
                for source, amount in (
                    ("membership", live.covered_membership),
                    ("prepayment", live.covered_prepayment),
                    ("balance", live.covered_balance),
                )
                if amount
            ]
            owed = live.owed_after_refund
            if owed:
                # the money went back, the service stays charged: owed again, to take
                return ParticipantCheckout(
                    visit, attendance, live.price, covered, owed, False, live, balance
                )
            return ParticipantCheckout(
                visit, attendance, live.price, covered, live.due, True, live, balance
            )
        live = None  # settled, then the attendance changed: the charge was undone
    if attendance.charge == Attendance.Charge.MEMBERSHIP or (
        attendance.charge == Attendance.Charge.NONE and membership_covers and price > 0
    ):
        return ParticipantCheckout(
            visit,
            attendance,
            price,
            [Cover("membership", price)],
            0,
            attendance.charge != Attendance.Charge.NONE,
            live,
            balance,
        )
    if attendance.charge == Attendance.Charge.BALANCE:
        # charged on arrival, the balance covering it (or by a checkout before this one)
        return ParticipantCheckout(
            visit, attendance, price, [Cover("balance", price)], 0, True, live, balance
        )
    by_prepayment, by_balance = _split_cover(price, balance, prepaid, held)
    covered = [
        Cover(s, a) for s, a in (("prepayment", by_prepayment), ("balance", by_balance)) if a
    ]
    due = price - by_prepayment - by_balance
    return ParticipantCheckout(visit, attendance, price, covered, due, price == 0, live, balance)


def _covered_by_memberships(visit: Visit, attendances: list[Attendance]) -> set[int]:
    """The participants (client ids) a membership would cover, in one query."""
    waiting = [a.client_id for a in attendances if a.charge == Attendance.Charge.NONE]
    if visit.price <= 0 or not waiting:
        return set()
    return clients_with_covering_membership(
        organization=visit.organization,
        client_ids=waiting,
        on_date=visit.starts_at.astimezone(organization_zone(visit.organization)).date(),
        service=visit.service,
        group=visit.group,
    )


def checkout_summaries(visit: Visit) -> list[ParticipantCheckout]:
    """Every participant's checkout of `visit` (one for an appointment), in a constant
    number of queries however many take part."""
    attendances = list(
        Attendance.objects.for_org(visit.organization_id)
        .filter(visit=visit)
        .select_related("client", "organization")
        .order_by("id")
    )
    return _summaries_for(visit, attendances, with_memberships=True)


def _summaries_for(
    visit: Visit,
    attendances: list[Attendance],
    *,
    with_memberships: bool,
    live: dict[int, Checkout] | None = None,
) -> list[ParticipantCheckout]:
    if live is None:
        live = {
            c.attendance_id: c
            for c in Checkout.objects.for_org(visit.organization_id)
            .filter(visit=visit, status__in=[Checkout.Status.AWAITING, Checkout.Status.SETTLED])
            .select_related("payment")
        }
    balances = balances_for(a.client_id for a in attendances)
    prepaid = _prepayments_paid([visit]).get(visit.pk, 0)
    by_membership = _covered_by_memberships(visit, attendances) if with_memberships else set()
    # what other visits' paid prepayments hold on each balance (one query): not this visit's
    held = _held_elsewhere(visit, attendances, balances)
    result = []
    for a in attendances:
        covers = a.client_id in by_membership
        mine = prepaid if visit.client_id == a.client_id else 0
        result.append(
            _summary(
                visit,
                a,
                live.get(a.pk),
                balances[a.client_id],
                mine,
                covers,
                held.get(a.client_id, 0),
            )
        )
    return result


def _held_elsewhere(
    visit: Visit, attendances: Sequence[Attendance], balances: dict[int, int]
) -> dict[int, int]:
    """{client_id: kopecks} of the balance that paid prepayments of the client's other
    visits hold (the prepayment app answers through `schedule.hooks.balance_held`), asked
    only for the participants still to charge whose balance is positive: a balance at or
    below zero covers nothing anyway."""
    asked = sorted(
        {
            a.client_id
            for a in attendances
            if a.charge == Attendance.Charge.NONE and balances[a.client_id] > 0
        }
    )
    return schedule_hooks.balance_held(visit, asked) if asked else {}


def checkout_summary(visit: Visit, client_id: int | None = None) -> ParticipantCheckout:
    """One participant's checkout: the appointment's client, or `client_id` of a lesson."""
    attendance = _attendance_of(visit, client_id)
    return _summaries_for(visit, [attendance], with_memberships=True)[0]


def dues_of_unpaid(attendances: Sequence[Attendance], *, organization: Any) -> dict[int, int]:
    """{attendance_id: amount due} of not-yet-charged participants (the unpaid list and the
    dashboard card), with the checkout's rules: a membership that covers the visit, the
    visit's paid prepayment, the rest of a positive balance that paid prepayments of the
    client's other visits do not hold. Set-based: the balances in one query, the
    prepayments in one, the memberships in one (a UNION of one question per distinct
    service, group and day), the holds in one (only when some balance is positive). A
    client with several visits that day spends the positive balance once, on the earliest
    (`attendances` come in start order), and a visit listed earlier releases its own hold
    for the later ones, as checking it out would."""
    if not attendances:
        return {}
    visits = [a.visit for a in attendances]
    balances = balances_for(a.client_id for a in attendances)
    prepaid = _prepayments_paid(visits)
    zone = organization_zone(organization)
    pairs: dict[tuple[int | None, int | None, Any], list[Attendance]] = {}
    for a in attendances:
        if a.visit.price > 0:
            day = a.visit.starts_at.astimezone(zone).date()
            pairs.setdefault((a.visit.service_id, a.visit.group_id, day), []).append(a)
    asks = [
        CoverAsk(
            client_ids=tuple(sorted({a.client_id for a in group_of})),
            on_date=day,
            service=group_of[0].visit.service,
            group=group_of[0].visit.group,
        )
        for (_service, _group, day), group_of in pairs.items()
    ]
    answers = clients_covered_many(organization=organization, asks=asks)
    covered = {  # attendance ids a membership covers
        a.pk
        for group_of, clients in zip(pairs.values(), answers, strict=True)
        for a in group_of
        if a.client_id in clients
    }
    left = {client_id: max(balance, 0) for client_id, balance in balances.items()}
    # what paid prepayments hold of each positive balance, visit by visit (one query, only
    # when some client has money on the balance): a visit spends only what the client's
    # OTHER visits do not hold, as its own checkout does (`_held_elsewhere`)
    asked = sorted(
        {
            a.client_id
            for a in attendances
            if a.charge == Attendance.Charge.NONE and left[a.client_id]
        }
    )
    holds = schedule_hooks.balances_held(organization, asked) if asked else {}
    dues = {}
    refunded = [a.pk for a in attendances if a.charge != Attendance.Charge.NONE]
    if refunded:  # charged and paid, then refunded: what the refund left owing
        for row in owed_after_refund(organization).filter(attendance_id__in=refunded):
            dues[row.attendance_id] = row.owed_after_refund
    for a in attendances:
        if a.pk in dues:
            continue
        # this visit's own hold is its prepayment (counted as `mine`); once it is checked
        # out the hold is gone, so a later visit of the client in the list no longer sees it
        theirs = holds.get(a.client_id, {})
        theirs.pop(a.visit_id, None)
        price = a.visit.price
        if a.pk in covered or price <= 0:
            dues[a.pk] = 0
            continue
        mine = prepaid.get(a.visit_id, 0) if a.visit.client_id == a.client_id else 0
        held = sum(theirs.values())
        by_prepayment, by_balance = _split_cover(price, left[a.client_id], mine, held)
        left[a.client_id] -= by_prepayment + by_balance
        dues[a.pk] = price - by_prepayment - by_balance
    return dues


def _attendance_of(visit: Visit, client_id: int | None, *, lock: bool = False) -> Attendance:
    query = _ATTENDANCE_LOCKED if lock else _ATTENDANCE
    if client_id is not None:
        found = query.first(org=visit.organization_id, visit=visit.pk, client=client_id)
        if found is None:
            raise DomainError(_("This client is not on the visit."), field="client_id")
    elif visit.kind == Visit.Kind.LESSON:
        raise DomainError(_("Choose the participant of the lesson."), field="client_id")
    else:
        found = None
        if visit.client_id:
            found = query.first(org=visit.organization_id, visit=visit.pk, client=visit.client_id)
        if found is None:
            raise DomainError(_("The visit has no client."), field="client_id")
    # the ledger reads the client's organization for its audit rows: the visit's, loaded
    found.client.organization = visit.organization
    return found


# --- taking payment -------------------------------------------------------------------


def _validate(payments: Sequence[PaymentIn]) -> list[PaymentIn]:
    if len(payments) > 10:
        raise NotAddingUp(_("At most 10 payments at once."), field="payments")
    errors = []
    for i, p in enumerate(payments):
        if p.method not in METHODS:
            errors.append({"field": f"payments.{i}.method", "message": _("Unknown method.")})
        amount = p.amount
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            errors.append(
                {
                    "field": f"payments.{i}.amount",
                    "message": _("The amount must be a whole positive number of kopecks."),
                }
            )
        elif amount > MAX_AMOUNT:
            errors.append(
                {"field": f"payments.{i}.amount", "message": _("The amount is too large.")}
            )
    if errors:
        raise NotAddingUp(errors[0]["message"], errors=errors)
    online = [p for p in payments if p.method == ONLINE_LINK]
    if online and len(payments) > 1:
        raise NotAddingUp(
            _("An online payment link takes the whole amount due; send it alone."),
            field="payments",
        )
    return list(payments)


def _sum(payments: Sequence[PaymentIn], method: str) -> int:
    return sum(p.amount for p in payments if p.method == method)


def _check_adds_up(summary: ParticipantCheckout, payments: Sequence[PaymentIn]) -> None:
    due = summary.due
    money = _sum(payments, CASH) + _sum(payments, CARD)
    credit = _sum(payments, BALANCE)
    online = _sum(payments, ONLINE_LINK)
    currency = summary.visit.organization.currency
    if online:
        if online != due:
            raise NotAddingUp(
                _("The online payment link is for the amount due, %(due)s.")
                % {"due": _money(due, currency)},
                field="payments",
            )
        return
    if money + credit < due:
        raise NotAddingUp(
            _("The payments (%(paid)s) do not cover the amount due, %(due)s.")
            % {
                "paid": _money(money + credit, currency),
                "due": _money(due, currency),
            },
            field="payments",
        )
    if credit and credit > max(due - money, 0):
        raise NotAddingUp(
            _("Only the part not paid otherwise can be charged to the balance: %(rest)s.")
            % {"rest": _money(max(due - money, 0), currency)},
            field="payments",
        )


def _lock(visit: Visit, client_id: int | None) -> tuple[Visit, Attendance]:
    """The named locks of a checkout, in the order of `payments/locks.py`: the balance
    owner (the participant's client row), the visit, then the participant's attendance.

    The client's row first because the checkout spends the client's free balance, read
    under these locks: paying a prepayment from the balance (`booking_pay_from_balance`,
    an invoice's) takes the same lock before deciding, so the two queue and the second
    decides from what the first left — without it both read the same free money and both
    spent it. The participant is named by the caller (a lesson) or by the visit as read
    before its lock (an appointment); a visit whose client changed before its lock is
    refused as changed meanwhile, nothing written."""
    owner = client_id if client_id is not None else visit.client_id
    if owner is not None:
        balance_owner_lock(visit.organization, owner)
    locked = locked_visit(visit)
    attendance = _attendance_of(locked, client_id, lock=True)
    if attendance.client_id != owner:
        raise Conflict(_("This changed meanwhile: reload the page and try again."))
    return locked, attendance


def _live_row(attendance: Attendance) -> Checkout | None:
    return _LIVE_ROW.first(org=attendance.organization_id, attendance=attendance.pk)


# The reads every checkout makes, compiled once (core/prepared.py; bench/checkout.py).
def _attendance_query(s: Slots, *, lock: bool) -> QuerySet[Attendance]:
    qs = Attendance.objects.for_org(s.org()).filter(
        visit_id=s.number("visit"), client_id=s.number("client")
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.select_related("client", "organization").order_by("id")[:1]


_ATTENDANCE: PreparedQuery[Attendance] = PreparedQuery(lambda s: _attendance_query(s, lock=False))
_ATTENDANCE_LOCKED: PreparedQuery[Attendance] = PreparedQuery(
    lambda s: _attendance_query(s, lock=True)
)
_LIVE_ROW: PreparedQuery[Checkout] = PreparedQuery(
    lambda s: (
        Checkout.objects.for_org(s.org())
        .filter(
            attendance_id=s.number("attendance"),
            status__in=[Checkout.Status.AWAITING, Checkout.Status.SETTLED],
        )
        .select_related("payment")[:1]
    )
)


@transaction.atomic
def visit_checkout(
    *,
    visit: Visit,
    payments: Sequence[PaymentIn],
    actor: Actor,
    client_id: int | None = None,
    now: datetime | None = None,
) -> CheckoutResult:
    """Settle one participant's visit: see the module doc. 409 when it is settled already,
    422 (field errors) when the amounts are not whole positive kopecks or do not add up;
    either way nothing is written."""
    now = now or timezone.now()
    payments = _validate(payments)
    visit, attendance = _lock(visit, client_id)
    if attendance.state in (Attendance.State.ABSENT, Attendance.State.CANCELLED):
        raise Conflict(
            _("The client is marked absent or cancelled: there is nothing to check out."),
            field="client_id",
        )
    live = _live_row(attendance)
    if attendance.charge != Attendance.Charge.NONE:
        if (
            live is not None
            and live.status == Checkout.Status.SETTLED
            and live.owed_after_refund > 0
        ):
            return _repay(visit, attendance, live, payments, actor)
        raise Conflict(_("This visit is already paid."))
    if live is not None and live.status == Checkout.Status.SETTLED:
        # settled, then "arrived" was taken back (the charge cancelled): a new checkout
        Checkout.objects.for_org(visit.organization_id).filter(pk=live.pk).update(
            status=Checkout.Status.UNDONE
        )
        live = None
    known = {attendance.pk: live} if live is not None else {}
    summary = _summaries_for(visit, [attendance], with_memberships=True, live=known)[0]
    _check_adds_up(summary, payments)
    if live is not None:
        # a link is waiting: what staff take now replaces it (the link stops working)
        _replace_link(live, actor)
    arrives = attendance.state == Attendance.State.PLANNED and _arrives_uncovered(visit, summary)
    if arrives and _sum(payments, ONLINE_LINK):
        attendance_arrived_locked(visit=visit, attendance=attendance, actor=actor, now=now)
    elif attendance.state == Attendance.State.PLANNED and not arrives:
        # arrived: a covering membership is consumed, a covering balance charged, as the
        # schedule does on the mark; otherwise it is still to pay, with the same cover
        attendance_mark(
            attendance=attendance, state=Attendance.State.ATTENDED, actor=actor, now=now
        )
        attendance.refresh_from_db(fields=["state", "charge", "membership_id", "entry_id"])
        if attendance.charge == Attendance.Charge.NONE and summary.due == 0 and summary.price:
            # the membership it counted on was taken meanwhile: what is due now
            summary = _summaries_for(visit, [attendance], with_memberships=False, live={})[0]
            _check_adds_up(summary, payments)
    if _sum(payments, ONLINE_LINK):
        return _send_link(summary, actor)
    return _settle(summary, payments, actor, now, arrives=arrives)


def _arrives_uncovered(visit: Visit, summary: ParticipantCheckout) -> bool:
    """The arrival would charge nothing: an appointment, no membership covers it and the
    balance does not cover the price (something is due) — the common checkout. Then the
    mark is the schedule's `attendance_arrived_locked`, under the locks already held and
    with the charge in the same UPDATE, instead of `attendance_mark`, which would lock and
    read the visit and the attendance again and look for a membership and the balance once
    more (a dozen statements per checkout; bench/checkout.py)."""
    return (
        visit.kind == Visit.Kind.INDIVIDUAL
        and visit.blocks_time
        and summary.due > 0
        and not any(c.source == "membership" for c in summary.covered)
    )


def _replace_link(live: Checkout, actor: Actor) -> None:
    if live.payment is not None and live.payment.status in (
        Payment.Status.CREATED,
        Payment.Status.PENDING,
    ):
        # The link's callback locks its payment, then this visit; here the visit is locked
        # already, so the payment is taken without waiting (payments/locks.py): a callback
        # in progress makes this a 409 with nothing written, and it settles the visit.
        payment_lock_nowait(live.organization_id, live.payment.pk)
    Checkout.objects.for_org(live.organization_id).filter(pk=live.pk).update(
        status=Checkout.Status.CANCELLED
    )
    if live.payment is not None and live.payment.status in (
        Payment.Status.CREATED,
        Payment.Status.PENDING,
    ):
        payment_expire(payment=live.payment, actor=actor)


def _new_row(summary: ParticipantCheckout, status: str, actor: Actor, **amounts: int) -> Checkout:
    covered = {c.source: c.amount for c in summary.covered}
    try:
        # no savepoint of its own: every caller runs in visit_checkout's (or the payment
        # transition's) transaction, which the Conflict rolls back whole
        return Checkout.objects.for_org(summary.visit.organization_id).create(
            organization_id=summary.visit.organization_id,
            visit=summary.visit,
            attendance=summary.attendance,
            client=summary.client,
            status=status,
            price=summary.price,
            covered_prepayment=covered.get("prepayment", 0),
            covered_balance=covered.get("balance", 0),
            covered_membership=covered.get("membership", 0),
            due=summary.due,
            created_by=actor.user if actor.user is not None else None,
            **amounts,
        )
    except IntegrityError as exc:  # the constraint behind the lock
        raise Conflict(_("This visit is already paid.")) from exc


def _send_link(summary: ParticipantCheckout, actor: Actor) -> CheckoutResult:
    visit, client = summary.visit, summary.client
    row = _new_row(summary, Checkout.Status.AWAITING, actor)
    payment = payment_create(
        organization=visit.organization,
        account=None,
        purpose=VISIT_CHECKOUT,
        purpose_object=row,
        client=client,
        amount=summary.due,
        currency=visit.organization.currency,
        description=_("Payment for %(what)s") % {"what": visit.title},
        actor=actor,
        branch=visit.branch,
    )
    Checkout.objects.for_org(visit.organization_id).filter(pk=row.pk).update(payment=payment)
    row.payment = payment
    message_send(
        organization=visit.organization,
        event=PAYMENT_LINK_EVENT,
        variables={
            "client": client,
            "service": visit.title,
            "amount": _money(summary.due, visit.organization.currency),
            "link": payment.payment_url,
            "organization": {"name": visit.organization.name},
        },
        actor=actor,
        client=client,
        related=payment,
        idempotency_key=f"payment:{payment.pk}:checkout_link",
    )
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="checkout.link_sent",
        obj=row,
        changes={"due": [None, summary.due], "payment": [None, payment.pk]},
    )
    summary.checkout = row
    return CheckoutResult(summary, row, payment_url=payment.payment_url)


def _charge(
    summary: ParticipantCheckout,
    actor: Actor,
    covered: int,
    due: int,
    write: LedgerWrite,
    account: Any = None,
) -> tuple[Entry | None, Entry | None]:
    """The service charged, in two entries whose cause is the attendance: the part the
    balance covered and the part paid now (the receipt's line) — queued in `write`."""
    visit, client = summary.visit, summary.client
    made: list[Entry | None] = []
    comment: TextOrStored
    for amount, comment in (
        (covered, StoredText(gettext_noop("%(what)s: covered by the balance"), what=visit.title)),
        (due, visit.title),
    ):
        made.append(
            ledger.entry_create(
                client=client,
                kind=Entry.Kind.CREDIT,
                amount=amount,
                purpose=Entry.Purpose.SERVICE,
                actor=actor,
                cause=summary.attendance,
                branch=visit.branch,
                comment=comment,
                account=account,
                write=write,
            )
            if amount > 0
            else None
        )
    return made[0], made[1]


#: The line of money left on the balance, read in each reader's language (Ukrainian on the
#: fiscal receipt).
BALANCE_TOP_UP_LINE = StoredText(gettext_noop("Balance top-up"))


def _lines(visit: Visit, due: int, charge: Entry | None, to_balance: int) -> list[SoldLine]:
    lines = []
    if due > 0:
        lines.append(SoldLine(visit.title, due, charge))
    if to_balance > 0:
        lines.append(SoldLine(BALANCE_TOP_UP_LINE, to_balance))
    return lines


def _settle(
    summary: ParticipantCheckout,
    payments: Sequence[PaymentIn],
    actor: Actor,
    now: datetime,
    *,
    arrives: bool = False,
) -> CheckoutResult:
    """The charge, the checkout row, the money and the receipt, written by one `LedgerWrite`
    (one INSERT per table, the audit rows in one); `arrives`: the participant is marked
    arrived here too, with the charge in the same UPDATE (`attendance_arrived_locked`)."""
    visit, attendance, client = summary.visit, summary.attendance, summary.client
    write = LedgerWrite(organization=visit.organization, actor=actor)
    cash, card, credit = _sum(payments, CASH), _sum(payments, CARD), _sum(payments, BALANCE)
    # the client's base account, read once for the charge and the money (each entry would
    # look it up again)
    account = ledger.account_base_for(client=client)
    money = cash + card
    if attendance.charge != Attendance.Charge.NONE:
        # the arrival just now was covered (a membership visit, or the balance): what was
        # paid on top stays on the balance
        if attendance.charge == Attendance.Charge.MEMBERSHIP:
            summary.covered = [Cover("membership", summary.price)]
        summary.due, due, charge_due, first = 0, 0, None, None
    else:
        due = summary.due
        charge_covered, charge_due = _charge(
            summary, actor, summary.covered_total, due, write, account
        )
        first = charge_due or charge_covered
    to_balance = max(money + credit - due, 0)
    row = _new_row(
        summary,
        Checkout.Status.SETTLED,
        actor,
        paid_cash=cash,
        paid_card=card,
        on_credit=credit,
        to_balance=to_balance,
    )
    receipt: SalesReceipt | None = None
    arrival_audit: list[AuditLog] = []
    lines = _lines(visit, due, charge_due, to_balance)
    # «Стрижка жіноча, 2 грудня о 09:00», in the reader's language (checkout/texts.py)
    comment = visit_named(visit, visit.organization)
    if money:
        ways = [
            Received(a, m)
            for a, m in ((cash, PaymentType.Method.CASH), (card, PaymentType.Method.CARD))
            if a
        ]
        recorded = money_received_many(
            client=client,
            received=ways,
            purpose=Entry.Purpose.PAYMENT,
            article=SERVICES_ARTICLE,
            actor=actor,
            cause=row,
            comment=comment,
            sold=lines,
            branch=visit.branch,
            account=account,
            write=write,
        )
        receipt = recorded[0].receipt
    elif lines:
        # all of it on credit: a receipt sold on credit, no money
        receipt = write.receipt(
            branch=visit.branch,
            client=client,
            lines=[(line.name, line.amount, line.charge) for line in lines],
            payments=[],
            cause=row,
        )
    write.save_rows()  # the ids of the charge and the receipt, for the rows below
    if arrives:
        attendance_arrived_locked(
            visit=visit,
            attendance=attendance,
            actor=actor,
            now=now,
            charge_entry_id=first.pk if first is not None else None,
            audit_rows=arrival_audit,
        )
    elif first is not None:
        attendance_charge_record(attendance=attendance, entry_id=first.pk)
    receipt_id = receipt.pk if receipt is not None else None
    row_update(
        Checkout, org=visit.organization_id, pk=row.pk, receipt_id=receipt_id, settled_at=now
    )
    row.receipt_id, row.settled_at = receipt_id, now
    for audited in arrival_audit:
        write.audit_add(audited)
    write.audit(
        "checkout.settle",
        row,
        {
            "price": [None, row.price],
            "due": [None, row.due],
            "paid": [None, money],
            "on_credit": [None, credit],
            "to_balance": [None, to_balance],
        },
    )
    write.save_audit()
    summary.paid, summary.checkout = True, row
    return CheckoutResult(summary, row, receipt_ids=[receipt_id] if receipt_id else [])


# --- the purpose: an online link's payment ----------------------------------------------


def _row_of(payment: Payment) -> Checkout | None:
    if not str(payment.purpose_id).isdigit():
        return None
    return (
        Checkout.objects.for_org(payment.organization_id)
        # the visit with what naming it in a comment reads (`visit_named`)
        .select_related("visit__organization", *VISIT_NAMED_BY, "client", "attendance")
        .filter(pk=int(payment.purpose_id))
        .first()
    )


def visit_checkout_paid(payment: Payment, actor: Actor) -> None:
    """The link was paid (inside the payment's transition): under the visit's lock, the
    service is charged as staff saw it when they sent the link and the money recorded
    (online, with a receipt). Money for a visit settled meanwhile stays on the balance."""
    row = _row_of(payment)
    if row is None or payment.client is None:
        logger.warning("checkout: payment %s names no checkout", payment.pk)
        return
    visit = locked_visit(row.visit)
    attendance = (
        Attendance.objects.for_org(visit.organization_id)
        .select_for_update(of=("self",))
        .select_related("client", "organization")
        .get(pk=row.attendance_id)
    )
    client = attendance.client
    now = timezone.now()
    still_due = (
        Checkout.objects.for_org(visit.organization_id)
        .filter(pk=row.pk, status=Checkout.Status.AWAITING)
        .exists()
        and attendance.charge == Attendance.Charge.NONE
    )
    if not still_due:
        money_received_record(
            client=client,
            amount=payment.amount,
            purpose=Entry.Purpose.TOP_UP,
            article=SERVICES_ARTICLE,
            actor=actor,
            cause=payment,
            comment=online_paid_otherwise_text(visit),
            deposit_line=BALANCE_TOP_UP_LINE,
            branch=visit.branch,
        )
        return
    covered = row.covered_prepayment + row.covered_balance
    summary = ParticipantCheckout(visit, attendance, row.price, [], row.due, False, row)
    write = LedgerWrite(organization=visit.organization, actor=actor)
    _covered_entry, charge_due = _charge(summary, actor, covered, row.due, write)
    first = charge_due or _covered_entry
    recorded = money_received_record(
        client=client,
        amount=payment.amount,
        purpose=Entry.Purpose.PAYMENT,
        article=SERVICES_ARTICLE,
        actor=actor,
        cause=row,
        comment=online_payment_text(visit),
        sold=_lines(visit, row.due, charge_due, max(payment.amount - row.due, 0)),
        branch=visit.branch,
        write=write,
    )
    write.save_rows()
    if first is not None:
        attendance_charge_record(attendance=attendance, entry_id=first.pk)
    Checkout.objects.for_org(visit.organization_id).filter(pk=row.pk).update(
        status=Checkout.Status.SETTLED,
        paid_online=payment.amount,
        settled_at=now,
        receipt_id=recorded.receipt.pk if recorded.receipt is not None else None,
    )
    write.audit(
        "checkout.settle",
        row,
        {"status": ["awaiting", "settled"], "paid": [None, payment.amount]},
    )
    write.save_audit()


def visit_checkout_failed(payment: Payment, actor: Actor) -> None:
    """The link was declined or expired: the visit is to pay again (nothing was charged)."""
    row = _row_of(payment)
    if row is None:
        return
    Checkout.objects.for_org(payment.organization_id).filter(
        pk=row.pk, status=Checkout.Status.AWAITING, payment_id=payment.pk
    ).update(status=Checkout.Status.CANCELLED)


def visit_checkout_refunded(payment: Payment, amount: int, actor: Actor) -> None:
    """The online money went back (inside the refund's transaction): the service stays
    delivered and charged, so the client owes it again — the balance shows the debt, and
    the checkout row records the refund, so the visit card shows it due again and the
    unpaid list lists it (as Square and Fresha leave a refunded visit unpaid) until staff
    take the money again (`visit_checkout`, `_repay`)."""
    client = payment.client
    if client is None:
        return
    row = _row_of(payment)
    money_refunded_record(
        client=client,
        amount=amount,
        actor=actor,
        cause=payment,
        comment=online_refund_text(row.visit if row is not None else None),
        branch=payment.branch if payment.branch_id else None,
    )
    if row is None or row.status != Checkout.Status.SETTLED or row.payment_id != payment.pk:
        return  # a link paid for a visit settled otherwise: that money was a top-up
    Checkout.objects.for_org(payment.organization_id).filter(pk=row.pk).update(
        refunded=F("refunded") + amount
    )
    audit_record(
        organization=payment.organization,
        actor=actor,
        action="checkout.refunded",
        obj=row,
        changes={"refunded": [row.refunded, row.refunded + amount]},
    )


def _repay(
    visit: Visit,
    attendance: Attendance,
    live: Checkout,
    payments: Sequence[PaymentIn],
    actor: Actor,
) -> CheckoutResult:
    """Take again what a refund left owing on a settled visit: the service is charged
    already, so the money pays the client's debt (a receipt of the money, no second sale)."""
    owed = live.owed_after_refund
    cash, card = _sum(payments, CASH), _sum(payments, CARD)
    currency = visit.organization.currency
    if _sum(payments, BALANCE) or _sum(payments, ONLINE_LINK):
        raise NotAddingUp(
            _("What a refund left owing is taken in cash or by card."), field="payments"
        )
    if cash + card < owed:
        raise NotAddingUp(
            _("The payments (%(paid)s) do not cover the amount due, %(due)s.")
            % {"paid": _money(cash + card, currency), "due": _money(owed, currency)},
            field="payments",
        )
    ways = [
        Received(a, m)
        for a, m in ((cash, PaymentType.Method.CASH), (card, PaymentType.Method.CARD))
        if a
    ]
    recorded = money_received_many(
        client=attendance.client,
        received=ways,
        purpose=Entry.Purpose.PAYMENT,
        article=SERVICES_ARTICLE,
        actor=actor,
        cause=live,
        comment=paid_again_text(visit),
        sold=repaid_lines(visit, owed, cash + card),
        branch=visit.branch,
    )
    Checkout.objects.for_org(visit.organization_id).filter(pk=live.pk).update(
        repaid=F("repaid") + cash + card,
        paid_cash=F("paid_cash") + cash,
        paid_card=F("paid_card") + card,
    )
    live.refresh_from_db()
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="checkout.repaid",
        obj=live,
        changes={"repaid": [None, cash + card]},
    )
    summary = _summaries_for(
        visit, [attendance], with_memberships=False, live={attendance.pk: live}
    )[0]
    receipt = recorded[0].receipt
    return CheckoutResult(summary, live, receipt_ids=[receipt.pk] if receipt is not None else [])


def visit_checkout_return_url(payment: Payment) -> str | None:
    return None
