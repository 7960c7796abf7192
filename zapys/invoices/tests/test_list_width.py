"""The invoice list fits a 1366 px screen (issue 17 review: Status was cut off and numbers
broke over three lines): the number never breaks, and the period and the due date are short
dates (dd.mm.yyyy), not "4 December 2026–3 January 2027"."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from zapys.invoices import services

pytestmark = pytest.mark.django_db


def test_numbers_stay_whole_and_dates_are_short(org, owner, staff_client):
    invoice = services.invoice_create(
        client=make_client(org, name="Коваленко Олена"),
        calculation="manual",
        amount=40_000,
        actor=SYSTEM,
        period_start=date(2026, 12, 4),
        period_end=date(2027, 1, 3),
        pay_until=date(2026, 12, 11),
    )
    for language in ("en", "uk"):
        staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = staff_client.get("/finance/invoices/").content.decode()
        number = re.search(r'<td class="([^"]*)" data-testid="invoice-number">', page)
        assert number and "text-nowrap" in number.group(1).split(), language
        assert invoice.number in page
        period = re.search(r'data-testid="invoice-period">(.*?)</td>', page).group(1)
        assert re.sub(r"<[^>]+>", "", period) == "04.12.2026–03.01.2027", language
        due = invoice.due_on.strftime("%d.%m.%Y")  # the period's start, or the day of issue
        assert f'data-testid="invoice-due-on">{due}</td>' in page, language
        assert "December" not in period and "грудня" not in period
