"""Issue 17, the reviewers' tour of the prepayment pages: the totals under the status cards
add up and say why "Paid 2" sits beside "money received: 5"; one name for a link that
expired unpaid; the cancellations report heads its first column by what it groups and
says a waived fee is forgiven, not cancelled; the booking's policy agrees in Ukrainian;
and the visit's prepayment page shows the booking's amount and state with its actions."""

from __future__ import annotations

import re

import pytest

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_paid_booking,
)
from tests.pages import staff_page
from zapys.ledger.models import Entry
from zapys.ledger.services import entry_create
from zapys.prepayments import services, sweeps
from zapys.prepayments.models import Booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _paid(org, branch) -> Booking:
    return make_paid_booking(org, branch)


def _number(page: str, testid: str) -> int:
    found = re.search(rf'data-testid="{testid}">(\d+)<', page)
    assert found is not None, testid
    return int(found.group(1))


def _expired_unpaid(org, branch) -> Booking:
    booking = make_booking(org, branch)
    # the visit stays: the booking is "Expired", not auto-cancelled
    Booking.objects.filter(pk=booking.pk).update(auto_cancel_at=None)
    sweeps.sweep(booking.expires_at)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED and booking.paid_at is None
    return booking


# --------------------------------------------------------------------------- the report


def test_money_received_adds_up_with_the_paid_card_and_says_where_the_rest_is(
    staff_client, owner, org, branch, ready, sandbox_in_process
):
    """The demo read "Оплачено 2" above "гроші отримано: 5": the line now says 2 of the 5
    are paid now and 3 were cancelled or refunded afterwards, and the numbers add up."""
    _paid(org, branch)
    _paid(org, branch)
    kept = _paid(org, branch)
    services.booking_cancel(booking=kept, actor=SYSTEM)  # the money stays on the balance
    refunded = _paid(org, branch)
    services.booking_cancel(booking=refunded, actor=SYSTEM)
    services.booking_refund(booking=refunded, actor=SYSTEM)
    refunded.refresh_from_db()
    assert refunded.status == Booking.Status.REFUNDED
    make_booking(org, branch)  # awaiting: no money

    uk = staff_page(staff_client, owner, "uk", "prepayments:bookings")
    received = _number(uk, "total-received")
    paid = _number(uk, "total-paid")
    assert (received, paid) == (4, 2)
    assert _number(uk, "total-received-paid") == paid
    assert _number(uk, "total-received-elsewhere") == received - paid == 2
    assert "З них зараз «Оплачено»" in uk
    assert "З них скасовано, повернено або оплачено із запізненням" in uk
    en = staff_page(staff_client, owner, "en", "prepayments:bookings")
    assert "Of them “Paid” now" in en and "Of them cancelled, refunded or paid late" in en


def test_nothing_elsewhere_is_not_announced(staff_client, owner, org, branch, ready):
    _paid(org, branch)
    uk = staff_page(staff_client, owner, "uk", "prepayments:bookings")
    assert _number(uk, "total-received") == _number(uk, "total-received-paid") == 1
    assert 'data-testid="total-received-elsewhere"' not in uk
    assert "згодом скасовано" not in uk


def test_a_link_that_expired_unpaid_has_one_name_on_the_page(
    staff_client, owner, org, branch, ready
):
    """«Прострочено» on the card, «Посилання сплило без оплати» in the chart and
    «посилання сплили без оплати» in the line were three names for one thing."""
    _expired_unpaid(org, branch)
    uk = staff_page(staff_client, owner, "uk", "prepayments:bookings")
    assert _number(uk, "total-expired") == _number(uk, "total-ran-out") == 1
    assert "сплил" not in uk and "термін дії посилання минув" not in uk
    assert ">Прострочено без оплати<" in uk  # the card
    assert 'label: "Прострочено без оплати"' in uk  # the chart's legend
    # why the number can exceed the "Expired" card: auto-cancelled visits are "Cancelled"
    assert "враховано як «Прострочено»" in uk
    en = staff_page(staff_client, owner, "en", "prepayments:bookings")
    assert "ran out" not in en and 'label: "Expired unpaid"' in en


def test_the_settings_name_the_expired_link_as_the_report_does(staff_client, owner, ready):
    owner.language = "uk"
    owner.save(update_fields=["language"])
    uk = staff_client.get("/settings/prepayment/", {"tab": "messages"}).content.decode()
    assert "термін дії посилання минув" not in uk
    assert "посилання прострочено" in uk


# --------------------------------------------------------------------------- cancellations


def test_the_cancellations_report_heads_its_column_by_the_grouping(
    staff_client, owner, org, branch, ready
):
    kept = _paid(org, branch)
    services.booking_cancel(booking=kept, actor=SYSTEM)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    headings = {}
    for group in ("client", "service", "staff"):
        page = staff_client.get("/prepayments/cancellations/", {"group": group}).content.decode()
        found = re.search(r'data-testid="group-heading">([^<]+)<', page)
        assert found is not None
        headings[group] = found.group(1)
        assert "Пробачено штрафів" in page and "Скасовано штрафів" not in page
        csv = staff_client.get(
            "/prepayments/cancellations/", {"group": group, "export": "csv"}
        ).content.decode("utf-8-sig")
        assert csv.splitlines()[0].split(";")[0] == headings[group]
        assert "Пробачено штрафів" in csv.splitlines()[0]
    assert headings == {"client": "Клієнт", "service": "Послуга", "staff": "Спеціаліст"}
    en = staff_page(staff_client, owner, "en", "prepayments:cancellations")
    assert 'data-testid="group-heading">Client<' in en and "Fees waived" in en


# --------------------------------------------------------------------------- the booking


def test_the_booking_names_its_policy_and_its_confirmation_block(
    staff_client, owner, org, branch, ready
):
    booking = make_booking(org, branch)
    assert booking.terms_snapshot.get("policy"), "the default policy is snapshotted"
    uk = staff_page(staff_client, owner, "uk", "prepayments:detail", booking.pk)
    assert "Правила скасування" not in uk and "Докази" not in uk
    assert re.search(r"Політика скасування</dt>", uk)
    policy = re.search(r'data-testid="booking-policy">(.*?)</dd>', uk, re.S)
    assert policy is not None and re.fullmatch(r"«[^«»]+»", policy.group(1).strip())
    assert '<h2 class="h6">Підтвердження</h2>' in uk
    en = staff_page(staff_client, owner, "en", "prepayments:detail", booking.pk)
    policy = re.search(r'data-testid="booking-policy">(.*?)</dd>', en, re.S)
    assert policy is not None and re.fullmatch(r"“[^“”]+”", policy.group(1).strip())


# --------------------------------------------------------------------------- the visit's page


def test_the_visits_page_shows_the_booking_amount_state_and_its_actions(
    staff_client, owner, org, branch, ready
):
    booking = make_booking(org, branch)
    uk = staff_page(staff_client, owner, "uk", "prepayments:visit_booking", booking.visit_id)
    amount = re.search(r'data-testid="current-amount">([^<]+)<', uk)
    assert amount is not None and amount.group(1) == "200,00\xa0грн"
    assert re.search(r'data-testid="current-status">Очікує[^<]*<', uk)
    assert "відкрийте бронювання вище" not in uk
    # the booking page's own forms, posted from here
    assert f'action="/prepayments/{booking.pk}/resend/"' in uk
    assert f'action="/prepayments/{booking.pk}/cancel/"' in uk
    assert 'data-testid="pay-from-balance"' not in uk  # the balance is empty
    assert f'href="/prepayments/{booking.pk}/"' in uk and 'data-testid="open-booking"' in uk
    # the client's balance covers it now: "take from the balance" is offered here too
    entry_create(
        client=booking.client, kind=Entry.Kind.DEBIT, amount=20_000,
        purpose=Entry.Purpose.TOP_UP, actor=SYSTEM, branch=branch,
    )  # fmt: skip
    with_balance = staff_page(
        staff_client, owner, "uk", "prepayments:visit_booking", booking.visit_id
    )
    assert f'action="/prepayments/{booking.pk}/balance/"' in with_balance
    # and the form does what the booking page's does
    response = staff_client.post(f"/prepayments/{booking.pk}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_paid_booking_offers_cancelling_from_the_visits_page(
    staff_client, owner, org, branch, ready
):
    booking = _paid(org, branch)
    en = staff_page(staff_client, owner, "en", "prepayments:visit_booking", booking.visit_id)
    assert re.search(r'data-testid="current-amount">UAH\xa0200.00<', en)
    assert re.search(r'data-testid="current-status">Paid<', en)
    assert 'data-testid="cancel-keep"' in en and 'data-testid="cancel-refund"' in en
    assert 'data-testid="resend"' not in en  # nothing to pay: no link to send
    assert "open the booking above" not in en


def test_a_booking_that_expired_leaves_the_form_and_its_summary(
    staff_client, owner, org, branch, ready
):
    """An expired booking is not active: the page offers a new one and shows the old one's
    amount and state, with no actions on it."""
    booking = _expired_unpaid(org, branch)
    uk = staff_page(staff_client, owner, "uk", "prepayments:visit_booking", booking.visit_id)
    assert re.search(r'data-testid="current-status">Прострочено<', uk)
    assert 'data-testid="booking-actions"' not in uk and 'data-testid="create-booking"' in uk
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.EXPIRED
