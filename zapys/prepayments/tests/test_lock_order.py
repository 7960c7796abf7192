"""Paying a prepayment from the balance while its card payment's callback arrives (PostgreSQL,
two threads, two connections): both finish — one pays, the other reads it paid — and the
balance pays once.

The two paths used to lock the same rows in opposite orders: the callback the payment, then
the booking; paying from the balance the client, the booking, then the payment (closing the
link). Each could hold one and wait for the other, and PostgreSQL broke the cycle by failing
one of them. Now both take `payments/locks.py`'s order — client, payment, booking, visit —
so one waits for the other. Each test makes one side hold its locks until the other is
seen waiting for a lock (`pg_locks`: tests/pg_locks.py), so the interleaving that
deadlocked before is the one tested, every run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_visit,
)
from tests.pg_locks import Hold, at_once, link_paid, needs_postgresql
from zapys.core.exceptions import Conflict
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.payments.models import Payment, PaymentEvent
from zapys.prepayments import purposes
from zapys.prepayments.models import Booking
from zapys.prepayments.services import booking_paid, cancellation, visit_money
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_cancel

pytestmark = pytest.mark.postgres_only

AMOUNT = 20_000


@pytest.fixture
def race(transactional_db) -> dict[str, Any]:
    needs_postgresql()
    org = make_org("Race")
    with org_scope(org):
        branch = make_branch(org, "Main")
        enable_prepayment(org)
        make_booking_type(org, "fixed", AMOUNT)
        client = make_client(org)
        entry_create(client=client, kind="debit", amount=50_000, purpose="top_up", actor=SYSTEM)
        visit = make_visit(org, branch, client=client, starts_at=timezone.now() + timedelta(days=2))
        booking = make_booking(org, branch, visit=visit)
        assert booking.payment is not None
    return {"org": org, "booking": booking, "payment": booking.payment, "client": client}


def _callback(race: dict[str, Any]) -> str:
    return link_paid(race["org"], race["payment"])


def _from_balance(race: dict[str, Any]) -> str:
    with org_scope(race["org"]), translation.override("en"):
        booking = Booking.objects.select_related("organization", "client").get(
            pk=race["booking"].pk
        )
        try:
            booking_paid.booking_pay_from_balance(booking=booking, actor=SYSTEM)
        except Conflict as exc:
            return f"409: {exc.detail}"
        return "paid"


def _money(race: dict[str, Any]) -> dict[str, Any]:
    with org_scope(race["org"]):
        booking = Booking.objects.get(pk=race["booking"].pk)
        entries = Entry.objects.filter(client=race["client"], purpose="prepayment")
        return {
            "status": booking.status,
            "from_balance": booking.paid_from_balance,
            "extra_payments": booking.extra_payments,
            "balance_pairs": (
                entries.filter(kind="credit").count(),
                entries.filter(kind="debit").count(),
            ),
            "card_money": sum(
                e.amount for e in entries.filter(kind="debit", cause_type="prepayments.booking")
            ),
            "balance": client_balance(race["client"]),
            "payment": Payment.objects.get(pk=race["payment"].pk).status,
        }


def test_the_callback_first_the_balance_reads_it_paid(race, monkeypatch):
    """The callback holds the payment when the balance path asks for it: the balance path
    waits (it used to hold the client and the booking and wait for the payment while the
    callback waited for the booking, or for the client row its ledger entries name), then
    finds the booking paid by card and takes nothing."""
    hold = Hold()  # the payment is locked when the booking is told it succeeded
    hold.inside(monkeypatch, purposes, "booking_payment_succeeded")

    def balance_once_the_callback_holds() -> str:
        hold.wait()
        return _from_balance(race)

    outcomes = at_once(callback=lambda: _callback(race), balance=balance_once_the_callback_holds)
    assert outcomes["callback"] == PaymentEvent.Outcome.APPLIED, outcomes
    assert outcomes["balance"] == "409: This booking is already paid.", outcomes
    assert hold.seen == [True], "the balance path never waited for the callback's lock"
    money = _money(race)
    assert money["status"] == Booking.Status.PAID and not money["from_balance"]
    # the card's money once, on the balance (the prepayment's deposit); nothing from it
    assert money["balance_pairs"] == (0, 1)
    assert money["card_money"] == AMOUNT
    assert money["balance"] == 50_000 + AMOUNT
    assert money["payment"] == Payment.Status.SUCCEEDED


def test_the_balance_first_the_callback_keeps_the_card_money(race, monkeypatch):
    """The balance path holds the client, the payment and the booking when the callback
    arrives: the callback waits for the payment (it used to lock the payment and wait for
    the booking while the balance path waited for the payment), then finds the booking paid
    from the balance — the card's money is a second payment, kept on the balance and
    flagged, never lost; the balance paid the prepayment once."""
    hold = Hold()  # client, payment and booking are locked when the balance is read
    hold.inside(monkeypatch, booking_paid, "client_balance")

    def callback_once_the_balance_holds() -> str:
        hold.wait()
        return _callback(race)

    outcomes = at_once(
        balance=lambda: _from_balance(race), callback=callback_once_the_balance_holds
    )
    assert outcomes["balance"] == "paid", outcomes
    assert outcomes["callback"] == PaymentEvent.Outcome.APPLIED, outcomes
    assert hold.seen == [True], "the callback never waited for the balance path's lock"
    money = _money(race)
    assert money["status"] == Booking.Status.PAID and money["from_balance"]
    assert money["extra_payments"] == 1  # the card's money, flagged for staff
    # one pair from the balance (taken, deposited) and the card's money once more
    assert money["balance_pairs"] == (1, 2)
    assert money["balance"] == 50_000 + AMOUNT
    assert money["payment"] == Payment.Status.SUCCEEDED  # a late success of the closed link


def test_cancelling_the_visit_while_its_link_is_paid(race, monkeypatch):
    """Staff cancel the visit while its open link's callback arrives. The cancel used to
    lock the visit, then the booking (`visit_money._live_booking`), then close the link —
    the payment; the callback locks the payment, the booking, then the visit: held here
    until the callback is seen waiting, the two deadlocked every run. The cancel now locks
    the payment and the booking before the visit (`visit_status_locking`), so the callback
    waits, then finds the booking cancelled: the money is kept on the balance, flagged as
    paid late."""
    # the visit (and, now, the payment and the booking first) is locked when its live
    # booking is read
    hold = Hold()
    hold.inside(monkeypatch, visit_money, "_live_booking")

    def cancel() -> str:
        with org_scope(race["org"]), translation.override("en"):
            visit = Visit.objects.select_related("organization").get(pk=race["booking"].visit_id)
            return visit_cancel(visit=visit, actor=SYSTEM).status.name

    def callback_once_the_cancel_holds() -> str:
        hold.wait()
        return _callback(race)

    outcomes = at_once(cancel=cancel, callback=callback_once_the_cancel_holds)
    assert set(outcomes) == {"cancel", "callback"}
    assert "Traceback" not in outcomes["cancel"], outcomes
    assert outcomes["callback"] == PaymentEvent.Outcome.APPLIED, outcomes
    assert hold.seen == [True], "the callback never waited for the cancel's lock"
    money = _money(race)
    with org_scope(race["org"]):
        booking = Booking.objects.select_related("visit__status").get(pk=race["booking"].pk)
    assert booking.visit.status.is_cancellation
    assert money["status"] == Booking.Status.CANCELLED and booking.paid_late
    assert money["card_money"] == AMOUNT and money["balance"] == 50_000 + AMOUNT


def test_restoring_a_late_booking_while_staff_cancel_it(race, monkeypatch):
    """One staff member restores a booking paid after its deadline while another cancels
    it. The restore used to lock the visit, then the booking; the cancel locks the payment,
    the booking, then the visit (its clock): held here until the cancel is seen waiting, the
    two deadlocked every run. The restore now takes the payment, the booking, then the visit,
    so the cancel waits, then cancels the restored booking, its money kept on the balance."""
    with org_scope(race["org"]):
        Booking.objects.filter(pk=race["booking"].pk).update(status=Booking.Status.EXPIRED)
    assert _callback(race) == PaymentEvent.Outcome.APPLIED  # the money came late
    with org_scope(race["org"]):
        assert Booking.objects.get(pk=race["booking"].pk).paid_late
    # the visit (and, now, the payment and the booking first) is locked once it returns
    hold = Hold()
    hold.inside(monkeypatch, cancellation, "visit_locked", after=True)

    def fresh() -> Booking:
        return Booking.objects.select_related("organization", "visit").get(pk=race["booking"].pk)

    def restore() -> str:
        with org_scope(race["org"]), translation.override("en"):
            return cancellation.booking_restore(booking=fresh(), actor=SYSTEM).status

    def cancel_once_the_restore_holds() -> str:
        hold.wait()
        with org_scope(race["org"]), translation.override("en"):
            return cancellation.booking_cancel(booking=fresh(), actor=SYSTEM).status

    outcomes = at_once(restore=restore, cancel=cancel_once_the_restore_holds)
    assert outcomes == {
        "restore": Booking.Status.PAID,
        "cancel": Booking.Status.CANCELLED,
    }, outcomes
    assert hold.seen == [True], "the cancel never waited for the restore's lock"
    money = _money(race)
    assert money["status"] == Booking.Status.CANCELLED
    assert money["card_money"] == AMOUNT and money["balance"] == 50_000 + AMOUNT
