"""The prepayment API (API.md shapes, errors)."""

from __future__ import annotations

import pytest

from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.prepayments.models import Booking

KEYS = {
    "id",
    "visit_id",
    "status",
    "paid_late",
    "amount",
    "currency",
    "payment_url",
    "expires_at",
    "deadline_reason",
    "auto_cancel_at",
    "paid_at",
    "payment_id",
}


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000)


def test_settings_get_and_patch(api, org):
    account = make_account(org, "sandbox")
    r = api.patch(
        "/prepayment/settings",
        {
            "payment_account_id": account.pk,
            "link_lifetime_hours": 12,
            "auto_cancel": True,
            "auto_cancel_after_minutes": 15,
            "enabled": True,
        },
    )
    assert r.status == 200, r.body
    assert r.body["link_lifetime_hours"] == 12 and r.body["enabled"] is True
    assert api.get("/prepayment/settings").body["auto_cancel_after_minutes"] == 15
    before = api.get("/prepayment/settings").body
    for field, value in (
        ("link_lifetime_hours", 0),
        # Accepted before, and then every booking creation was a 500.
        ("reminder_hours_before", 2147483647),
        ("reminder_hours_before", 0),
        ("auto_cancel_after_minutes", 7 * 24 * 60 + 1),
        ("enabled", None),
        ("page_subtitle", "a\x00b"),
    ):
        bad = api.patch("/prepayment/settings", {field: value})
        assert bad.status == 422, (field, bad.body)
        assert [e["field"] for e in bad.body["errors"]] == [field]
    assert api.get("/prepayment/settings").body == before


def test_booking_types(api, org):
    r = api.post("/booking-types", {"name": "Deposit", "rule": "percent", "value": 20})
    assert r.status == 201 and r.body["rule"] == "percent"
    assert api.post("/booking-types", {"name": "X", "rule": "percent", "value": 120}).status == 400
    assert api.post("/booking-types", {"name": "X", "rule": "weird", "value": 1}).status == 422
    assert api.get("/booking-types").body["count"] == 1


def test_create_get_list_booking(api, org, branch, ready):
    visit = make_visit(org, branch)
    r = api.post(f"/visits/{visit.pk}/booking", {"booking_type_id": ready.pk, "channel": "sms"})
    assert r.status == 201, r.body
    assert set(r.body) == KEYS and r.body["status"] == "pending" and r.body["amount"] == 20_000
    assert r.body["payment_url"].endswith(f"/p/{Booking.objects.get().token}/")
    again = api.post(f"/visits/{visit.pk}/booking", {})
    assert again.status == 409 and again.body["booking"]["id"] == r.body["id"]
    # a code for a program, the booking among the fields, and words for people: no number
    assert again.body["code"] == "booking_active"
    assert again.body["detail"].startswith("A prepayment for this visit is already awaiting")
    assert str(r.body["id"]) not in again.body["detail"]
    assert api.get(f"/bookings/{r.body['id']}").body == r.body
    listed = api.get("/bookings", status="pending")
    assert listed.body["count"] == 1 and listed.body["items"][0]["id"] == r.body["id"]
    assert api.get("/bookings", status="paid").body["count"] == 0
    assert api.get("/bookings", paid_late="true").body["count"] == 0
    visit_json = api.get(f"/visits/{visit.pk}").body
    assert visit_json["booking"]["id"] == r.body["id"]


def test_bad_input(api, org, branch, ready):
    visit = make_visit(org, branch)
    assert api.post(f"/visits/{visit.pk}/booking", {"booking_type_id": 999999}).status == 404
    assert api.post("/visits/999999/booking", {}).status == 404
    assert api.get("/bookings/999999").status == 404
    bogus = api.get("/bookings", status="bogus")
    assert bogus.status == 422 and bogus.body["errors"][0]["field"] == "status"
    assert Booking.objects.count() == 0


def test_list_constant_queries(api, org, branch, ready, django_assert_max_num_queries):
    for _ in range(3):
        make_booking(org, branch)
    with django_assert_max_num_queries(12):
        r = api.get("/bookings")
    assert r.body["count"] == 3
