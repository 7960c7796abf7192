"""A page about one client says where it is (review of 2026-12-05): Clients › the client ›
the page, the client's name opening the card on the tab the page belongs to
(`clients/_crumbs.html`, included by the apps that add pages to a client)."""

from __future__ import annotations

import re

import pytest

from tests.factories_clients import make_client
from tests.pages import staff_page

pytestmark = pytest.mark.django_db

#: url name, the tab the client's name opens, the last crumb in English and in Ukrainian
SUB_PAGES = [
    ("ledger:client_entries", "payments", "Payments and charges", "Оплати та нарахування"),
    (
        "ledger:client_entry_new",
        "payments",
        "Add a payment or charge",
        "Додати оплату чи нарахування",
    ),
    ("memberships:client_memberships", "memberships", "Memberships", "Абонементи"),
    ("memberships:sell", "memberships", "Sell membership", "Продати абонемент"),
    ("invoices:client_invoices", "invoices", "Invoices", "Рахунки"),
    ("invoices:new", "invoices", "Add invoice", "Додати рахунок"),
    ("topups:client_topup", "", "Top-up link", "Посилання на поповнення"),
]


def _crumbs(page: str) -> list[tuple[str, str]]:
    trail = re.search(r'<ol class="breadcrumb[^"]*"[^>]*>(.*?)</ol>', page, re.S)
    assert trail, "no breadcrumb"
    items = []
    for item in trail.group(1).split("</li>")[:-1]:
        href = re.search(r'href="([^"]*)"', item)
        text = " ".join(re.sub(r"<[^>]+>", "", item).split())
        items.append((href.group(1) if href else "", text))
    return items


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize(("name", "tab", "here_en", "here_uk"), SUB_PAGES)
def test_a_clients_sub_page_leads_back_to_the_card(
    staff_client, owner, org, language, name, tab, here_en, here_uk
):
    client = make_client(org, "Olena Koval")
    page = staff_page(staff_client, owner, language, name, client.pk)
    card = f"/clients/{client.pk}/" + (f"?tab={tab}" if tab else "")
    clients = "Clients" if language == "en" else "Клієнти"
    here = here_en if language == "en" else here_uk
    assert _crumbs(page) == [("/clients/", clients), (card, "Olena Koval"), ("", here)]


@pytest.mark.parametrize(
    ("language", "clients", "deleted"),
    [("en", "Clients", "Deleted clients"), ("uk", "Клієнти", "Видалені клієнти")],
)
def test_the_deleted_clients_lead_back_to_the_clients(
    staff_client, owner, language, clients, deleted
):
    page = staff_page(staff_client, owner, language, "clients:deleted")
    assert _crumbs(page) == [("/clients/", clients), ("", deleted)]
    # the list itself is a menu entry: no trail there
    assert 'class="breadcrumb' not in staff_page(staff_client, owner, language, "clients:list")
