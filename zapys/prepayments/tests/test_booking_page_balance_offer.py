"""«Сплатити з балансу» on the prepayment's pages follows the visit card's rule: offered when
the client's *free* balance covers the prepayment (`selectors.booking_balance_offer`, one
rule for all three pages). The booking's page and the visit's prepayment page offered it
when the *whole* balance covered it, and the service refused after the click, because part
of that balance stood behind the client's other paid prepayments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_visit,
)
from tests.pages import staff_page
from zapys.ledger.models import Entry
from zapys.ledger.services import entry_create
from zapys.payments.services import payment_succeed
from zapys.prepayments.models import Booking
from zapys.prepayments.selectors import booking_balance_offer

pytestmark = pytest.mark.django_db

BUTTON = 'data-testid="pay-from-balance"'
NOTE = 'data-testid="balance-held-note"'


@pytest.fixture
def ready(org):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000)


def _booking(org, branch, client, days: int = 2) -> Booking:
    visit = make_visit(
        org, branch, client=client, starts_at=timezone.now() + timedelta(days=days, hours=3)
    )
    return make_booking(org, branch, visit=visit)


def _top_up(client, amount: int) -> None:
    entry_create(client=client, kind="debit", amount=amount, purpose="top_up", actor=SYSTEM)


def _pages(staff_client, owner, booking: Booking, language: str = "uk") -> list[str]:
    """The booking's own page and the visit's prepayment page."""
    return [
        staff_page(staff_client, owner, language, "prepayments:detail", booking.pk),
        staff_page(staff_client, owner, language, "prepayments:visit_booking", booking.visit_id),
    ]


def _held_elsewhere(org, branch, client) -> Booking:
    """Another visit of the client, its 200 prepayment paid online: 200 of the balance held."""
    other = _booking(org, branch, client, days=5)
    assert other.payment is not None
    payment_succeed(payment=other.payment, actor=SYSTEM)
    other.refresh_from_db()
    assert other.status == Booking.Status.PAID
    return other


def test_offered_when_the_free_balance_covers_it(staff_client, owner, org, branch, ready):
    client = make_client(org)
    booking = _booking(org, branch, client)
    _top_up(client, 20_000)
    offer = booking_balance_offer(booking)
    assert offer is not None and (offer.balance, offer.held, offer.covers) == (20_000, 0, True)
    for html in _pages(staff_client, owner, booking):
        assert BUTTON in html and NOTE not in html


def test_not_offered_when_other_prepayments_hold_the_balance(
    staff_client, owner, org, branch, ready
):
    """400 on the balance, 200 of it another visit's: 200 free still covers this 200; with
    a second held visit nothing is free and neither page offers it — each says why."""
    client = make_client(org)
    booking = _booking(org, branch, client)
    _held_elsewhere(org, branch, client)
    _top_up(client, 20_000)  # 400: 200 held, 200 free
    assert booking_balance_offer(booking).covers
    for html in _pages(staff_client, owner, booking):
        assert BUTTON in html

    _held_elsewhere(org, branch, client)  # 600 on the balance, 400 held: 200 free
    _held_again = booking_balance_offer(booking)
    assert (_held_again.balance, _held_again.held, _held_again.free) == (60_000, 40_000, 20_000)
    assert _held_again.covers  # still exactly enough

    # 100 spent elsewhere: the whole balance (500) covers 200, the free part (100) does not
    entry_create(client=client, kind="credit", amount=10_000, purpose="service", actor=SYSTEM)
    offer = booking_balance_offer(booking)
    assert (offer.balance, offer.held, offer.free, offer.covers) == (50_000, 40_000, 10_000, False)
    for html in _pages(staff_client, owner, booking):
        assert BUTTON not in html
        assert NOTE in html and "Вільно лише 100,00" in html and "400,00" in html
    # what the button would have done: the service refuses, nothing changes
    entries = Entry.objects.filter(client=client).count()
    response = staff_client.post(reverse("prepayments:action", args=[booking.pk, "balance"]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert Entry.objects.filter(client=client).count() == entries


def test_the_note_reads_in_english(staff_client, owner, org, branch, ready):
    client = make_client(org)
    booking = _booking(org, branch, client)
    _held_elsewhere(org, branch, client)
    _top_up(client, 10_000)  # 300: 200 held, 100 free
    for html in _pages(staff_client, owner, booking, "en"):
        assert BUTTON not in html
        assert "Only UAH\xa0100.00 of the balance is free: UAH\xa0200.00 stands behind" in html
        assert "Вільно" not in html


def test_no_offer_for_a_paid_booking(org, branch, ready):
    client = make_client(org)
    booking = _held_elsewhere(org, branch, client)
    _top_up(client, 50_000)
    assert booking_balance_offer(booking) is None
