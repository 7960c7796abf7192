"""The rule form in sections, each from/to pair on one row (the fifth tour saw «Залишок
занять від» and «до» on two lines), and the weekday / day of the month marked to show only
for the schedule they apply to (the page's script hides the other; without it both show,
each labelled for which)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.pages import staff_page

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[list[str]]:
    form = html.split('data-testid="rule-section"')
    rows = "".join(form[1:]).split('data-testid="rule-row"')[1:]
    return [re.findall(r'name="(\w+)"', row.split('data-testid="rule-row"')[0]) for row in rows]


@pytest.mark.parametrize("url", ["invoices:rules"])
@pytest.mark.parametrize(
    ("language", "sections"),
    [
        ("en", ["What is invoiced", "To whom", "Payment", "When it runs", "How it is sent"]),
        ("uk", ["Що виставляємо", "Кому", "Оплата", "Коли запускається", "Як надсилаємо"]),
    ],
)
def test_pairs_share_a_row_and_sections_are_named(staff_client, owner, url, language, sections):
    html = unescape(staff_page(staff_client, owner, language, url))
    legends = re.findall(r'<legend class="h6[^"]*">([^<]+)</legend>', html)
    assert legends == sections
    rows = _rows(html)
    for pair in (("lessons_min", "lessons_max"), ("money_min", "money_max"), ("weekday", "day")):
        assert any(pair[0] in row and pair[1] in row for row in rows), (pair, rows)


def test_the_weekday_and_the_day_show_only_for_their_schedule(staff_client, owner):
    html = staff_page(staff_client, owner, "en", "invoices:rules")
    weekday = html.split('name="weekday"')[0].rsplit("<div class=", 1)[1]
    assert 'data-shown-when="every=week"' in html.split('name="weekday"')[0].rsplit("col-", 1)[1]
    assert 'data-shown-when="every=month"' in html.split('name="day"')[0].rsplit("col-", 1)[1]
    assert "data-shown-when" not in html.split('name="at"')[0].rsplit("col-", 1)[1]
    assert weekday  # the field is in the page (no script: shown, labelled "(weekly)")
    assert "Day of the week (weekly)" in html and "Day of the month (monthly)" in html
