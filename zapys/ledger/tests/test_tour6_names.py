"""Tour 6: the page of the clients' payments and charges has one name (#12): the menu says
its first word («Оплати»), the page, the client card's tab and its button say «Оплати та
нарахування», and the Reports card does not call it "the clients' accounts" beside the
invoices' card («Рахунки»). The finance settings' archive links do not wrap (#3)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_entry, make_payment_type
from tests.pages import staff_page
from zapys.ledger import services as ledger

pytestmark = pytest.mark.django_db


def _menu_entry(page: str, url: str) -> str:
    link = re.search(rf'<a href="{re.escape(url)}" class="nav-link[^"]*">(.*?)</a>', page, re.S)
    assert link, f"no menu entry for {url}"
    return re.sub(r"<[^>]+>", "", link.group(1)).strip()


def test_the_menu_the_page_and_the_card_name_it_alike(staff_client, owner, org):
    url = reverse("ledger:payments_report")
    uk = staff_page(staff_client, owner, "uk", "ledger:payments_report")
    assert _menu_entry(uk, url) == "Оплати"  # was «Платежі», a third name
    assert re.search(r"<h1[^>]*>Оплати та нарахування</h1>", uk)
    en = staff_page(staff_client, owner, "en", "ledger:payments_report")
    assert _menu_entry(en, url) == "Payments"
    assert re.search(r"<h1[^>]*>Payments and charges</h1>", en)

    customer = make_client(org)
    uk = staff_page(staff_client, owner, "uk", "clients:detail", customer.pk)
    tabs = re.search(r'data-testid="client-tabs">(.*?)</ul>', uk, re.S)
    assert tabs
    labels = [t.strip() for t in re.findall(r'data-tab="[a-z_]+"[^>]*>([^<]*)</a>', tabs.group(1))]
    assert "Оплати та нарахування" in labels and "Платежі" not in labels
    assert "Додати оплату чи нарахування" in uk  # the button says the same words
    en = staff_page(staff_client, owner, "en", "clients:detail", customer.pk)
    assert ">Payments and charges</a>" in en

    # the tab opened as a page: its title and heading say it too
    page = staff_page(staff_client, owner, "uk", "ledger:client_entries", customer.pk)
    assert re.search(r"<h1[^>]*>[^<]*· Оплати та нарахування</h1>", page)


def test_the_reports_card_says_payments_and_charges_not_accounts(staff_client, owner):
    uk = staff_page(staff_client, owner, "uk", "reports:index")
    assert "Усі оплати й нарахування клієнтів, з фільтрами та експортом." in uk
    assert "рахунків клієнтів" not in uk
    en = staff_page(staff_client, owner, "en", "reports:index")
    assert "Every payment and charge of the clients, with filters and exports." in en
    assert "clients' accounts" not in en and "clients&#x27; accounts" not in en


def test_the_xlsx_sheet_is_named_as_the_page(staff_client, owner, org, branch):
    make_entry(make_client(org), kind="credit", amount=5_000, purpose="fee", branch=branch)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    response = staff_client.get(reverse("ledger:payments_report"), {"export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Оплати та нарахування"]


def test_finance_settings_archive_links_do_not_wrap(staff_client, owner, org, branch):
    make_payment_type(branch)
    ledger.finance_article_create(
        organization=org, kind="expense", name="Оренда приміщення салону", actor=SYSTEM
    )
    uk = staff_page(staff_client, owner, "uk", "ledger:settings")
    for name in ("toggle_article", "toggle_payment_type"):
        cells = re.findall(
            rf'<td class="([^"]*)"><form method="post">.{{0,200}}value="{name}"', uk, re.S
        )
        assert cells, name
        assert all("text-nowrap" in c.split() for c in cells), name
    assert "В архів" in uk
