"""Date filters written into templates used `<input type="date">` (the browser's locale
format, ISO only on the server). They are styled forms now (`core.filter_forms`): typed and
shown dd.mm.yyyy, ISO accepted from links, a wrong date an error on its field (issue 17)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories_ledger import make_client, make_payment_type
from zapys.core.filter_forms import PeriodForm, filter_dates


def _get(
    client, url: str, params: dict[str, str], language: str = "uk", *, htmx: bool = False
) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # a client card's tab is a fragment: htmx asks for it (a plain GET goes to the card)
    response = client.get(url, params, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="date"' not in html and 'type="datetime-local"' not in html
    return html


def _value(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_the_period_reads_dd_mm_yyyy_and_iso_and_refuses_the_rest() -> None:
    today = timezone.localdate()
    defaults = {"date_from": today.replace(day=1), "date_to": today}
    form, dates = filter_dates(
        PeriodForm, {"date_from": "01.12.2026", "date_to": "2026-12-31"}, defaults
    )
    assert not form.errors
    assert (str(dates["date_from"]), str(dates["date_to"])) == ("2026-12-01", "2026-12-31")
    form, dates = filter_dates(PeriodForm, {"date_from": "31.02.2026"}, defaults)
    assert "date_from" in form.errors and dates == defaults
    form, dates = filter_dates(
        PeriodForm, {"date_from": "10.12.2026", "date_to": "01.12.2026"}, defaults
    )
    assert "date_to" in form.errors and dates == defaults
    form, dates = filter_dates(PeriodForm, {}, defaults)
    assert not form.is_bound and dates == defaults


@pytest.mark.parametrize("language", ["uk", "en"])
def test_operations_filter_by_a_typed_period(org, branch, staff_client, language) -> None:
    pt = make_payment_type(branch)
    staff_client.post(
        reverse("ledger:operations"),
        {"kind": "expense", "amount": "300", "payment_type": pt.pk, "comment": "оренда"},
    )
    today = timezone.localdate()
    url = reverse("ledger:operations")
    html = _get(staff_client, url, {}, language)
    assert _value(html, "date_from") == today.replace(day=1).strftime("%d.%m.%Y")
    assert 'placeholder="' in html and "оренда" in html
    typed = today.strftime("%d.%m.%Y")
    html = _get(staff_client, url, {"date_from": typed, "date_to": typed}, language)
    assert "оренда" in html and _value(html, "date_from") == typed
    yesterday = (today - timedelta(days=1)).strftime("%d.%m.%Y")
    html = _get(staff_client, url, {"date_from": yesterday, "date_to": yesterday}, language)
    assert "оренда" not in html
    html = _get(staff_client, url, {"date_from": "32.01.2026"}, language)
    assert 'data-testid="filter-error"' in html and _value(html, "date_from") == "32.01.2026"


def test_day_sales_reads_a_typed_day(org, branch, staff_client) -> None:
    html = _get(staff_client, reverse("ledger:day_sales"), {"day": "01.12.2026"})
    assert _value(html, "day") == "01.12.2026"
    html = _get(staff_client, reverse("ledger:day_sales"), {"day": "2026-12-01"})
    assert _value(html, "day") == "01.12.2026"
    html = _get(staff_client, reverse("ledger:day_sales"), {"day": "01/13/2026"})
    assert 'data-testid="filter-error"' in html


def test_client_visits_and_online_sales_report_read_typed_dates(org, staff_client) -> None:
    client = make_client(org)
    html = _get(
        staff_client, f"/clients/{client.pk}/visits/", {"date_from": "01.12.2026"}, htmx=True
    )
    assert _value(html, "date_from") == "01.12.2026"
    html = _get(staff_client, "/online-sales/report/", {"from": "01.12.2026", "to": "2026-12-31"})
    assert _value(html, "from") == "01.12.2026" and _value(html, "to") == "31.12.2026"
    html = _get(staff_client, "/online-sales/report/", {"from": "31.12.2026", "to": "01.12.2026"})
    assert 'data-testid="filter-error"' in html
