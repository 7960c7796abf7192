"""An invoice number is a legal identifier: the English page shows it as issued, «РАХ-…»
(never "RAKH-…"), with the word "Invoice" before it, marked as Ukrainian text so a screen
reader or a page translator reads the Cyrillic letters, not the Latin "PAX". The prefix's
settings say so, so an organization whose clients read English can choose "INV"."""

from __future__ import annotations

from html import unescape

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.pages import staff_page
from zapys.invoices import services

pytestmark = pytest.mark.django_db


def test_the_english_page_names_a_cyrillic_number_as_issued(client, org):
    invoice = services.invoice_create(
        client=make_client(org), calculation="manual", amount=40_000, actor=SYSTEM
    )
    assert invoice.number.startswith("РАХ-")
    page = client.get(f"/i/{invoice.token}/?lang=en").content.decode()
    line = page.split('data-testid="page-number">')[1].split("</div>")[0]
    assert line.startswith(
        f'Invoice <span class="text-nowrap" translate="no" lang="uk">{invoice.number}</span> of '
    )
    assert f"<title>Invoice {invoice.number} · " in page


def test_a_latin_number_is_not_marked(client, org):
    services.invoice_settings_update(organization=org, actor=SYSTEM, number_prefix="INV")
    invoice = services.invoice_create(
        client=make_client(org), calculation="manual", amount=40_000, actor=SYSTEM
    )
    page = client.get(f"/i/{invoice.token}/?lang=en").content.decode()
    assert f'translate="no">{invoice.number}</span>' in page


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Latin letters (INV)"), ("uk", "латинські літери (INV)")]
)
def test_the_prefix_setting_says_numbers_show_as_they_are(staff_client, owner, language, words):
    html = unescape(staff_page(staff_client, owner, language, "invoices:settings"))
    assert words in html
