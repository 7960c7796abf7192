"""The visit card offers to pay an awaited prepayment from the client's balance when the
free balance covers it (X5 at the desk): «Передоплата: очікується» next to «Покрито
балансом … · До сплати 0,00 грн» asked a client for money they had already left. Offered
and said plainly, never done by itself; what other paid bookings hold is not free."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import SYSTEM, make_staff
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_visit,
)
from tests.pages import staff_page
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry
from zapys.ledger.services import entry_create
from zapys.prepayments import services
from zapys.prepayments.models import Booking

pytestmark = pytest.mark.django_db

OFFER = 'data-testid="visit-balance-offer"'
BUTTON = 'data-testid="visit-pay-from-balance"'


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


def _panel(staff_client, booking: Booking) -> str:
    url = reverse("prepayments:visit_balance", args=[booking.visit_id])
    response = staff_client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def _snapshot(booking: Booking) -> tuple:
    booking.refresh_from_db()
    return (
        booking.status,
        booking.paid_from_balance,
        Entry.objects.filter(client_id=booking.client_id).count(),
        AuditLog.objects.filter(action="booking.paid_from_balance").count(),
    )


def test_the_card_loads_the_offer_for_an_awaited_prepayment(
    staff_client, owner, org, branch, ready
):
    booking = _booking(org, branch, make_client(org))
    card = staff_page(staff_client, owner, "uk", "schedule:visit_detail", booking.visit_id)
    url = reverse("prepayments:visit_balance", args=[booking.visit_id])
    assert url in card and 'data-testid="visit-balance-slot"' in card
    assert "очікується" in card  # the state stays said; the offer comes under it


def test_a_balance_that_covers_it_is_offered_in_words_and_not_taken(
    staff_client, owner, org, branch, ready
):
    client = make_client(org)
    booking = _booking(org, branch, client)
    _top_up(client, 50_000)
    before = _snapshot(booking)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    panel = _panel(staff_client, booking)
    assert OFFER in panel and BUTTON in panel
    assert "Баланс клієнта (500,00\u00a0грн) покриває передоплату (200,00\u00a0грн)." in panel
    assert "Сплатити з балансу" in panel
    owner.language = "en"
    owner.save(update_fields=["language"])
    panel = _panel(staff_client, booking)
    assert "The client's balance (" in panel and ") covers the prepayment (" in panel
    assert "Pay from balance" in panel and "грн" not in panel
    assert _snapshot(booking) == before  # offered, never done by itself


def test_one_click_pays_it_and_the_card_says_so(staff_client, owner, org, branch, ready):
    client = make_client(org)
    booking = _booking(org, branch, client)
    _top_up(client, 50_000)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    url = reverse("prepayments:visit_balance", args=[booking.visit_id])
    response = staff_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "calendarChanged"
    page = response.content.decode()
    assert 'data-testid="visit-card"' in page
    assert "Передоплату сплачено з балансу клієнта." in page
    booking.refresh_from_db()
    assert booking.status == "paid" and booking.paid_from_balance
    # paid: the card no longer asks the panel, and the panel offers nothing
    assert 'data-testid="visit-balance-slot"' not in page
    assert OFFER not in _panel(staff_client, booking)


def test_money_held_by_other_paid_bookings_is_not_offered(staff_client, owner, org, branch, ready):
    client = make_client(org)
    first = _booking(org, branch, client, days=2)
    second = _booking(org, branch, client, days=3)
    _top_up(client, 30_000)
    services.booking_pay_from_balance(booking=first, actor=SYSTEM)
    # 300 on the balance, 200 of it behind the first visit: 100 free, the second needs 200
    before = _snapshot(second)
    assert OFFER not in _panel(staff_client, second)
    response = staff_client.post(reverse("prepayments:visit_balance", args=[second.visit_id]))
    assert response.status_code == 302  # the service refused: said on the card, nothing paid
    assert _snapshot(second) == before

    _top_up(client, 20_000)  # 500, 200 held: 300 free covers it; said with what is held
    owner.language = "uk"
    owner.save(update_fields=["language"])
    panel = _panel(staff_client, second)
    assert OFFER in panel
    assert "вільно 300,00\u00a0грн" in panel and "200,00\u00a0грн із 500,00\u00a0грн" in panel


def test_no_offer_for_a_balance_too_small_or_a_specialist(
    client, staff_client, owner, org, branch, ready
):
    poor = _booking(org, branch, make_client(org))
    _top_up(poor.client, 10_000)
    assert OFFER not in _panel(staff_client, poor)
    rich = _booking(org, branch, make_client(org))
    _top_up(rich.client, 50_000)
    specialist = make_staff(org, "specialist", branches=[branch])
    rich.visit.staff = specialist
    rich.visit.save(update_fields=["staff"])
    client.force_login(specialist)
    assert OFFER not in _panel(client, rich)
    before = _snapshot(rich)
    url = reverse("prepayments:visit_balance", args=[rich.visit_id])
    assert client.post(url).status_code == 404
    assert _snapshot(rich) == before


def test_the_offer_costs_the_same_queries_whatever_the_clients_other_bookings(
    staff_client, owner, org, branch, ready
):
    lone = make_client(org)
    lone_booking = _booking(org, branch, lone)
    _top_up(lone, 100_000)
    busy = make_client(org)
    others = [_booking(org, branch, busy, days=d) for d in (3, 4, 5)]
    _top_up(busy, 100_000)
    for other in others:
        services.booking_pay_from_balance(booking=other, actor=SYSTEM)
    busy_booking = _booking(org, branch, busy, days=6)
    counts = []
    for booking in (lone_booking, busy_booking):
        with CaptureQueriesContext(connection) as ctx:
            assert OFFER in _panel(staff_client, booking)
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
