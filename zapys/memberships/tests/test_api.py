"""The memberships API: plans CRUD/archive, sell in each mode, renew, validity, visits."""

from __future__ import annotations

from tests.factories_ledger import make_client, make_plan
from zapys.catalog.models import Service
from zapys.ledger.models import Entry
from zapys.memberships.models import ClientMembership, MembershipPlan


def test_plan_crud_and_archive(org, api):
    service = Service.objects.create(organization=org, name="Yoga", price=1)
    r = api.post(
        "/membership-plans",
        {
            "name": "8 yoga",
            "price": 120_000,
            "visits": 8,
            "covers_everything": False,
            "service_ids": [service.pk],
        },
    )
    assert r.status == 201, r.body
    plan = r.body
    assert plan["service_ids"] == [service.pk] and plan["unlimited"] is False
    r = api.patch(f"/membership-plans/{plan['id']}", {"price": 130_000, "visits": None})
    assert r.status == 200 and r.body["price"] == 130_000 and r.body["unlimited"] is True
    assert api.patch(f"/membership-plans/{plan['id']}", {"price": None}).status == 422
    assert api.patch(f"/membership-plans/{plan['id']}", {"price": -1}).status == 422
    r = api.post(f"/membership-plans/{plan['id']}/archive")
    assert r.body["is_archived"] is True
    assert api.get("/membership-plans").body["count"] == 0
    assert api.get("/membership-plans", include_archived="true").body["count"] == 1


def test_sell_modes_through_the_api(org, api, branch):
    client = make_client(org)
    plan = make_plan(org, price=90_000)
    expected = {"paid": 0, "credit": -90_000, "free": -90_000}
    for mode in ("paid", "credit", "free"):
        r = api.post(
            f"/clients/{client.pk}/memberships",
            {"plan_id": plan.pk, "mode": mode, "starts_on": "2026-05-01", "branch_id": branch.pk},
        )
        assert r.status == 201, r.body
        assert r.body["sale_mode"] == mode and r.body["ends_on"] == "2026-05-31"
        assert api.get(f"/clients/{client.pk}/balance").body["balance"] == expected[mode]
    assert api.get(f"/clients/{client.pk}/memberships").body["count"] == 3


def test_sell_archived_or_bad_input_writes_nothing(org, api):
    client = make_client(org)
    plan = make_plan(org)
    plan.is_archived = True
    plan.save()
    r = api.post(f"/clients/{client.pk}/memberships", {"plan_id": plan.pk, "mode": "paid"})
    assert r.status == 400 and r.body["errors"][0]["field"] == "plan_id"
    r = api.post(f"/clients/{client.pk}/memberships", {"plan_id": plan.pk, "mode": "barter"})
    assert r.status == 422
    r = api.post(f"/clients/{client.pk}/memberships", {"plan_id": 999_999})
    assert r.status == 400 and r.body["errors"][0]["field"] == "plan_id"
    assert not ClientMembership.objects.exists() and not Entry.objects.exists()


def test_renew_validity_visits_cancel(org, api, branch):
    client = make_client(org)
    plan = make_plan(org, price=1_000, visits=5)
    m = api.post(
        f"/clients/{client.pk}/memberships",
        {"plan_id": plan.pk, "mode": "credit", "starts_on": "2026-03-01"},
    ).body
    r = api.post(
        f"/memberships/{m['id']}/renew", {"mode": "paid", "start": "end", "branch_id": branch.pk}
    )
    assert (
        r.status == 201
        and r.body["starts_on"] == "2026-04-01"
        and r.body["renewed_from_id"] == m["id"]
    )
    r = api.post(f"/memberships/{m['id']}/validity", {"ends_on": "2026-04-10", "reason": "ill"})
    assert r.status == 200 and r.body["ends_on"] == "2026-04-10"
    r = api.post(f"/memberships/{m['id']}/validity", {"ends_on": "2026-01-01"})
    assert r.status == 400 and r.body["errors"][0]["field"] == "ends_on"
    r = api.post(f"/memberships/{m['id']}/visits", {"count": 2})
    assert r.status == 200 and r.body["visits_left"] == 3
    assert api.post(f"/memberships/{m['id']}/visits", {"count": 9}).status == 409
    assert api.post(f"/memberships/{m['id']}/visits", {"count": 1.5}).status == 422
    r = api.post(f"/memberships/{m['id']}/cancel", {"reason": "mistake"})
    assert r.status == 200 and r.body["status"] == "cancelled"
    assert api.post(f"/memberships/{m['id']}/cancel").status == 409
    assert MembershipPlan.objects.count() == 1
