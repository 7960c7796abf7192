"""Issue 17 on the reports: a funnel never has more paid than opened, a duration under a
minute is not "0 min", the sent tile says something, no alarm colour for nothing, the bars'
colours explained, and one name per page (the receipts page is "Daily sales")."""

from __future__ import annotations

import re

import time_machine

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from tests.pages import staff_page
from zapys.payments.services import payment_succeed
from zapys.reports.tests.conftest import at


def test_a_link_paid_without_a_recorded_open_counts_as_opened(staff_client, org, today):
    account = make_account(org, "sandbox")
    with time_machine.travel(at(5, 9), tick=False):
        paid = make_topup(org, account=account)
        payment_succeed(payment=paid, actor=SYSTEM)  # paid at once, its open never recorded
        make_topup(org, account=account)  # neither opened nor paid
    staff_client.cookies["django_language"] = "en"
    page = staff_client.get("/reports/payment-links/", {"period": "this_month"})
    total = page.context["funnel"].total
    assert (total.links, total.opened, total.paid) == (2, 1, 1)
    html = page.content.decode()
    # paid within the minute: not "0 min", which read as nothing measured
    assert total.p50 == "under 1 min" and ">0 min<" not in html
    # nothing expired: the count is not painted red
    assert re.search(r'class="fs-5 fw-semibold" data-testid="expired">0<', html)
    # the sent tile gives the share of links, not "of N messages" beside N
    assert "of 0 messages" not in html and re.search(r'data-testid="sent">0<', html)


def test_index_names_the_receipts_page_as_the_sidebar_does(staff_client, owner):
    en = staff_page(staff_client, owner, "en", "reports:index")
    assert "Sales receipts of a day" not in en
    assert "Daily sales" in en and "Hourly takings" in en
    uk = staff_page(staff_client, owner, "uk", "reports:index")
    assert "Чеки продажів за день" not in uk
    assert "Продажі за день" in uk and "Надходження за годинами" in uk


def test_money_pages_explain_the_bars_and_keep_red_for_refunds(staff_client, owner, money, today):
    en = staff_page(staff_client, owner, "en", "reports:money")
    assert 'data-testid="bars-legend"' in en and "Saturdays and Sundays" in en
    uk = staff_page(staff_client, owner, "uk", "reports:compare")
    assert 'data-testid="bars-legend"' in uk and "субота й неділя" in uk
    day = staff_page(staff_client, owner, "en", "reports:day")
    assert re.search(r"<title>Hourly takings", day)


def test_nothing_refunded_is_not_painted_red(staff_client, owner):
    for name in ("reports:day", "reports:money"):
        page = staff_page(staff_client, owner, "en", name)
        assert re.search(r'class="fs-5 fw-semibold" data-testid="total-refunded">', page), name


def test_the_bars_axis_reads_dates_as_numbers_in_both_languages(staff_client, owner, money):
    """ "1 гру" is no Ukrainian abbreviation; the axis says 01.12 in either language."""
    for language in ("uk", "en"):
        page = staff_page(staff_client, owner, language, "reports:money")
        labels = re.findall(r'font-size:\.7rem">([^<]+)<', page)
        # every label the same way (not "01.12" then "2, 3, 4")
        assert labels and all(re.fullmatch(r"\d\d\.\d\d", label) for label in labels), labels


def test_money_tables_name_kind_and_method_as_the_ledger_does(staff_client, owner):
    """Payment types became payment methods («Спосіб оплати», the organization's own: «Готівка
    (Центр)»); card / cash / online is the kind of payment («Вид оплати»). The money report
    said «За способом» for the kind and «За типом оплати» for the method."""
    uk = staff_page(staff_client, owner, "uk", "reports:money")
    assert "За видом оплати" in uk and "За способом оплати" in uk
    assert "За типом оплати" not in uk and "За способом<" not in uk
    en = staff_page(staff_client, owner, "en", "reports:money")
    assert "By kind of payment" in en and "By payment method" in en
    assert "By payment type" not in en
    for name in ("reports:compare", "reports:day"):
        assert "За видом оплати" in staff_page(staff_client, owner, "uk", name)
