"""The dashboard card: times filled from the waiting list (count and money) and who waits."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from zapys.core.audit import Actor
from zapys.core.money import format_money
from zapys.waitlist import services
from zapys.waitlist.models import Offer
from zapys.waitlist.tests.test_sweep_queries import lapsed_offers


def _card(response) -> dict | None:
    url = reverse("waitlist:list")
    return next((w for w in response.context["widgets"] if w.get("url") == url), None)


def test_card_counts_resold_slots_and_their_money(staff_client, org, branch, salon, make_client):
    specialist, service = salon
    assert _card(staff_client.get("/")) is None  # nothing to say yet
    lapsed_offers(org, branch, specialist, service, 3, timezone.now())
    booked = list(Offer.objects.order_by("id").values_list("pk", flat=True)[:2])
    Offer.objects.filter(pk__in=booked).update(status="booked", closed_at=timezone.now())
    services.entry_create(
        organization=org, client=make_client(), service=service, actor=Actor.system("t")
    )
    card = _card(staff_client.get("/"))
    assert card is not None
    with override("uk"):
        assert card["value"] == format_money(2 * 45000, "UAH", "uk")
    resold_part, waiting_part = card["hint"].split("·")
    assert re.findall(r"\d+", resold_part) == ["2", "30"]  # 2 slots in 30 days
    # 3 offered (lapsed ones still 'offered' in this setup) + 3 waiting + 1 new = 7 live
    assert re.findall(r"\d+", waiting_part) == ["7"]
