"""Issue 17, the reviewers' tour of the cabinet (phone width, uk and en): the payments list
is cut to the last operations and says so beside totals that count them all."""

from __future__ import annotations

import re

import pytest

from tests.factories_ledger import make_entry
from tests.factories_prepayments import make_client
from zapys.cabinet.selectors import ENTRIES_LIMIT


def _page(client, token: str, lang: str) -> str:
    client.cookies["django_language"] = lang
    response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    return response.content.decode()


def _money(html: str) -> str:
    fragment = html.split('data-testid="money"')[1].split("</section>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", f"The last {ENTRIES_LIMIT} of {ENTRIES_LIMIT + 5} operations"),
        ("uk", f"Останні {ENTRIES_LIMIT} операцій з {ENTRIES_LIMIT + 5}"),
    ],
)
def test_a_cut_list_says_it_shows_the_last_operations_of_all(org, client, language, said):
    """«Усього внесено 10 025,00 / списано 7 475,00» above lines adding up to less: the list
    held the last 15 and did not say so."""
    customer = make_client(org)
    for n in range(ENTRIES_LIMIT + 5):
        make_entry(customer, kind="debit" if n % 2 else "credit", amount=1_000 + n)
    html = _page(client, customer.cabinet_token, language)
    assert html.count('data-testid="entry"') == ENTRIES_LIMIT
    assert said in _money(html)


def test_a_whole_list_says_nothing_of_the_kind(org, client):
    customer = make_client(org)
    for n in range(ENTRIES_LIMIT):
        make_entry(customer, kind="debit", amount=1_000 + n)
    html = _page(client, customer.cabinet_token, "en")
    assert html.count('data-testid="entry"') == ENTRIES_LIMIT
    assert 'data-testid="entries-shown"' not in html and "The last" not in html


def test_the_ukrainian_count_agrees_with_the_number():
    """«Остання 21 операція», «Останні 22 операції», «Останні 25 операцій»."""
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load i18n %}{% blocktranslate count shown=shown with total=total %}"
        "The last {{ shown }} of {{ total }} operations{% plural %}"
        "The last {{ shown }} of {{ total }} operations{% endblocktranslate %}"
    )
    with translation.override("uk"):
        said = [template.render(Context({"shown": n, "total": 40})) for n in (21, 22, 25)]
    assert said == [
        "Остання 21 операція з 40",
        "Останні 22 операції з 40",
        "Останні 25 операцій з 40",
    ]
