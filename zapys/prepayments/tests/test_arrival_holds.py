"""Marking a participant arrived charges the price to the balance only from the *free*
balance (`schedule.services.attendance._free_balance`): what a paid prepayment of the
client's other visit holds stays that visit's, as the checkout keeps it (docs/architecture.md,
"The visit card's money"). A client who had paid 200 for tomorrow's appointment and came to
today's 200 lesson had tomorrow's prepayment spent on the lesson by the mark."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM, make_staff
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from zapys.catalog.services import subject_create
from zapys.checkout.services import checkout_summary
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.payments.services import payment_succeed
from zapys.prepayments.models import Booking
from zapys.schedule.models import Attendance
from zapys.schedule.services import attendance_mark, lesson_create

pytestmark = pytest.mark.usefixtures("midday")

PRICE = 20_000


def _prepaid_tomorrow(org, branch, client) -> Booking:
    """The client's appointment tomorrow, its 200 prepayment paid online."""
    enable_prepayment(org)
    visit = make_visit(
        org,
        branch,
        client=client,
        service=make_service(org, price=45_000),
        starts_at=timezone.now() + timedelta(days=1),
    )
    booking = make_booking(
        org, branch, visit=visit, booking_type=make_booking_type(org, "fixed", PRICE)
    )
    assert booking.payment is not None
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID
    return booking


def _lesson_today(org, branch, client) -> Attendance:
    (lesson,) = lesson_create(
        subject=subject_create(organization=org, name="Yoga", actor=SYSTEM),
        organization=org,
        branch=branch,
        staff=make_staff(org, "specialist", branches=[branch]),
        starts_at=timezone.now() - timedelta(minutes=20),
        duration_minutes=60,
        capacity=5,
        price=PRICE,
        client_ids=[client.pk],
        actor=SYSTEM,
    )
    return Attendance.objects.get(visit=lesson, client=client)


def _covered(visit) -> list[tuple[str, int]]:
    return [(c.source, c.amount) for c in checkout_summary(visit).covered]


def test_a_lesson_arrival_keeps_another_visits_prepayment(org, branch, actor):
    client = make_client(org)
    booking = _prepaid_tomorrow(org, branch, client)
    attendance = _lesson_today(org, branch, client)
    assert client_balance(client) == PRICE  # all of it tomorrow's
    attendance_mark(attendance=attendance, state=Attendance.State.ATTENDED, actor=actor)
    attendance.refresh_from_db()
    # arrived, nothing charged: the lesson waits for its checkout, the 200 stays tomorrow's
    assert (attendance.state, attendance.charge) == ("attended", Attendance.Charge.NONE)
    assert not Entry.objects.filter(purpose="service").exists()
    assert client_balance(client) == PRICE
    assert _covered(booking.visit) == [("prepayment", PRICE)]
    assert checkout_summary(attendance.visit, attendance.client_id).due == PRICE


def test_a_lesson_arrival_spends_the_free_part(org, branch, actor):
    client = make_client(org)
    booking = _prepaid_tomorrow(org, branch, client)
    entry_create(client=client, kind="debit", amount=PRICE, purpose="top_up", actor=SYSTEM)
    attendance = _lesson_today(org, branch, client)
    attendance_mark(attendance=attendance, state=Attendance.State.ATTENDED, actor=actor)
    attendance.refresh_from_db()
    assert attendance.charge == Attendance.Charge.BALANCE  # the free 200 paid the lesson
    assert client_balance(client) == PRICE  # tomorrow's 200, untouched
    assert _covered(booking.visit) == [("prepayment", PRICE)]


def test_an_appointment_arrival_keeps_another_visits_prepayment(org, branch, actor):
    client = make_client(org)
    booking = _prepaid_tomorrow(org, branch, client)
    today = make_visit(
        org,
        branch,
        staff=make_staff(org, "specialist", branches=[branch]),
        client=client,
        service=make_service(org, price=PRICE),
        starts_at=timezone.now() - timedelta(minutes=20),
    )
    attendance = Attendance.objects.get(visit=today)
    attendance_mark(attendance=attendance, state=Attendance.State.ATTENDED, actor=actor)
    attendance.refresh_from_db()
    assert (attendance.state, attendance.charge) == ("attended", Attendance.Charge.NONE)
    assert client_balance(client) == PRICE
    assert _covered(booking.visit) == [("prepayment", PRICE)]
