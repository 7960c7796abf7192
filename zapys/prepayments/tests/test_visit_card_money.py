"""The visit card speaks about money once (fifth tour; docs/architecture.md, "The visit
card's money").

A visit eight days ahead showed «Передоплата: очікується» with «Сплатити з балансу» and,
below, a checkout reading «Покрито балансом −300,00 грн · До сплати 0,00 · Закрити: до
сплати нічого». Now a visit days ahead shows its prepayment only (the balance is one more
button in that row); a visit due now (today, past, the client arrived) shows the checkout,
which subtracts a received prepayment in words and says what is left to pay."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from tests.pages import staff_page
from zapys.core.tenancy import organization_zone
from zapys.ledger.models import Entry
from zapys.ledger.services import entry_create
from zapys.prepayments import services
from zapys.prepayments.models import Booking
from zapys.schedule.models import Visit

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
CHECKOUT = 'data-testid="checkout-slot"'
PREPAYMENT_ROW = 'data-testid="visit-prepayment"'
BALANCE_SLOT = 'data-testid="visit-balance-slot"'


@pytest.fixture
def ready(org):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000)


def _top_up(client, amount: int) -> None:
    entry_create(client=client, kind="debit", amount=amount, purpose="top_up", actor=SYSTEM)


def _booking(org, branch, client, *, days: int = 8, price: int = 50_000) -> Booking:
    visit = make_visit(
        org,
        branch,
        client=client,
        service=make_service(org, price=price),
        starts_at=timezone.now() + timedelta(days=days, hours=3),
    )
    return make_booking(org, branch, visit=visit)


def _move_to_today(org, booking: Booking) -> None:
    """The visit moved (in the database: as if days passed) to later today, in the
    organization's calendar; the booking as it was."""
    zone = organization_zone(org)
    now = timezone.now().astimezone(zone)
    late = datetime.combine(now.date(), time(23, 0), tzinfo=zone)
    starts = late if late > now else now
    Visit.objects.filter(pk=booking.visit_id).update(
        starts_at=starts, ends_at=starts + timedelta(minutes=30)
    )


def _panel(staff_client, visit_id: int) -> str:
    response = staff_client.get(
        reverse("checkout:visit_panel", args=[visit_id]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_visit_days_ahead_shows_its_prepayment_and_no_checkout(
    staff_client, owner, org, branch, ready
):
    """The tour's visit: eight days ahead, a prepayment awaited, a balance that covers it."""
    client = make_client(org)
    booking = _booking(org, branch, client)
    _top_up(client, 30_000)
    uk = staff_page(staff_client, owner, "uk", "schedule:visit_detail", booking.visit_id)
    assert PREPAYMENT_ROW in uk and "Передоплата: очікується" in uk
    assert BALANCE_SLOT in uk  # «Сплатити з балансу» comes into this row
    assert CHECKOUT not in uk and 'data-testid="visit-price"' in uk
    assert "До сплати" not in uk and "Покрито" not in uk
    en = staff_page(staff_client, owner, "en", "schedule:visit_detail", booking.visit_id)
    assert CHECKOUT not in en and "Prepayment: awaited" in en and "Due" not in en


def test_the_balance_offer_is_one_button_in_the_prepayment_row(
    staff_client, owner, org, branch, ready
):
    client = make_client(org)
    booking = _booking(org, branch, client)
    _top_up(client, 30_000)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    offer = staff_client.get(
        reverse("prepayments:visit_balance", args=[booking.visit_id]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert offer.count("<button") == 1 and "Сплатити з балансу" in offer
    assert "alert" not in offer  # no block of its own
    assert f"Баланс клієнта (300,00{NBSP}грн) покриває передоплату (200,00{NBSP}грн)." in offer
    owner.language = "en"
    owner.save(update_fields=["language"])
    offer = staff_client.get(
        reverse("prepayments:visit_balance", args=[booking.visit_id]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Pay from balance" in offer and "Pay from the balance" not in offer


def test_a_visit_today_shows_the_checkout_with_the_prepayment_subtracted(
    staff_client, owner, org, branch, ready
):
    client = make_client(org)
    booking = _booking(org, branch, client)  # price 500, prepayment 200
    _top_up(client, 20_000)
    services.booking_pay_from_balance(booking=booking, actor=SYSTEM)
    _move_to_today(org, booking)
    uk = staff_page(staff_client, owner, "uk", "schedule:visit_detail", booking.visit_id)
    assert CHECKOUT in uk
    assert PREPAYMENT_ROW not in uk and BALANCE_SLOT not in uk  # the checkout says it
    assert 'data-testid="visit-price"' not in uk  # nor the price twice: the checkout's first line
    panel = _panel(staff_client, booking.visit_id)
    assert "Передоплата отримана" in panel
    assert f"−200,00{NBSP}грн" in panel
    assert "До сплати" in panel and f"300,00{NBSP}грн" in panel
    assert "Покрито" not in panel and "З балансу клієнта" not in panel
    # the line links to the prepayment's page
    assert reverse("prepayments:visit_booking", args=[booking.visit_id]) in panel
    owner.language = "en"
    owner.save(update_fields=["language"])
    panel = _panel(staff_client, booking.visit_id)
    assert "Prepayment received" in panel and "Covered by" not in panel


def test_the_checkout_names_the_rest_of_the_balance_once(staff_client, owner, org, branch, ready):
    client = make_client(org)
    booking = _booking(org, branch, client)  # price 500, prepayment 200
    _top_up(client, 30_000)  # 200 for the prepayment, 100 free
    services.booking_pay_from_balance(booking=booking, actor=SYSTEM)
    _move_to_today(org, booking)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    panel = _panel(staff_client, booking.visit_id)
    assert "Передоплата отримана" in panel and f"−200,00{NBSP}грн" in panel
    assert "З балансу клієнта" in panel and f"−100,00{NBSP}грн" in panel
    assert f"200,00{NBSP}грн" in panel.split("До сплати", 1)[1]  # 500 − 200 − 100


def test_an_awaited_prepayment_on_a_visit_due_today(staff_client, owner, org, branch, ready):
    client = make_client(org)
    booking = _booking(org, branch, client)
    _top_up(client, 30_000)
    _move_to_today(org, booking)
    entries = Entry.objects.filter(client=client).count()
    uk = staff_page(staff_client, owner, "uk", "schedule:visit_detail", booking.visit_id)
    assert CHECKOUT in uk
    assert "Передоплату не внесено; посилання на оплату ще діє." in uk
    assert BALANCE_SLOT not in uk and "Запросити передоплату" not in uk
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING  # shown, nothing changed
    assert Entry.objects.filter(client=client).count() == entries


def test_a_client_who_arrived_early_gets_the_checkout(staff_client, owner, org, branch, ready):
    from zapys.schedule.services import visit_statuses_ensure

    client = make_client(org)
    booking = _booking(org, branch, client)
    came = next(s for s in visit_statuses_ensure(organization=org).values() if s.counts_as_came)
    Visit.objects.filter(pk=booking.visit_id).update(status=came)
    page = staff_page(staff_client, owner, "uk", "schedule:visit_detail", booking.visit_id)
    assert CHECKOUT in page


def test_the_card_costs_no_more_queries_due_or_not(staff_client, owner, org, branch, ready):
    """Whether the visit is due is read from rows the card loads anyway."""
    ahead = _booking(org, branch, make_client(org))
    today = _booking(org, branch, make_client(org))
    _move_to_today(org, today)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    counts = []
    for booking in (ahead, today):
        url = reverse("schedule:visit_detail", args=[booking.visit_id])
        staff_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_prepayment_page_is_named_by_its_visit(staff_client, owner, org, branch, ready):
    booking = _booking(org, branch, make_client(org))
    uk = staff_page(staff_client, owner, "uk", "prepayments:detail", booking.pk)
    title = uk.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Передоплата: Haircut ")
    assert "№" not in title and "Бронювання" not in uk.split('data-testid="breadcrumb"')[1][:600]
    # its online payment is named by its amount, not the payment's number («№4»)
    assert booking.payment_id is not None
    link = uk.split('data-testid="booking-payment">', 1)[1].split("<", 1)[0]
    assert link == f"200,00{NBSP}грн"
    en = staff_page(staff_client, owner, "en", "prepayments:detail", booking.pk)
    title = en.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Prepayment: Haircut ") and "#" not in title and " at " in title


def test_the_visit_prepayment_page_says_prepayment_not_booking(
    staff_client, owner, org, branch, ready
):
    client = make_client(org)
    booking = _booking(org, branch, client)
    _top_up(client, 20_000)
    services.booking_pay_from_balance(booking=booking, actor=SYSTEM)
    uk = staff_page(staff_client, owner, "uk", "prepayments:visit_booking", booking.visit_id)
    assert "Передоплату внесено. Якщо її скасувати" in uk
    assert "Відкрити передоплату" in uk and "бронюван" not in uk.lower()
    en = staff_page(staff_client, owner, "en", "prepayments:visit_booking", booking.visit_id)
    assert "Cancelling it keeps" in en and "Open prepayment" in en
