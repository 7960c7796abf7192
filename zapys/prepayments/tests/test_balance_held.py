"""A balance stands behind one paid booking at a time: paying a prepayment from the balance
leaves the balance as it was (the money waits there for the visit's checkout), so a 200 грн
balance must not "prepay" five visits. What other paid bookings of the client hold until
their visits are settled is not free for another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_paid_booking,
    make_visit,
)
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.prepayments import services
from zapys.prepayments.models import Booking
from zapys.schedule.services import visit_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(org):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _booking(org, branch, client, days: int) -> Booking:
    visit = make_visit(
        org, branch, client=client, starts_at=timezone.now() + timedelta(days=days, hours=3)
    )
    return make_booking(org, branch, visit=visit)


def _top_up(client, amount: int) -> None:
    entry_create(client=client, kind="debit", amount=amount, purpose="top_up", actor=SYSTEM)


def _snapshot(booking: Booking) -> tuple:
    booking.refresh_from_db()
    return (
        booking.status,
        booking.paid_from_balance,
        Entry.objects.filter(client_id=booking.client_id).count(),
        AuditLog.objects.filter(action="booking.paid_from_balance").count(),
    )


def test_one_balance_pays_one_prepayment_not_two(org, branch, ready):
    client = make_client(org)
    first, second = _booking(org, branch, client, 2), _booking(org, branch, client, 3)
    _top_up(client, 20_000)
    services.booking_pay_from_balance(booking=first, actor=SYSTEM)
    assert client_balance(client) == 20_000  # the money waits on the balance for the visit
    before = _snapshot(second)
    with translation.override("uk"), pytest.raises(DomainError) as refused:
        services.booking_pay_from_balance(booking=second, actor=SYSTEM)
    assert refused.value.detail.replace("\xa0", " ") == (
        "На балансі 200,00 грн, але 200,00 грн із них уже забезпечують інші сплачені "
        "передоплати; вільних 0,00 грн не вистачає на передоплату (200,00 грн)."
    )
    assert _snapshot(second) == before and before[0] == Booking.Status.PENDING


def test_what_is_left_free_pays_the_next(org, branch, ready):
    client = make_client(org)
    first, second = _booking(org, branch, client, 2), _booking(org, branch, client, 3)
    _top_up(client, 40_000)
    services.booking_pay_from_balance(booking=first, actor=SYSTEM)
    services.booking_pay_from_balance(booking=second, actor=SYSTEM)
    second.refresh_from_db()
    assert second.status == Booking.Status.PAID and second.paid_from_balance


def test_a_card_paid_booking_holds_its_money_too(org, branch, ready):
    """The card's money landed on the balance for that visit: it pays no other booking."""
    paid = make_paid_booking(org, branch)
    assert client_balance(paid.client) == 20_000
    other = _booking(org, branch, paid.client, 4)
    before = _snapshot(other)
    with pytest.raises(DomainError):
        services.booking_pay_from_balance(booking=other, actor=SYSTEM)
    assert _snapshot(other) == before


def test_a_settled_visit_no_longer_holds_the_money(org, branch, ready):
    """The first visit was cancelled (the booking with it, the money left on the balance as
    the policy says): nothing holds it, so it pays the next booking."""
    client = make_client(org)
    first, second = _booking(org, branch, client, 2), _booking(org, branch, client, 3)
    _top_up(client, 20_000)
    services.booking_pay_from_balance(booking=first, actor=SYSTEM)
    visit_cancel(visit=first.visit, actor=SYSTEM, options={"by": "client"})
    first.refresh_from_db()
    assert first.status != Booking.Status.PAID
    services.booking_pay_from_balance(booking=second, actor=SYSTEM)
    second.refresh_from_db()
    assert second.status == Booking.Status.PAID


def test_another_clients_paid_booking_holds_nothing_of_this_balance(org, branch, ready):
    other_client = make_client(org)
    _top_up(other_client, 20_000)
    services.booking_pay_from_balance(booking=_booking(org, branch, other_client, 2), actor=SYSTEM)
    client = make_client(org)
    mine = _booking(org, branch, client, 3)
    _top_up(client, 20_000)
    services.booking_pay_from_balance(booking=mine, actor=SYSTEM)
    mine.refresh_from_db()
    assert mine.status == Booking.Status.PAID
