"""The prepayment cards count the branch the header shows, as "Paid today" does (issue 17:
with «Поділ» chosen, «Передоплачено сьогодні 800,00 грн · 4 бронювання» counted «Центр»'s)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import SYSTEM, make_branch
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.payments.services import payment_succeed
from zapys.schedule.services import visit_statuses_ensure

pytestmark = pytest.mark.django_db


def _cards(response) -> dict[str, dict]:
    return {w["icon"]: w for w in response.context["widgets"]}


def test_prepaid_and_awaiting_follow_the_header_branch(org, branch, staff_client):
    statuses = visit_statuses_ensure(organization=org)
    enable_prepayment(org, status_after_payment=statuses["confirmed"])
    make_booking_type(org, "fixed", 20_000, name="Deposit")
    podil = make_branch(org, "Поділ")
    for _ in range(2):  # the first branch: two paid today, one waiting
        payment_succeed(payment=make_booking(org, branch).payment, actor=SYSTEM)
    make_booking(org, branch)
    payment_succeed(payment=make_booking(org, podil).payment, actor=SYSTEM)  # Поділ: one paid

    here = _cards(staff_client.get(reverse("core:dashboard"), {"branch": branch.pk}))
    assert here["check2-circle"]["value"] == "400,00\xa0грн"
    assert here["hourglass-split"]["value"] == 1
    assert here["check2-circle"]["url"] == f"/prepayments/?status=paid&branch={branch.pk}"

    there = _cards(staff_client.get(reverse("core:dashboard"), {"branch": podil.pk}))
    assert there["check2-circle"]["value"] == "200,00\xa0грн"
    assert there["hourglass-split"]["value"] == 0
    assert there["hourglass-split"]["url"] == f"/prepayments/?status=pending&branch={podil.pk}"
    # the page a card links to shows what the card counted
    page = staff_client.get(there["check2-circle"]["url"])
    assert page.context["totals"].paid == 1
