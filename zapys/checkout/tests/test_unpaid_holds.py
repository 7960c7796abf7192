"""The unpaid list and the dashboard's unpaid card count what each visit's checkout would
take: only the client's *free* balance — money that paid prepayments of the client's other
visits hold stays theirs (the rule of `checkout_summary`, issue 17 fifth tour). Before, a
client with visit A today and a paid prepayment for visit B tomorrow showed A as covered by
B's money on the list while A's checkout asked for the whole price."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_staff
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from zapys.checkout.dashboard import widgets
from zapys.checkout.selectors import unpaid_attendances
from zapys.checkout.services import (
    PaymentIn,
    checkout_summary,
    dues_of_unpaid,
    visit_checkout,
)
from zapys.ledger.services import entry_create
from zapys.payments.services import payment_succeed
from zapys.prepayments.models import Booking
from zapys.schedule.models import Visit

pytestmark = pytest.mark.usefixtures("midday")


def _prepay(org, branch, visit, amount):
    enable_prepayment(org)
    booking = make_booking(
        org, branch, visit=visit, booking_type=make_booking_type(org, "fixed", amount)
    )
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID
    return booking


def _visit(org, branch, client, *, hours: float, price: int = 45_000, prepaid: int = 0):
    """A visit of `client` `hours` from now (negative: already started), its prepayment
    paid when `prepaid` (taken while the visit was ahead, as the product does, then the
    visit moved to its time)."""
    visit = make_visit(
        org,
        branch,
        staff=make_staff(org, "specialist", branches=[branch]),
        client=client,
        service=make_service(org, price=price),
        starts_at=timezone.now() + timedelta(days=3, hours=hours),
    )
    if prepaid:
        _prepay(org, branch, visit, prepaid)
    starts = timezone.now() + timedelta(hours=hours)
    Visit.objects.filter(pk=visit.pk).update(
        starts_at=starts, ends_at=starts + (visit.ends_at - visit.starts_at)
    )
    visit.refresh_from_db()
    return visit


def _listed_dues(org) -> dict[int, int]:
    """{visit_id: due} of today's unpaid list."""
    listed = list(
        unpaid_attendances(
            organization=org, day=timezone.localdate(), branch_id=None, now=timezone.now()
        )
    )
    dues = dues_of_unpaid(listed, organization=org)
    return {a.visit_id: dues[a.pk] for a in listed}


def _card_hint(org, branch) -> str:
    """The dashboard's unpaid card, as the dashboard draws it (the header's branch)."""
    request = RequestFactory().get("/")
    request.organization = org  # type: ignore[attr-defined]
    request._dashboard_branch = branch  # type: ignore[attr-defined]
    with translation.override("uk"):
        (card,) = widgets(request)
    return card["hint"]


def _top_up(client, amount):
    entry_create(client=client, kind="debit", amount=amount, purpose="top_up", actor=SYSTEM)


def test_another_visits_prepayment_is_not_counted_on_the_list(org, branch):
    client = make_client(org)
    today = _visit(org, branch, client, hours=-0.5)
    _visit(org, branch, client, hours=24, prepaid=20_000)  # B, tomorrow, paid 200
    assert _listed_dues(org) == {today.pk: 45_000}
    assert checkout_summary(today).due == 45_000  # the card asks the same
    assert _card_hint(org, branch) == "450,00\xa0грн"


def test_the_free_part_counts_on_the_list_as_on_the_card(org, branch):
    client = make_client(org)
    today = _visit(org, branch, client, hours=-0.5)
    _visit(org, branch, client, hours=24, prepaid=20_000)
    _top_up(client, 30_000)  # 500 on the balance: 200 of it B's, 300 free
    assert _listed_dues(org) == {today.pk: 15_000}
    assert checkout_summary(today).due == 15_000


def test_own_prepayment_and_a_later_visit_in_the_list_agree_with_their_checkouts(
    org, actor, branch
):
    """A (earlier today, own 100) and C (later today, own 200), 300 on the balance. A's
    checkout may not spend C's 200: 350 due. Once A is checked out its hold is gone (it had
    none left to give: 100 spent) and C is due 250 — the list says both at once."""
    client = make_client(org)
    first = _visit(org, branch, client, hours=-2, prepaid=10_000)
    second = _visit(org, branch, client, hours=-0.5, prepaid=20_000)
    assert _listed_dues(org) == {first.pk: 35_000, second.pk: 25_000}
    assert checkout_summary(first).due == 35_000
    visit_checkout(visit=first, payments=[PaymentIn("card", 35_000)], actor=actor)
    assert checkout_summary(second).due == 25_000
    assert _listed_dues(org) == {second.pk: 25_000}


def test_an_earlier_visit_releases_its_unspent_hold_for_the_later_one(org, actor, branch):
    """A's price was lowered to 300 after its 400 prepayment was paid: checking A out spends
    300 of it and frees the rest, which then covers part of C — as C's checkout says once A
    is checked out. Tomorrow's 50 stays held for tomorrow."""
    client = make_client(org)
    first = _visit(org, branch, client, hours=-2, prepaid=40_000)
    Visit.objects.filter(pk=first.pk).update(price=30_000)
    first.refresh_from_db()
    second = _visit(org, branch, client, hours=-0.5)
    tomorrow = _visit(org, branch, client, hours=24, prepaid=5_000)
    assert _listed_dues(org) == {first.pk: 0, second.pk: 35_000}
    assert checkout_summary(first).due == 0
    visit_checkout(visit=first, payments=[], actor=actor)
    assert checkout_summary(second).due == 35_000
    assert _listed_dues(org) == {second.pk: 35_000}
    # tomorrow's own 50, then the 100 A left free
    assert [(c.source, c.amount) for c in checkout_summary(tomorrow).covered] == [
        ("prepayment", 5_000),
        ("balance", 10_000),
    ]


def test_a_visit_without_prepayments_elsewhere_still_spends_the_balance(org, branch):
    client = make_client(org)
    today = _visit(org, branch, client, hours=-0.5)
    _top_up(client, 10_000)
    assert _listed_dues(org) == {today.pk: 35_000} and checkout_summary(today).due == 35_000


def test_the_list_asks_for_holds_once_and_only_for_a_positive_balance(staff_client, org, branch):
    """The page's queries do not grow with the rows: one client with money and a held
    prepayment, then three; a list where no balance is positive asks nothing about holds."""
    _visit(org, branch, make_client(org), hours=-0.5)
    with CaptureQueriesContext(connection) as none_positive:
        staff_client.get("/checkout/unpaid/")
    asked = sum("prepayments_booking" in q["sql"] for q in none_positive.captured_queries)

    counts = []
    for clients in (1, 3):
        while Visit.objects.filter(starts_at__gt=timezone.now()).count() < clients:
            client = make_client(org)
            _visit(org, branch, client, hours=-1.5)
            _visit(org, branch, client, hours=24, prepaid=20_000)
            _top_up(client, 5_000)
        with CaptureQueriesContext(connection) as ctx:
            html = staff_client.get("/checkout/unpaid/").content.decode()
        assert html.count('data-testid="unpaid-row"') == 1 + clients
        counts.append(len(ctx.captured_queries))
        # the visits' prepayments as before, and one question more: the holds
        assert sum("prepayments_booking" in q["sql"] for q in ctx.captured_queries) == asked + 1
    assert counts[0] == counts[1], counts
    assert counts[0] == len(none_positive.captured_queries) + 1
