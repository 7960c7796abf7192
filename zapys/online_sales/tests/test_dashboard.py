"""The dashboard card of purchases paid but not attached (issue 14's report, as a card)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from zapys.online_sales.models import OnlineSale
from zapys.online_sales.tests.factories import make_sale


def _card(response) -> dict | None:
    return next((w for w in response.context["widgets"] if w["icon"] == "bag-check"), None)


def test_the_card_counts_unattached_purchases_and_the_stale_ones(staff_client, org, branch, shop):
    assert _card(staff_client.get(reverse("core:dashboard"))) is None  # nothing to attach
    old = make_sale(org, shop, email="old@example.com")
    make_sale(org, shop, email="new@example.com")
    make_sale(org, shop, paid=False)  # not paid: not counted
    OnlineSale.objects.filter(pk=old.pk).update(paid_at=timezone.now() - timedelta(days=5))
    card = _card(staff_client.get(reverse("core:dashboard")))
    assert card is not None and card["value"] == 2
    assert card["url"] == "/online-sales/?status=paid" and "1" in card["hint"]
