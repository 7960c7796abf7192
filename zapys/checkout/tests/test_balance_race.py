"""A visit's checkout and a prepayment paid from the same balance at the same instant
(PostgreSQL, two threads, two connections): the two together never spend more than the
client's free balance.

The checkout read the free balance under the visit's and the attendance's locks only, while
paying a prepayment from the balance decides under the client's row lock
(`payments.locks.balance_owner_lock`). Neither waited for the other: the prepayment's path
read 300 free and paid visit B's 300 from it, the checkout of visit A read the same 300 free
(B not paid yet in its snapshot) and covered A with it — 600 of promises on 300 of money.
The checkout now takes the client's lock first too (`checkout.services._lock`, lock 1 of
`payments/locks.py`), so the second decides from what the first left. The test makes the
prepayment's side hold its locks until the checkout is seen waiting (`tests/pg_locks.py`):
on the old code nobody waits, the hold gives up after ~30 s and both spend."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from tests.pg_locks import at_once, hold_until_the_other_waits
from zapys.checkout.models import Checkout
from zapys.checkout.services import NotAddingUp, PaymentIn, checkout_summary, visit_checkout
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.prepayments.models import Booking
from zapys.prepayments.services import booking_paid, booking_pay_from_balance
from zapys.schedule.models import Attendance, Visit

pytestmark = pytest.mark.postgres_only

FREE = 30_000  # the client's balance, all of it free before the race


def test_a_checkout_and_a_prepayment_from_the_balance_spend_the_free_money_once(
    transactional_db, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    org = make_org("Race")
    with org_scope(org):
        branch = make_branch(org, "Main")
        enable_prepayment(org)
        client = make_client(org)
        entry_create(client=client, kind="debit", amount=FREE, purpose="top_up", actor=SYSTEM)
        today = make_visit(  # A: started half an hour ago, 450
            org,
            branch,
            client=client,
            service=make_service(org, price=45_000),
            starts_at=timezone.now() - timedelta(minutes=30),
        )
        later = make_visit(org, branch, client=client, starts_at=timezone.now() + timedelta(days=2))
        booking = make_booking(  # B's prepayment, 300, awaiting payment
            org, branch, visit=later, booking_type=make_booking_type(org, "fixed", FREE)
        )
        # what the desk sees before the race: A covered by the 300 free, 150 to take
        seen_due = checkout_summary(today).due
        assert seen_due == 45_000 - FREE

    holding, seen = threading.Event(), []
    original = booking_paid.balance_held_by_bookings

    def held_then_hold(paid: Booking) -> int:
        # the prepayment's path has read the balance under the client's lock and decided
        held = original(paid)
        holding.set()
        hold_until_the_other_waits(seen)  # until the checkout waits for a lock
        return held

    monkeypatch.setattr(booking_paid, "balance_held_by_bookings", held_then_hold)

    def prepayment() -> str:
        with org_scope(org), translation.override("en"):
            fresh = Booking.objects.select_related("organization").get(pk=booking.pk)
            booking_pay_from_balance(booking=fresh, actor=SYSTEM)
            return "paid"

    def desk() -> str:
        assert holding.wait(60)
        with org_scope(org), translation.override("en"):
            fresh = Visit.objects.select_related("organization").get(pk=today.pk)
            try:
                visit_checkout(visit=fresh, payments=[PaymentIn("cash", seen_due)], actor=SYSTEM)
                return "paid"
            except NotAddingUp as exc:
                return f"422: {exc.detail}"

    outcomes = at_once(prepayment=prepayment, desk=desk)  # tests/pg_locks.py
    # B paid from the 300 first; the desk then finds nothing free and A all due (before the
    # client's lock: both "paid", the 300 promised to B and spent on A)
    assert outcomes == {
        "prepayment": "paid",
        "desk": "422: The payments (UAH\xa0150.00) do not cover the amount due, UAH\xa0450.00.",
    }, outcomes
    assert seen == [True], "the checkout never waited for the balance's lock"
    with org_scope(org):
        assert Booking.objects.get(pk=booking.pk).status == Booking.Status.PAID
        assert not Checkout.objects.exists()
        assert not Entry.objects.filter(purpose="service").exists()  # A charged nothing
        assert Attendance.objects.get(visit=today).charge == Attendance.Charge.NONE
        assert client_balance(client) == FREE  # B's 300, still there for B
        # A's checkout now: the whole price, B's money held for B
        assert checkout_summary(today).due == 45_000
