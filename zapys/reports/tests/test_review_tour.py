"""Issue 17, the reviewers' tour of the reports: an hour's range on one line, the funnel's
percentiles said as a salon would say them, the day's report named by what it shows, and
the two months of the comparison drawn on one scale."""

from __future__ import annotations

import re

import time_machine

from tests.factories_payments import make_account, make_topup
from tests.pages import staff_page
from zapys.reports.tests.conftest import at


def test_the_funnel_keeps_an_hour_on_one_line_and_speaks_plainly(staff_client, owner, org, today):
    account = make_account(org, "sandbox")
    with time_machine.travel(at(5, 8), tick=False):
        make_topup(org, account=account)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    uk = staff_client.get("/reports/payment-links/", {"period": "this_month"}).content.decode()
    hour = re.search(r'<td class="([^"]*)" data-testid="stage-label">08:00–08:59</td>', uk)
    # "08:00–" above "08:59" in Ukrainian: the column's label never wraps
    assert hour is not None and "text-nowrap" in hour.group(1).split()
    assert "дев'ять із десяти" not in uk and "половина оплатила" not in uk
    assert "відстежені до сьогодні" not in uk
    assert "половину посилань оплачено за" in uk and "90% оплачено за" in uk
    assert "75% — за" in uk and "з результатом на сьогодні" in uk
    en = staff_page(staff_client, owner, "en", "reports:funnel")
    assert "nine in ten" not in en and "90% paid within" in en and "75% within" in en


def test_the_days_report_is_named_hourly_takings(staff_client, owner):
    uk = staff_page(staff_client, owner, "uk", "reports:day")
    assert re.search(r"<title>Надходження за годинами", uk) and "День по годинах" not in uk
    xlsx = staff_client.get("/reports/day/", {"export": "xlsx"})
    assert xlsx.status_code == 200
    index = staff_page(staff_client, owner, "en", "reports:index")
    assert "Hourly takings" in index and "A day by the hour" not in index


def test_the_two_periods_are_drawn_on_one_scale(staff_client, owner, money, today):
    """November's 1,384.56 and October's 80.00: October's tallest bar is not as tall as
    November's, and the page says the scale they share."""
    owner.language = "uk"
    owner.save(update_fields=["language"])
    page = staff_client.get("/reports/compare/")
    now, before = page.context["bars_now"], page.context["bars_before"]
    assert max(bar.value for bar in now) == 1_234_56 and max(b.value for b in before) == 8_000
    assert max(bar.percent for bar in now) == 100
    assert max(bar.percent for bar in before) == round(100 * 8_000 / 1_234_56) == 6
    html = page.content.decode()
    scale = re.search(r'data-testid="shared-scale">([^<]+)<', html)
    assert scale is not None and "1\xa0234,56\xa0грн" in scale.group(1)


def test_nothing_to_draw_says_no_scale(staff_client, owner, today):
    page = staff_client.get("/reports/compare/")
    assert all(bar.percent == 0 for bar in page.context["bars_now"])
    assert 'data-testid="shared-scale"' not in page.content.decode()
