"""A comment the system writes on the ledger is read in each reader's language (issue 17).

"Онлайн-поповнення, платіж №7" written by a Ukrainian callback used to stay Ukrainian on the
English payments report, cash operations and client card. The writer now keeps the msgid and
its parameters beside the text (`comment_text`); pages and exports render it for the reader.
A comment staff typed is data: kept and shown as typed, in every language.
"""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_entry
from zapys.core.stored_text import StoredText
from zapys.ledger.clients_hooks import opening_balance_post
from zapys.ledger.models import Entry, FinancialOperation
from zapys.ledger.money import money_received_record

TOP_UP = gettext_noop("Online top-up, payment #%(id)s")
UK, EN = "Онлайн-поповнення, платіж №7", "Online top-up, payment #7"


def _top_up(client, branch) -> Entry:
    with translation.override("uk"):  # a Ukrainian callback writes it
        money = money_received_record(
            client=client,
            amount=50_000,
            purpose=Entry.Purpose.TOP_UP,
            article="top_ups",
            actor=SYSTEM,
            cause=None,
            comment=StoredText(TOP_UP, id=7),
            deposit_line="Поповнення",
            branch=branch,
        )
    return money.entry


def _page(staff_client, url: str, language: str, **params: str) -> str:
    staff_client.cookies["django_language"] = language
    response = staff_client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_entry_and_its_operation_keep_the_msgid_beside_the_text(org, branch):
    entry = _top_up(make_client(org, "Шевчук Марія"), branch)
    entry.refresh_from_db()
    operation = FinancialOperation.objects.for_org(org).get(entry=entry)
    for row in (entry, operation):
        assert row.comment == UK  # the text as written (the API's, the searches')
        assert row.comment_text == {"msgid": TOP_UP, "params": {"id": 7}}
        with translation.override("en"):
            assert row.comment_shown == EN
        with translation.override("uk"):
            assert row.comment_shown == UK


def test_a_typed_comment_is_data_shown_as_typed(org, branch):
    entry = make_entry(make_client(org), comment="Залишок з попередньої CRM", branch=branch)
    entry.refresh_from_db()
    assert entry.comment_text is None
    for language in ("uk", "en"):
        with translation.override(language):
            assert entry.comment_shown == "Залишок з попередньої CRM"


def test_a_row_whose_msgid_no_longer_renders_shows_the_text_written():
    # stored parameters the msgid no longer takes (an older release's row): the text written
    entry = Entry(comment="Платіж №3", comment_text={"msgid": TOP_UP, "params": {"other": 1}})
    with translation.override("en"):
        assert entry.comment_shown == "Платіж №3"
    assert Entry(comment="Платіж №3").comment_shown == "Платіж №3"  # a row from before


def test_the_opening_balance_of_an_import_reads_in_each_language(org):
    with translation.override("uk"):
        entry = opening_balance_post(client=make_client(org), amount=10_000, actor=SYSTEM)
    assert entry is not None
    with translation.override("en"):
        assert entry.comment_shown == "Opening balance (import)"
    with translation.override("uk"):
        assert entry.comment_shown == entry.comment != "Opening balance (import)"


def test_the_pages_and_the_export_show_it_in_the_readers_language(org, branch, staff_client):
    client = make_client(org, "Шевчук Марія")
    _top_up(client, branch)
    pages = [
        reverse("ledger:payments_report"),
        reverse("ledger:operations"),
        reverse("ledger:client_entries", args=[client.pk]),
    ]
    for url in pages:
        english = _page(staff_client, url, "en")
        assert EN in english and UK not in english, url
        ukrainian = _page(staff_client, url, "uk")
        assert UK in ukrainian and EN not in ukrainian, url
    exported = _page(staff_client, pages[0], "en", export="csv").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(exported, newline=""), delimiter=";"))
    assert rows[1][-1] == EN
