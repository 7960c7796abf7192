"""The audit log names an online sale by its plan and the activation code (the buyer's
document); a sale with no code yet by its amount (fifth tour: «4 візити на місяць · 4», the
row's id)."""

from __future__ import annotations

from django.utils import translation

from zapys.online_sales.models import OnlineSale


def test_a_sale_is_named_by_its_plan():
    sale = OnlineSale(pk=4, plan_name="4 візити на місяць", amount=120_000, currency="UAH")
    with translation.override("uk"):
        assert str(sale).replace("\xa0", " ") == "4 візити на місяць · 1 200,00 грн"
    with translation.override("en"):
        en = str(sale)
    assert en.startswith("4 візити на місяць · ") and "1,200.00" in en
    sale.activation_code = "K7M2QX"
    assert str(sale) == "4 візити на місяць · K7M2QX"
