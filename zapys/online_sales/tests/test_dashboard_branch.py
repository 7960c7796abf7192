"""The card of purchases to attach counts the header's branch: where their money landed."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import make_branch
from zapys.ledger.models import FinancialOperation
from zapys.online_sales.tests.factories import make_sale


def _card(response) -> dict | None:
    return next((w for w in response.context["widgets"] if w["icon"] == "bag-check"), None)


def test_the_card_counts_the_purchases_paid_into_the_header_branch(staff_client, org, branch, shop):
    podil = make_branch(org, "Поділ")
    make_sale(org, shop, email="one@example.com")
    make_sale(org, shop, email="two@example.com")
    moved = make_sale(org, shop, email="three@example.com")
    FinancialOperation.objects.filter(pk=moved.operation_id).update(branch=podil)

    here = _card(staff_client.get(reverse("core:dashboard"), {"branch": branch.pk}))
    assert here is not None and here["value"] == 2
    there = _card(staff_client.get(reverse("core:dashboard"), {"branch": podil.pk}))
    assert there is not None and there["value"] == 1
