"""The checkout spends only the client's free balance: money that paid prepayments of the
client's other visits hold stays theirs (issue 17, fifth tour). Closing visit A used to
take visit B's prepayment off the balance; B's checkout then showed less prepayment than
was paid, and B's no-show fee had nothing to take."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_service,
    make_visit,
)
from zapys.checkout.models import Checkout
from zapys.checkout.services import NotAddingUp, PaymentIn, checkout_summary, visit_checkout
from zapys.ledger.models import Entry, SalesReceipt
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.payments.services import payment_succeed
from zapys.prepayments.models import Booking
from zapys.schedule.models import Attendance

pytestmark = pytest.mark.usefixtures("midday")


def _prepay(org, branch, visit, amount):
    enable_prepayment(org)
    booking = make_booking(
        org, branch, visit=visit, booking_type=make_booking_type(org, "fixed", amount)
    )
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID
    return booking


def _later_visit_prepaid(org, branch, client, amount=20_000):
    """Visit B, in two days, of the same client, its 200 грн prepayment paid online."""
    later = make_visit(org, branch, client=client, service=make_service(org, price=45_000))
    return later, _prepay(org, branch, later, amount)


def _covered(summary):
    return [(c.source, c.amount) for c in summary.covered]


def test_another_visits_prepayment_is_not_spent(org, branch, visit, actor):
    later, booking = _later_visit_prepaid(org, branch, visit.client)
    assert client_balance(visit.client) == 20_000  # all of it B's
    s = checkout_summary(visit)
    assert (_covered(s), s.due) == ([], 45_000)
    visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    # B's money is still on the balance, its booking paid, its checkout covered by it whole
    assert client_balance(visit.client) == 20_000
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID
    charge = Entry.objects.get(pk=Attendance.objects.get(visit=visit).entry_id)
    assert charge.amount == 45_000  # one charge: no part "covered by the balance"
    assert Entry.objects.filter(kind="credit", purpose="service").count() == 1
    b = checkout_summary(later)
    assert (_covered(b), b.due) == ([("prepayment", 20_000)], 25_000)


def test_the_free_part_of_the_balance_covers(org, branch, visit, actor):
    _later_visit_prepaid(org, branch, visit.client)
    entry_create(client=visit.client, kind="debit", amount=30_000, purpose="top_up", actor=SYSTEM)
    s = checkout_summary(visit)
    assert (_covered(s), s.due) == ([("balance", 30_000)], 15_000)
    result = visit_checkout(visit=visit, payments=[PaymentIn("cash", 15_000)], actor=actor)
    assert (result.checkout.covered_balance, result.checkout.due) == (30_000, 15_000)
    assert client_balance(visit.client) == 20_000  # B's 200 left, untouched


def test_own_prepayment_counts_besides_another_visits(org, branch, visit, actor):
    # A is in two days too (a prepayment is taken before the visit); B holds its own 200
    visit = make_visit(org, branch, client=visit.client, service=make_service(org, price=45_000))
    _prepay(org, branch, visit, 10_000)
    _later_visit_prepaid(org, branch, visit.client)
    s = checkout_summary(visit)
    assert (_covered(s), s.due) == ([("prepayment", 10_000)], 35_000)
    visit_checkout(visit=visit, payments=[PaymentIn("card", 35_000)], actor=actor)
    assert client_balance(visit.client) == 20_000


def test_a_settled_later_visit_holds_nothing(org, branch, visit, actor):
    """Once B's attendance is marked (here: cancelled for the client), its booking no longer
    holds the money: the usual rule of `balance_held_by_bookings`."""
    later, _booking = _later_visit_prepaid(org, branch, visit.client)
    Attendance.objects.filter(visit=later).update(state=Attendance.State.ABSENT)
    s = checkout_summary(visit)
    assert (_covered(s), s.due) == ([("balance", 20_000)], 25_000)


def test_paying_less_than_due_is_refused_and_writes_nothing(org, branch, visit, actor):
    """With B's 200 held, A's 450 is all due: 250 (what the old rule asked) is not enough,
    nor may the balance be charged beyond what is due; nothing is written either way."""
    _later_visit_prepaid(org, branch, visit.client)
    before = (Entry.objects.count(), SalesReceipt.objects.count(), Checkout.objects.count())
    with pytest.raises(NotAddingUp):
        visit_checkout(visit=visit, payments=[PaymentIn("card", 25_000)], actor=actor)
    with pytest.raises(NotAddingUp):
        visit_checkout(visit=visit, payments=[PaymentIn("balance", 50_000)], actor=actor)
    assert (Entry.objects.count(), SalesReceipt.objects.count(), Checkout.objects.count()) == (
        before
    )
    assert client_balance(visit.client) == 20_000
    assert Attendance.objects.get(visit=visit).charge == Attendance.Charge.NONE


def test_asking_what_is_held_is_one_query_and_only_for_a_positive_balance(org, branch, visit):
    """The summary asks the prepayment app once (one query, whatever it finds) and only when
    the balance could cover something: a client with nothing on the balance costs none."""
    with CaptureQueriesContext(connection) as empty:
        checkout_summary(visit)
    _later_visit_prepaid(org, branch, visit.client)
    with CaptureQueriesContext(connection) as held:
        checkout_summary(visit)
    assert len(held) == len(empty) + 1
    assert sum("prepayments_booking" in q["sql"] for q in held.captured_queries) == 2
