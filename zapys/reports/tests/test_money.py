"""The money reports: by purpose, method and day; the day's sales; this period against the
one before; their exports (CSV that a Ukrainian Excel opens, XLSX with numbers)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM, make_branch
from tests.factories_ledger import make_client, make_payment_type
from zapys.core.report_period import Period, period_of
from zapys.core.tenancy import TenancyError, activate_org, org_scope
from zapys.ledger.models import Entry
from zapys.ledger.services import entry_create
from zapys.reports import selectors
from zapys.reports.tests.conftest import at


def english(client) -> None:
    client.cookies["django_language"] = "en"


def test_money_by_purpose_method_and_day_against_the_month_before(staff_client, money, today):
    english(staff_client)
    page = staff_client.get("/reports/money/")
    assert page.status_code == 200
    report, before = page.context["report"], page.context["before"]
    assert page.context["period"] == Period(date(2026, 11, 1), date(2026, 11, 20), "this_month")
    assert page.context["previous"] == Period(date(2026, 10, 1), date(2026, 10, 20))
    # Cancelled entries and charges (no payment type) never count.
    assert (report.total.received, report.total.refunded, report.total.count) == (138_456, 2_000, 3)
    assert before.total.received == 8_000
    purposes = {line.key: (line.received, line.refunded) for line in report.by_purpose}
    assert purposes == {"payment": (133_456, 0), "top_up": (5_000, 0), "refund": (0, 2_000)}
    methods = {line.key: line.received for line in report.by_method}
    assert methods == {"cash": 133_456, "online": 5_000}
    bars = page.context["bars"]
    assert len(bars) == 20 and bars[2].day == date(2026, 11, 3) and bars[2].value == 15_000
    assert bars[19].percent == 100 and bars[0].value == 0
    html = page.content.decode()
    assert "1,384.56" in html and "Balance top-up" in html and "top_up" not in html


def test_the_ukrainian_page_reads_in_words(staff_client, money, today):
    html = staff_client.get("/reports/money/").content.decode()
    assert "Поповнення балансу" in html and "Готівка" in html
    assert "3 лист" in html  # the bars' first day of money, "3 листопада"


def test_a_chosen_period_and_a_branch(staff_client, org, money, today):
    other = make_branch(org, "Second")
    with time_machine.travel(at(3, 11), tick=False):
        entry_create(client=money["client"], kind=Entry.Kind.DEBIT, amount=7_000,
                     purpose=Entry.Purpose.PAYMENT, actor=SYSTEM, branch=other,
                     payment_type=make_payment_type(other))  # fmt: skip
    page = staff_client.get(
        "/reports/money/", {"period": "custom", "date_from": "2026-11-03", "date_to": "2026-11-03"}
    )
    assert page.context["report"].total.received == 22_000
    page = staff_client.get(
        "/reports/money/",
        {
            "period": "custom",
            "date_from": "2026-11-03",
            "date_to": "2026-11-03",
            "branch": other.pk,
        },
    )
    assert page.context["report"].total.received == 7_000
    assert page.context["previous"] == Period(date(2026, 11, 2), date(2026, 11, 2))


def test_a_wrong_period_is_a_field_error_and_the_default_numbers(staff_client, money, today):
    english(staff_client)
    page = staff_client.get(
        "/reports/money/",
        {"period": "custom", "date_from": "2026-11-10", "date_to": "2026-11-01"},
    )
    assert page.status_code == 200
    assert page.context["form"].errors == {"date_to": ["The last day is before the first."]}
    assert page.context["period"].preset == "this_month"
    page = staff_client.get("/reports/money/", {"period": "custom", "date_from": "2024-01-01",
                                                "date_to": "2026-11-01"})  # fmt: skip
    assert "date_to" in page.context["form"].errors
    page = staff_client.get("/reports/money/", {"period": "nonsense"})
    assert "period" in page.context["form"].errors


def test_the_csv_opens_in_a_ukrainian_excel_and_round_trips(staff_client, money, today):
    response = staff_client.get("/reports/money/", {"period": "this_month", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Дата", "Призначення", "Вид оплати", "Спосіб оплати", "Отримано",
                       "Повернено", "Платежі"]  # fmt: skip
    received = sum(Decimal(row[4].replace(",", ".")) for row in rows[1:])
    refunded = sum(Decimal(row[5].replace(",", ".")) for row in rows[1:])
    assert (received, refunded) == (Decimal("1384.56"), Decimal("20.00"))
    assert ["03.11.2026", "Поповнення балансу"] in [row[:2] for row in rows]
    assert all("," in row[4] for row in rows[1:]) and not any(
        "top_up" in c for r in rows for c in r
    )


def test_the_xlsx_has_numbers_as_numbers(staff_client, money, today):
    response = staff_client.get("/reports/money/", {"period": "this_month", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "Отримано"
    amounts = [row[4] for row in rows[1:]]
    assert all(isinstance(a, (int, float)) for a in amounts)
    assert round(sum(amounts), 2) == 1384.56
    assert all(isinstance(row[6], int) for row in rows[1:])


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_every_report_page_is_a_fixed_number_of_queries(staff_client, org, branch, money, today):
    urls = ["/reports/money/", "/reports/day/?day=2026-11-03", "/reports/compare/",
            "/reports/money/?export=csv", "/reports/day/?day=2026-11-03&export=xlsx",
            "/reports/compare/?export=csv", "/reports/payment-links/", "/reports/"]  # fmt: skip
    few = {url: _queries(staff_client, url) for url in urls}
    more_types = [make_payment_type(make_branch(org), "card") for _ in range(3)]
    for n in range(40):
        client = make_client(org)
        with time_machine.travel(at(1 + n % 19, 8 + n % 12), tick=False):
            entry_create(client=client, kind=Entry.Kind.DEBIT, amount=1_000 + n,
                         purpose=Entry.Purpose.MEMBERSHIP_SALE if n % 2 else Entry.Purpose.PAYMENT,
                         actor=SYSTEM, payment_type=more_types[n % 3])  # fmt: skip
    many = {url: _queries(staff_client, url) for url in urls}
    assert many == few


def test_the_day_by_hour_against_the_same_day_a_week_before(staff_client, money, today):
    english(staff_client)
    with time_machine.travel(at(13, 16), tick=False):  # Friday a week before the 20th
        entry_create(client=money["client"], kind=Entry.Kind.DEBIT, amount=100_000,
                     purpose=Entry.Purpose.PAYMENT, actor=SYSTEM,
                     payment_type=money["cash"])  # fmt: skip
    page = staff_client.get("/reports/day/")
    assert page.context["day"] == date(2026, 11, 20)
    assert page.context["report"].total.received == 123_456
    assert page.context["before"].total.received == 100_000
    assert page.context["change"] == 23
    # a day paid in one hour shows it among the working day's hours (08–20), not alone
    hours = page.context["hours"]
    assert [h["label"] for h in hours] == [f"{h:02d}:00" for h in range(8, 21)]
    assert [h["label"] for h in hours if h["value"]] == ["09:00"]
    page = staff_client.get("/reports/day/", {"day": "2026-11-03"})
    hours = page.context["hours"]
    assert (hours[0]["label"], hours[0]["value"]) == ("08:00", 0)
    assert (hours[2]["label"], hours[2]["value"]) == ("10:00", 10_000)
    assert hours[7] == {"label": "15:00", "value": 5_000, "percent": 50}
    assert hours[-1]["label"] == "20:00"
    staff_client.cookies["django_language"] = "uk"
    response = staff_client.get("/reports/day/", {"day": "2026-11-03", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Година" and [r[0] for r in rows[1:]] == ["10:00", "15:00"]


def test_this_month_against_the_last(staff_client, money, today):
    english(staff_client)
    page = staff_client.get("/reports/compare/")
    assert page.context["now"].total.received == 138_456
    assert page.context["before"].total.received == 8_000
    rows = {row["label"]: row for row in page.context["by_purpose"]}
    assert rows["Payment"]["before"].received == 8_000 and rows["Payment"]["change"] == 1568
    assert rows["Balance top-up"]["change"] is None  # nothing to compare with
    assert len(page.context["bars_now"]) == 20 and len(page.context["bars_before"]) == 20
    page = staff_client.get("/reports/compare/", {"period": "last_month"})
    assert page.context["period"] == Period(date(2026, 10, 1), date(2026, 10, 31), "last_month")
    assert page.context["previous"] == Period(date(2026, 9, 1), date(2026, 9, 30))
    staff_client.cookies["django_language"] = "uk"
    xlsx = staff_client.get("/reports/compare/", {"export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[-1][0] == "Разом" and rows[-1][2] == 1384.56 and rows[-1][3] == 80


def test_another_organizations_money_is_not_in_the_reports(staff_client, other_org, money, today):
    with org_scope(other_org):
        branch = make_branch(other_org)
        client = make_client(other_org)
        entry_create(client=client, kind=Entry.Kind.DEBIT, amount=777_700,
                     purpose=Entry.Purpose.PAYMENT, actor=SYSTEM, branch=branch,
                     payment_type=make_payment_type(branch))  # fmt: skip
    page = staff_client.get("/reports/money/")
    assert page.context["report"].total.received == 138_456
    assert staff_client.get("/reports/day/").context["report"].total.received == 123_456


def test_periods():
    assert period_of("last_month", date(2026, 3, 31)) == Period(
        date(2026, 2, 1), date(2026, 2, 28), "last_month"
    )
    this = period_of("this_month", date(2026, 3, 31))
    assert this.previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert period_of("last_7", date(2026, 3, 31)).previous() == Period(
        date(2026, 3, 18), date(2026, 3, 24)
    )


def test_a_preset_wins_over_the_dates_left_in_the_form(staff_client, money, today):
    """The form shows the preset's days; choosing another preset leaves them in the inputs
    (a changed date switches the list to "Chosen dates" in the page's script)."""
    page = staff_client.get(
        "/reports/money/",
        {"period": "last_month", "date_from": "2026-11-01", "date_to": "2026-11-20"},
    )
    assert page.context["period"] == Period(date(2026, 10, 1), date(2026, 10, 31), "last_month")
    html = staff_client.get("/reports/money/").content.decode()
    assert 'value="01.11.2026"' in html and 'value="20.11.2026"' in html  # as a person writes them


def test_the_money_statement_refuses_to_run_without_an_organization(org, money):
    """money_rows is hand-written SQL (no tenancy manager in its path): it scopes itself to the
    active organization and, like the manager, refuses to run with none."""
    start, end = Period(date(2026, 11, 1), date(2026, 11, 30)).bounds()
    activate_org(None)
    try:
        with pytest.raises(TenancyError):
            selectors.money_rows(start, end)
    finally:
        activate_org(org)
    assert selectors.money_rows(start, end)
