"""The sixth tour's findings on the prepayment pages: dates said in words as the title says
the visit (#16); the report's totals as short cards, not one sentence (#17); the English
says "Prepayment type" and "Payment service" as the Ukrainian does; the "Automatic" channel
says it is the messaging settings' order and links there (#28); a fee's ledger row carries
its visit's branch."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_branch
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_paid_booking,
)
from tests.pages import staff_page
from zapys.core.dates import moment_in_words
from zapys.ledger.models import Entry
from zapys.prepayments import services
from zapys.prepayments.models import Booking, Fee
from zapys.prepayments.services import fees as fee_job

pytestmark = pytest.mark.django_db

NUMERIC_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _in_words(org, moment, language: str) -> str:
    with translation.override(language), timezone.override(org.time_zone or "Europe/Kyiv"):
        return moment_in_words(timezone.localtime(moment))


def _testid(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)<', page, re.S)
    assert found is not None, testid
    return found.group(1).strip()


# --------------------------------------------------------------------------- #16 dates


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_prepayment_page_says_its_dates_in_words(
    staff_client, owner, org, branch, ready, language
):
    booking = make_booking(org, branch)
    page = staff_page(staff_client, owner, language, "prepayments:detail", booking.pk)
    # the visit's row names it as the title does: «Стрижка, 14 грудня о 14:00»
    visit_when = _in_words(org, booking.visit.starts_at, language)
    assert _testid(page, "booking-visit").endswith(visit_when)
    assert _testid(page, "pay-by") == _in_words(org, booking.expires_at, language)
    if booking.auto_cancel_at:
        assert _testid(page, "auto-cancel-at") == _in_words(org, booking.auto_cancel_at, language)
    content = page.split('data-testid="breadcrumb"', 1)[1]
    assert not NUMERIC_DATE.search(content), NUMERIC_DATE.search(content)
    word = " о " if language == "uk" else " at "
    assert word in _testid(page, "pay-by")


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_paid_prepayment_says_when_in_words(staff_client, owner, org, branch, ready, language):
    booking = make_paid_booking(org, branch)
    page = staff_page(staff_client, owner, language, "prepayments:detail", booking.pk)
    assert _testid(page, "paid-at") == _in_words(org, booking.paid_at, language)
    visit_page = staff_page(
        staff_client, owner, language, "prepayments:visit_booking", booking.visit_id
    )
    assert _testid(visit_page, "visit-when") == _in_words(org, booking.visit.starts_at, language)
    assert _in_words(org, booking.paid_at, language) in _testid(visit_page, "current-when")
    assert not NUMERIC_DATE.search(_testid(visit_page, "current-when"))


def test_the_report_table_keeps_numeric_dates_without_seconds(
    staff_client, owner, org, branch, ready
):
    make_booking(org, branch)
    page = staff_page(staff_client, owner, "uk", "prepayments:bookings")
    row = page.split('data-testid="booking-row"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}<", row)  # a dense column
    assert not re.search(r"\d{2}:\d{2}:\d{2}", row)


# --------------------------------------------------------------------------- #17 the totals


def _cards(org, branch) -> None:
    """5 received of 8: 2 paid now, 2 cancelled (money kept on the balance), 1 refunded;
    3 awaiting."""
    for _i in range(2):
        make_paid_booking(org, branch)
    for _i in range(2):
        services.booking_cancel(booking=make_paid_booking(org, branch), actor=SYSTEM)
    refunded = make_paid_booking(org, branch)
    services.booking_cancel(booking=refunded, actor=SYSTEM)
    services.booking_refund(booking=refunded, actor=SYSTEM)
    for _i in range(3):
        make_booking(org, branch)


def _number(page: str, testid: str) -> int:
    return int(_testid(page, testid))


def test_the_totals_are_short_cards_in_both_languages(
    staff_client, owner, org, branch, ready, sandbox_in_process
):
    _cards(org, branch)
    uk = staff_page(staff_client, owner, "uk", "prepayments:bookings")
    assert _number(uk, "total-issued") == 8
    assert _number(uk, "total-received") == 5
    assert _number(uk, "total-received-paid") == _number(uk, "total-paid") == 2
    assert _number(uk, "total-received-elsewhere") == 3
    assert _number(uk, "total-ran-out") == 0
    share = re.sub(r"\s+", " ", _testid(uk, "total-received-share").replace("\xa0", " "))
    assert share == "із 8 (63%), 1 000,00 грн", share
    assert ">Оплату отримано<" in uk and ">З них зараз «Оплачено»<" in uk
    assert ">З них скасовано, повернено або оплачено із запізненням<" in uk
    # the old sentence is gone, and no card is left without its number
    assert "з них зараз «Оплачено» <strong" not in uk and "згодом скасовано" not in uk
    assert 'data-testid="total-paid-late"' not in uk  # nothing paid late: no card

    en = staff_page(staff_client, owner, "en", "prepayments:bookings")
    assert _number(en, "total-received") == 5 and _number(en, "total-received-elsewhere") == 3
    share = re.sub(r"\s+", " ", _testid(en, "total-received-share").replace("\xa0", " "))
    assert share.startswith("of 8 (63%), "), share
    assert ">Money received<" in en and ">Of them “Paid” now<" in en
    assert ">Of them cancelled, refunded or paid late<" in en
    assert "Оплач" not in en


def test_no_money_received_shows_no_cards_about_it(staff_client, owner, org, branch, ready):
    make_booking(org, branch)
    uk = staff_page(staff_client, owner, "uk", "prepayments:bookings")
    assert _number(uk, "total-received") == 0
    assert 'data-testid="total-received-paid"' not in uk
    assert 'data-testid="total-received-elsewhere"' not in uk


# --------------------------------------------------------------------------- words


def test_the_english_says_prepayment_type_and_payment_service(
    staff_client, owner, org, branch, ready
):
    en = staff_page(staff_client, owner, "en", "prepayments:bookings")
    assert "Prepayment type" in en and "Booking type" not in en
    settings_en = staff_page(staff_client, owner, "en", "prepayments:settings")
    assert ">Payment service<" in settings_en and ">Prepayment types and finance<" in settings_en
    assert "Payment system" not in settings_en and "Booking type" not in settings_en
    uk = staff_page(staff_client, owner, "uk", "prepayments:bookings")
    assert "Вид передоплати" in uk
    settings_uk = staff_page(staff_client, owner, "uk", "prepayments:settings")
    assert ">Платіжний сервіс<" in settings_uk and ">Види передоплати та фінанси<" in settings_uk
    assert "Платіжна система" not in settings_uk


def test_the_automatic_channel_is_the_messaging_order_and_links_there(
    staff_client, owner, org, branch, ready
):
    uk = staff_page(staff_client, owner, "uk", "prepayments:settings")
    assert "Автоматично (за порядком каналів у налаштуваннях повідомлень)" in uk
    assert "месенджер, якщо підключено, інакше SMS" not in uk
    assert (
        'href="/settings/messaging/#channel-order">Налаштування → Повідомлення → Порядок каналів</a>'
        in uk
    )
    assert "замінює цей порядок для всіх повідомлень передоплати" in uk
    en = staff_page(staff_client, owner, "en", "prepayments:settings")
    assert "Automatic (by the channel order in the messaging settings)" in en
    assert ">Settings → Messages → Channel order</a>" in en
    assert "messenger if linked" not in en


# --------------------------------------------------------------------------- fee branch


def _fee(org, branch, now) -> Fee:
    booking: Booking = make_booking(org, branch)
    return Fee.objects.for_org(org).create(
        organization=org,
        visit=booking.visit,
        booking=booking,
        client=booking.client,
        kind=Fee.Kind.NO_SHOW,
        amount=5_000,
        currency="UAH",
        charge_at=now - timedelta(minutes=1),
    )


def test_a_fee_charged_by_the_job_is_in_its_visits_branch(org, branch, ready):
    now = timezone.now()
    other = make_branch(org, "Поділ")
    fees = [_fee(org, branch, now), _fee(org, other, now)]
    assert fee_job.fees_charge_batch(now) == 2
    for fee in fees:
        fee.refresh_from_db()
        entry = Entry.objects.get(pk=fee.entry_id_charged)
        assert entry.branch_id == fee.visit.branch_id is not None
    assert {fees[0].visit.branch_id, fees[1].visit.branch_id} == {branch.pk, other.pk}


def test_a_fee_charged_by_staff_is_in_its_visits_branch(org, branch, ready):
    fee = _fee(org, branch, timezone.now())
    entry = fee_job.fee_entry_create(fee, SYSTEM)
    entry.refresh_from_db()
    assert entry.branch_id == branch.pk
    assert entry.purpose == Entry.Purpose.FEE
