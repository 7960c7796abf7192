"""Staff pages of memberships: plans, sell in each mode, manage page."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories_ledger import make_client, make_membership, make_plan
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_cancel
from zapys.memberships.models import ClientMembership, MembershipPlan


def test_plans_page_create_edit_archive(org, staff_client):
    assert staff_client.get(reverse("memberships:plans")).status_code == 200
    r = staff_client.post(
        reverse("memberships:plan_new"),
        {
            "name": "8 занять",
            "price": "1 200",
            "validity_value": 1,
            "validity_unit": "months",
            "visits": 8,
            "kind": "permanent",
            "covers_everything": "on",
        },
    )
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    plan = MembershipPlan.objects.get()
    assert plan.price == 120_000 and plan.visits == 8
    r = staff_client.post(
        reverse("memberships:plan_edit", kwargs={"plan_id": plan.pk}),
        {
            "name": "8 занять",
            "price": "1300",
            "validity_value": 1,
            "validity_unit": "months",
            "kind": "permanent",
            "covers_everything": "on",
        },
    )
    plan.refresh_from_db()
    assert plan.price == 130_000 and plan.visits is None
    staff_client.post(reverse("memberships:plan_archive", kwargs={"plan_id": plan.pk}))
    plan.refresh_from_db()
    assert plan.is_archived
    # Covering nothing is refused.
    r = staff_client.post(
        reverse("memberships:plan_new"),
        {
            "name": "x",
            "price": "1",
            "validity_value": 1,
            "validity_unit": "days",
            "kind": "one_off",
        },
    )
    assert r.status_code == 200 and MembershipPlan.objects.count() == 1


def test_sell_each_mode_from_the_form(org, branch, staff_client):
    client = make_client(org)
    plan = make_plan(org, price=50_000)
    url = reverse("memberships:sell", kwargs={"client_id": client.pk})
    assert staff_client.get(url).status_code == 200
    for mode, balance in (("paid", 0), ("credit", -50_000), ("free", -50_000)):
        r = staff_client.post(url, {"plan": plan.pk, "mode": mode, "starts_on": "2026-06-01"})
        assert r.status_code == 302
        assert client_balance(client) == balance
    assert ClientMembership.objects.count() == 3
    tab = staff_client.get(
        reverse("memberships:client_memberships", kwargs={"client_id": client.pk}),
        headers={"HX-Request": "true"},
    )
    assert tab.status_code == 200 and tab.content.count(b'data-testid="membership-row"') == 3


def test_sell_archived_plan_shows_error(org, branch, staff_client):
    client = make_client(org)
    plan = make_plan(org)
    url = reverse("memberships:sell", kwargs={"client_id": client.pk})
    plan.is_archived = True
    plan.save()
    r = staff_client.post(url, {"plan": plan.pk, "mode": "paid", "starts_on": "2026-06-01"})
    assert r.status_code == 200 and r.context["form"].errors
    assert not ClientMembership.objects.exists()


def test_manage_page_actions(org, branch, staff_client):
    m = make_membership(make_client(org), make_plan(org, visits=5), branch=branch)
    url = reverse("memberships:manage", kwargs={"membership_id": m.pk})
    assert staff_client.get(url).status_code == 200
    staff_client.post(
        url,
        {
            "action": "validity",
            "validity-starts_on": "2026-03-01",
            "validity-ends_on": "2026-04-05",
            "validity-reason": "хворів",
        },
    )
    m.refresh_from_db()
    assert m.ends_on == date(2026, 4, 5)
    staff_client.post(url, {"action": "visits", "visits-count": 2})
    m.refresh_from_db()
    assert m.virtual_visits == 2
    staff_client.post(url, {"action": "renew", "renew-start": "end", "renew-mode": "credit"})
    assert ClientMembership.objects.filter(renewed_from=m, starts_on=date(2026, 4, 6)).exists()
    staff_client.post(url, {"action": "cancel", "reason": "x"})
    m.refresh_from_db()
    assert m.status == "cancelled"


def test_tab_and_api_show_a_cancelled_payment_with_constant_queries(
    org, branch, staff_client, api, actor, django_assert_max_num_queries
):

    client = make_client(org)
    plan = make_plan(org, price=160_000, visits=4)
    m = make_membership(client, plan, "paid", branch=branch, starts_on=date(2099, 1, 1))
    url = reverse("memberships:client_memberships", kwargs={"client_id": client.pk})
    page = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="payment-cancelled"' not in page
    assert (
        api.get(f"/clients/{client.pk}/memberships").body["items"][0]["payment_cancelled"] is False
    )

    entry_cancel(entry=Entry.objects.get(cause_id=str(m.pk), kind="debit"), actor=actor)
    with CaptureQueriesContext(connection) as one:
        page = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    baseline = len(one.captured_queries)  # read now: later requests reset the query log
    assert 'data-testid="payment-cancelled"' in page
    assert "1 of 4 visits left" not in page  # plural forms: "4 of 4 visits left"
    body = api.get(f"/clients/{client.pk}/memberships").body
    assert body["items"][0]["payment_cancelled"] is True
    assert api.get(f"/memberships/{m.pk}").body["payment_cancelled"] is True
    manage = staff_client.get(reverse("memberships:manage", kwargs={"membership_id": m.pk}))
    assert 'data-testid="payment-cancelled"' in manage.content.decode()

    for _ in range(5):
        make_membership(client, plan, "paid", branch=branch, starts_on=date(2099, 1, 1))
    with django_assert_max_num_queries(baseline):
        staff_client.get(url, headers={"HX-Request": "true"})
