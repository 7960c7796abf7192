"""The dashboard's cards: today's visits, prepayments waiting and paid, the till."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.payments.services import payment_succeed
from zapys.schedule.dashboard import today_bounds
from zapys.schedule.services import visit_statuses_ensure

pytestmark = pytest.mark.django_db


def _cards(response) -> dict[str, dict]:
    """Cards by icon (titles are in the organization's language)."""
    return {w["icon"]: w for w in response.context["widgets"]}


def test_dashboard_shows_today_and_prepayments(org, branch, owner, staff_client):
    statuses = visit_statuses_ensure(organization=org)
    enable_prepayment(org, status_after_payment=statuses["confirmed"])
    make_booking_type(org, "fixed", 20_000, name="Deposit")
    start, _end = today_bounds(org)
    make_visit(org, branch, starts_at=start + timedelta(hours=12))
    make_visit(org, branch, starts_at=start + timedelta(hours=13))
    make_visit(org, branch, starts_at=start + timedelta(days=1, hours=12))  # tomorrow
    pending = make_booking(org, branch)
    paid = make_booking(org, branch)
    payment_succeed(payment=paid.payment, actor=SYSTEM)

    response = staff_client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    cards = _cards(response)
    assert cards["calendar-check"]["value"] == 2  # visits today
    assert str(cards["calendar-check"]["title"]) == "Візити сьогодні"
    assert cards["hourglass-split"]["value"] == 1  # awaiting prepayment
    assert cards["hourglass-split"]["hint"] == "200,00\xa0грн"
    assert cards["check2-circle"]["value"] == "200,00\xa0грн"  # prepaid today
    assert "exclamation-circle" not in cards  # no late money waits for a decision
    order = list(cards)
    assert order.index("calendar-check") < order.index("building")  # today's work first
    assert pending.status == "pending"


def test_dashboard_queries_do_not_grow_with_data(
    org, branch, owner, staff_client, django_assert_max_num_queries
):
    enable_prepayment(org)
    make_booking_type(org, "fixed", 20_000, name="Deposit")
    staff_client.get(reverse("core:dashboard"))  # warm: session, settings rows

    with CaptureQueriesContext(connection) as empty:
        staff_client.get(reverse("core:dashboard"))
    for _ in range(5):
        make_booking(org, branch)
    with CaptureQueriesContext(connection) as full:
        staff_client.get(reverse("core:dashboard"))
    assert len(full) == len(empty)
