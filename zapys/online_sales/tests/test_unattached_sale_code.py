"""Tour 6, #23: the money of an online sale paid but not attached to a client yet names the
sale by its activation code, as an attached sale's entries do («Онлайн-продаж 01S-HAXM: …»),
so staff can match the row "no client yet" in «Оплати та нарахування» to the sale waiting
for a client. Rows written before keep reading as they were written."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.pages import staff_page
from zapys.core.stored_text import render_stored
from zapys.online_sales.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def test_an_unattached_sales_money_names_its_code(staff_client, owner, org, shop):
    sale = make_sale(org, shop)  # paid, waiting for a client
    assert sale.client_id is None and sale.activation_code
    operation = sale.operation
    assert operation.comment_text == {
        "msgid": "Online sale %(code)s: %(plan)s",
        "params": {"code": sale.activation_code, "plan": sale.plan_name},
    }
    en = staff_page(staff_client, owner, "en", "ledger:payments_report")
    assert f"Online sale {sale.activation_code}: {sale.plan_name}" in en
    uk = staff_page(staff_client, owner, "uk", "ledger:payments_report")
    assert f"Онлайн-продаж {sale.activation_code}: {sale.plan_name}" in uk
    assert "Онлайн-продаж: " not in uk


def test_a_row_written_before_the_code_still_reads_in_each_language():
    stored = {"msgid": "Online sale: %(plan)s", "params": {"plan": "Dance 8"}}
    with translation.override("uk"):
        assert render_stored(stored, fallback="x") == "Онлайн-продаж: Dance 8"
    with translation.override("en"):
        assert render_stored(stored, fallback="x") == "Online sale: Dance 8"
