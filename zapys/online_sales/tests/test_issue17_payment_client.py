"""Issue 17 (the finance screenshot review): an online sale's payment names the client the
sale was attached to, in the online payments' list (one query for the page, not one per row)
and on the payment's page; the commission the buyer paid is the payment service's fee, not a
penalty, and its comment reads in each reader's language."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.pages import staff_page
from zapys.ledger.models import Entry
from zapys.online_sales import services
from zapys.online_sales.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def _attached(org, shop, name):
    sale = make_sale(org, shop)
    return services.online_sale_attach(sale=sale, client=make_client(org, name), actor=SYSTEM)


def test_the_payments_list_names_the_client_a_sale_was_attached_to(
    staff_client, owner, org, shop, django_assert_max_num_queries
):
    sale = _attached(org, shop, "Коваль Ірина")
    waiting = make_sale(org, shop)  # paid, its code not used yet: nobody to name
    en = staff_page(staff_client, owner, "en", "payments:list")
    cells = dict(
        re.findall(r'<a href="/payments/(\d+)/">\d+</a></td>.*?data-testid="payment-client">(.*?)</td>', en, re.S)
    )  # fmt: skip
    assert "Коваль Ірина" in cells[str(sale.payment_id)]
    assert f'href="/clients/{sale.client_id}/"' in cells[str(sale.payment_id)]
    assert cells[str(waiting.payment_id)] == "—"

    url = reverse("payments:list")
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for n in range(4):
        _attached(org, shop, f"Клієнтка {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)


def test_the_payment_page_links_the_client_and_shows_the_reference_once(
    staff_client, owner, org, shop
):
    sale = _attached(org, shop, "Коваль Ірина")
    en = staff_page(staff_client, owner, "en", "payments:detail", sale.payment_id)
    assert re.search(
        rf'data-testid="detail-client"><a href="/clients/{sale.client_id}/">Коваль Ірина</a>', en
    )
    assert 'data-testid="detail-created"' in en and 'data-testid="detail-paid"' in en
    assert "<code>" not in en and "Reference at the payment service" in en
    account = re.search(r'data-testid="detail-account">(.*?)<div', en, re.S)
    assert account and "·" not in account.group(1)  # the account named once


def test_the_commission_is_a_payment_service_fee_in_each_language(staff_client, owner, org, shop):
    sale = _attached(org, shop, "Коваль Ірина")
    fee = Entry.objects.get(client_id=sale.client_id, purpose="service_fee")
    assert fee.comment_text == {"msgid": "Payment service commission", "params": {}}
    assert not Entry.objects.filter(purpose="fee").exists()  # not a penalty
    en = staff_page(staff_client, owner, "en", "ledger:payments_report")
    # the purpose and the comment say it in the same words (tour 6, #11)
    assert en.count("<td>Payment service commission</td>") >= 2
    assert "Комісія" not in en
