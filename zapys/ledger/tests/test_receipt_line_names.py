"""A receipt line's name the system writes is read in each reader's language (issue 17).

"Поповнення балансу" written by a Ukrainian callback stayed Ukrainian on the English day's
sales. The writer now keeps the msgid and its parameters beside the name (`name_text`), as
ledger comments do (`comment_text`); pages render it for the reader. A name that is data (a
service or plan the salon typed) is kept and shown as typed, in every language.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from zapys.core.stored_text import StoredText
from zapys.ledger.models import Entry, SalesReceiptLine
from zapys.ledger.money import SoldLine, money_received_record

TOP_UP_UK, TOP_UP_EN = "Поповнення балансу", "Balance top-up"
PREPAID = gettext_noop("Prepayment: %(what)s")


def _received(client, branch, *, deposit_line=None, sold=(), language="uk"):
    with translation.override(language):  # who caused the write (a callback, a desk)
        return money_received_record(
            client=client,
            amount=sum(line.amount for line in sold) or 50_000,
            purpose=Entry.Purpose.TOP_UP,
            article="top_ups",
            actor=SYSTEM,
            cause=None,
            comment="",
            deposit_line=deposit_line or "",
            sold=sold,
            branch=branch,
        )


def _page(staff_client, url: str, language: str, **params: str) -> str:
    staff_client.cookies["django_language"] = language
    response = staff_client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_a_system_name_keeps_its_msgid_beside_the_text(org, branch):
    money = _received(
        make_client(org), branch, deposit_line=StoredText(gettext_noop("Balance top-up"))
    )
    assert money.receipt is not None
    line = SalesReceiptLine.objects.get(receipt=money.receipt)
    assert line.name == TOP_UP_UK  # as written (the API's, the fallback)
    assert line.name_text == {"msgid": "Balance top-up", "params": {}}
    with translation.override("en"):
        assert line.name_shown == str(line) == TOP_UP_EN
    with translation.override("uk"):
        assert line.name_shown == TOP_UP_UK


def test_written_from_an_english_page_it_still_reads_ukrainian_in_ukrainian(org, branch):
    money = _received(
        make_client(org),
        branch,
        deposit_line=StoredText(PREPAID, what="Манікюр"),
        language="en",
    )
    line = SalesReceiptLine.objects.get(receipt=money.receipt)
    assert line.name == "Prepayment: Манікюр"
    with translation.override("uk"):
        assert line.name_shown == "Передоплата: Манікюр"  # the service's name: as typed


def test_a_typed_name_is_data_shown_as_typed(org, branch):
    money = _received(make_client(org), branch, sold=[SoldLine("Стрижка жіноча", 45_000)])
    line = SalesReceiptLine.objects.get(receipt=money.receipt)
    assert (line.name, line.name_text) == ("Стрижка жіноча", None)
    for language in ("uk", "en"):
        with translation.override(language):
            assert line.name_shown == "Стрижка жіноча"


def test_a_row_from_before_or_one_that_no_longer_renders_shows_the_name_written():
    assert SalesReceiptLine(name="Поповнення балансу").name_shown == "Поповнення балансу"
    broken = SalesReceiptLine(
        name="Передоплата: X", name_text={"msgid": PREPAID, "params": {"x": 1}}
    )
    with translation.override("en"):
        assert broken.name_shown == "Передоплата: X"


def test_a_name_the_system_writes_is_one_line_and_checked_like_a_typed_one(org, branch):
    money = _received(
        make_client(org),
        branch,
        deposit_line=StoredText(PREPAID, what="Манікюр\nгель"),
    )
    line = SalesReceiptLine.objects.get(receipt=money.receipt)
    assert "\n" not in line.name and line.name.startswith("Передоплата: Манікюр")


def test_the_days_sales_show_each_name_in_the_readers_language(org, branch, staff_client):
    client = make_client(org, "Шевчук Марія")
    _received(client, branch, deposit_line=StoredText(gettext_noop("Balance top-up")))
    _received(client, branch, sold=[SoldLine("Стрижка жіноча", 45_000)])
    url = reverse("ledger:day_sales")
    english = _page(staff_client, url, "en")
    assert f"{TOP_UP_EN} — UAH\xa0500.00" in english and TOP_UP_UK not in english
    assert "Стрижка жіноча — UAH\xa0450.00" in english
    ukrainian = _page(staff_client, url, "uk")
    assert f"{TOP_UP_UK} — 500,00\xa0грн" in ukrainian and TOP_UP_EN not in ukrainian
    assert "Стрижка жіноча — 450,00\xa0грн" in ukrainian
