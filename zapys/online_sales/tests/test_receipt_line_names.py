"""An online sale's receipt (issue 17): the plan's name is the salon's, shown as typed; the
payment service commission is a line the system writes, read in each reader's language."""

from __future__ import annotations

from django.utils import translation

from zapys.ledger.models import SalesReceiptLine
from zapys.online_sales.tests.factories import make_sale


def test_the_plan_as_typed_and_the_commission_in_each_language(org, branch, shop):
    with translation.override("uk"):
        sale = make_sale(org, shop)
    plan_line, commission = SalesReceiptLine.objects.filter(receipt=sale.receipt).order_by("id")
    assert (plan_line.name, plan_line.name_text) == (shop.name, None)
    assert commission.name == "Комісія платіжного сервісу"
    assert commission.name_text == {"msgid": "Payment service commission", "params": {}}
    assert commission.amount == sale.commission > 0
    with translation.override("en"):
        assert (plan_line.name_shown, commission.name_shown) == (
            shop.name,
            "Payment service commission",
        )
    with translation.override("uk"):
        assert commission.name_shown == "Комісія платіжного сервісу"
