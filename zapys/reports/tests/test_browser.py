"""The Reports section in a real browser, as an owner would use it: the index, each report,
a period changed, an export downloaded and read back; Ukrainian and English, desktop and a
phone (screenshots in $ZAPYS_SCREENSHOTS, default /tmp/shots: reports-*.png)."""

from __future__ import annotations

import csv
import io
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import (
    as_phone,
    assert_fits_the_width,
    click_and_load,
    login,
    screenshot,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_client, make_payment_type
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry
from zapys.ledger.services import entry_create

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db):
    import time_machine

    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        cash, online = make_payment_type(branch, "cash"), make_payment_type(branch, "online")
        client = make_client(org, "Олена Коваленко")
        today = timezone.localtime()
        for days in range(0, 45, 2):
            when = today - timedelta(days=days)
            with time_machine.travel(when, tick=False):
                entry_create(client=client, kind=Entry.Kind.DEBIT, amount=50_000 + days * 1_000,
                             purpose=Entry.Purpose.PAYMENT if days % 4 else Entry.Purpose.TOP_UP,
                             actor=SYSTEM, branch=branch,
                             payment_type=cash if days % 3 else online)  # fmt: skip
    return org, user


def _download(browser, href: str) -> bytes:
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    request = urllib.request.Request(href, headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.read()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_open_each_report_change_the_period_and_export(browser, live_server, salon, language):
    _org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    if language == "en":
        browser.add_cookie({"name": "django_language", "value": "en"})
    browser.get(f"{live_server.url}/reports/")
    screenshot(browser, f"reports-index-{language}")
    for key in ("reports.money", "reports.day", "reports.compare", "reports.funnel"):
        assert browser.find_elements(By.CSS_SELECTOR, f"[data-testid='report-{key}']"), key
    click_and_load(browser, "[data-testid='report-reports.money']")
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=bar]")) >= 1
    screenshot(browser, f"reports-money-{language}")
    this_month = browser.find_element(By.CSS_SELECTOR, "[data-testid=total-received]").text
    Select(browser.find_element(By.NAME, "period")).select_by_value("last_month")
    click_and_load(browser, "[data-testid=show]")
    assert "period=last_month" in browser.current_url
    last_month = browser.find_element(By.CSS_SELECTOR, "[data-testid=total-received]").text
    assert last_month != this_month
    href = browser.find_element(By.CSS_SELECTOR, "[data-testid=export-csv]").get_attribute("href")
    body = _download(browser, href).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][0] == ("Дата" if language == "uk" else "Date") and len(rows) > 2
    assert all("," in row[4] for row in rows[1:])  # decimal comma in both languages
    href = browser.find_element(By.CSS_SELECTOR, "[data-testid=export-xlsx]").get_attribute("href")
    assert _download(browser, href)[:2] == b"PK"  # a zip: the workbook

    for path, name in (("/reports/day/", "day"), ("/reports/compare/", "compare"),
                       ("/reports/payment-links/", "links")):  # fmt: skip
        browser.get(f"{live_server.url}{path}")
        assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=filters]")
        screenshot(browser, f"reports-{name}-{language}")
    as_phone(browser)
    browser.get(f"{live_server.url}/reports/money/")
    assert_fits_the_width(browser)
    screenshot(browser, f"reports-money-phone-{language}")
