"""The shop's public pages say where the studio is and how to call it (review of
2026-12-05), as the payment page does and with its partial (`core/_business_contacts.html`):
the branch receiving the money, else the organization's only active branch, else the
organization's own address and phone. And the shop's staff sub-pages say where they are."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM, make_branch
from tests.pages import staff_page
from zapys.accounts.models import Branch
from zapys.online_sales.services import online_settings_update
from zapys.online_sales.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def _contacts(html: str) -> dict[str, str]:
    assert html.count('data-testid="business-contacts"') == 1, "no contacts, or twice"
    # the partial's own lines, up to its closing tag (core/_business_contacts.html)
    text = html.split('data-testid="business-contacts">')[1].split("\n</div>")[0]
    name = re.search(r'<div class="fw-semibold">([^<]*)</div>', text)
    address = re.search(r'data-testid="business-address"><i[^>]*></i> ([^<]*)</div>', text)
    phone = re.search(
        r'href="tel:([^"]*)" data-testid="business-phone"><i[^>]*></i> ([^<]*)</a>', text
    )
    return {
        "name": name.group(1) if name else "",
        "address": address.group(1) if address else "",
        "tel": phone.group(1) if phone else "",
        "phone": phone.group(2) if phone else "",
    }


@pytest.fixture
def contacts(org, branch):
    """The organization's contacts, a second branch with its own: with two branches and
    none chosen for the money, the shop shows the organization's."""
    org.address = "Kyiv, Khreshchatyk 1"
    org.phone = "+380441234567"
    org.save(update_fields=["address", "phone"])
    branch.address, branch.phone = "Podil, Sahaidachnoho 20", "+380671112233"
    branch.save(update_fields=["address", "phone"])
    make_branch(org, "Left bank")
    return branch


def _pages(client, org, shop) -> dict[str, str]:
    sale = make_sale(org, shop, paid=False)
    return {
        "storefront": client.get(f"/shop/{org.slug}/").content.decode(),
        "plan": client.get(f"/shop/{org.slug}/{shop.pk}/").content.decode(),
        "not on sale": client.get(f"/shop/{org.slug}/999999/").content.decode(),
        "purchase": client.get(f"/shop/done/{sale.token}/").content.decode(),
    }


@pytest.mark.parametrize("language", ["uk", "en"])
def test_every_shop_page_shows_the_organizations_contacts(client, org, shop, contacts, language):
    client.cookies["django_language"] = language
    for page, html in _pages(client, org, shop).items():
        assert _contacts(html) == {
            "name": org.name,
            "address": "Kyiv, Khreshchatyk 1",
            "tel": "+380441234567",
            "phone": "+380 44 123 45 67",  # as people write it; the link dials E.164
        }, page


def test_the_branch_receiving_the_money_is_the_one_shown(client, org, shop, contacts):
    online_settings_update(organization=org, actor=SYSTEM, branch=contacts)
    for page, html in _pages(client, org, shop).items():
        assert _contacts(html) == {
            "name": f"{org.name} · {contacts.name}",
            "address": "Podil, Sahaidachnoho 20",
            "tel": "+380671112233",
            "phone": "+380 67 111 22 33",
        }, page


def test_an_organizations_only_branch_is_where_the_client_goes(client, org, shop, branch):
    assert Branch.objects.filter(is_active=True).count() == 1
    branch.address = "Podil, Sahaidachnoho 20"
    branch.save(update_fields=["address"])
    org.phone = "+380441234567"
    org.save(update_fields=["phone"])
    html = client.get(f"/shop/{org.slug}/").content.decode()
    # the branch's address, the organization's phone where the branch has none
    assert _contacts(html) == {
        "name": f"{org.name} · {branch.name}",
        "address": "Podil, Sahaidachnoho 20",
        "tel": "+380441234567",
        "phone": "+380 44 123 45 67",
    }


def test_no_contacts_means_only_the_name_not_empty_lines(client, org, shop):
    html = client.get(f"/shop/{org.slug}/").content.decode()
    assert 'data-testid="business-contacts"' in html
    assert 'data-testid="business-address"' not in html
    assert 'data-testid="business-phone"' not in html


def test_the_contacts_cost_the_same_queries_however_many_branches(client, org, shop, branch):
    def storefront_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/shop/{org.slug}/").status_code == 200
        return len(ctx.captured_queries)

    one = storefront_queries()
    for n in range(3):
        make_branch(org, f"Branch {n}")
    assert storefront_queries() == one
    online_settings_update(organization=org, actor=SYSTEM, branch=branch)
    assert storefront_queries() == one


@pytest.mark.parametrize(
    ("language", "purchases", "plans", "design"),
    [
        # one name for the staff's page, the menu's and the tab's: «Онлайн-продажі»
        ("en", "Online sales", "Membership plans for online sale", "Button design"),
        ("uk", "Онлайн-продажі", "Абонементи для продажу онлайн", "Дизайн кнопки"),
    ],
)
def test_the_shops_staff_sub_pages_say_where_they_are(
    staff_client, owner, org, shop, language, purchases, plans, design
):
    sale = make_sale(org, shop)
    page = staff_page(staff_client, owner, language, "online_sales:sale", sale.pk)
    # the sale is named by what was bought, not its code
    assert _crumbs(page) == [("/online-sales/", purchases), ("", sale.plan_name)]
    page = staff_page(staff_client, owner, language, "online_sales:button", shop.pk)
    assert _crumbs(page) == [("/online-sales/plans/", plans), ("", design)]


def _crumbs(page: str) -> list[tuple[str, str]]:
    trail = re.search(r'<ol class="breadcrumb[^"]*"[^>]*>(.*?)</ol>', page, re.S)
    assert trail, "no breadcrumb"
    items = []
    for item in trail.group(1).split("</li>")[:-1]:
        href = re.search(r'href="([^"]*)"', item)
        items.append(
            (href.group(1) if href else "", " ".join(re.sub(r"<[^>]+>", "", item).split()))
        )
    return items
