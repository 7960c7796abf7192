"""The archive protocol names each invoice by its number; an id that is no invoice of the
organization has no number, and its row says «Рахунок · Не знайдено», not «№999999» (issue
17: no database ids where a description belongs)."""

from __future__ import annotations

import re

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.pages import staff_page
from zapys.invoices import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "word"), [("uk", "Рахунок"), ("en", "An invoice")])
def test_a_row_without_an_invoice_shows_no_id(staff_client, owner, org, language, word):
    invoice = services.invoice_create(
        client=make_client(org), calculation="manual", amount=40_000, actor=SYSTEM
    )
    staff_page(staff_client, owner, language, "invoices:list")  # the page's language
    html = staff_client.post(
        "/finance/invoices/archive/", {"ids": [str(invoice.pk), "999999"]}
    ).content.decode()
    rows = html.split('data-testid="protocol-row"')[1:]
    assert len(rows) == 2 and invoice.number in rows[0]
    assert f"<span>{word}</span>" in rows[1]
    assert "999999" not in rows[1] and not re.search(r"[№#]\s*\d", rows[1])
