"""The cancellation API (API.md "Visit checkout and cancellation policy") and the pages:
staff cancel page, the client's cancel link, the report with its CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories_prepayments import (
    enable_prepayment,
    make_booking_type,
    make_paid_booking,
    make_visit,
)
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.prepayments import services
from zapys.prepayments.models import Booking, CancellationPolicy, Fee
from zapys.schedule.models import Visit


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _paid(org, branch, hours: float) -> Booking:
    return make_paid_booking(org, branch, hours=hours)


def _state(booking: Booking) -> tuple:
    booking.refresh_from_db()
    visit = Visit.objects.get(pk=booking.visit_id)
    return (
        booking.status,
        visit.status_id,
        Fee.objects.count(),
        Entry.objects.count(),
        client_balance(booking.client),
    )


def test_policies_list_create_patch_and_bad_input(api, org, ready):
    r = api.get("/cancellation-policies")
    items = r.json["items"]
    assert r.status == 200 and {p["preset"] for p in items} == {"flexible", "moderate", "strict"}
    assert all(p["text"]["uk"] and p["text"]["en"] for p in items)
    before = CancellationPolicy.objects.count()
    bad = api.post("/cancellation-policies", {"name": "Harsh", "late_cancel_fee_percent": 150})
    assert bad.status == 422
    assert bad.json["errors"][0]["field"].endswith("late_cancel_fee_percent")
    bad_tag = api.post("/cancellation-policies", {"name": "T", "exempt_tags": ["nope"]})
    assert bad_tag.status == 404 and bad_tag.json["errors"][0]["field"] == "exempt_tags"
    assert CancellationPolicy.objects.count() == before
    made = api.post(
        "/cancellation-policies",
        {
            "name": "Evening",
            "free_cancel_hours": 12,
            "late_cancel_fee_percent": 40,
            "no_show_fee_percent": 100,
            "fee_base": "price",
            "late_cancel_rest": "refund",
            "review_hours": 48,
        },
    )
    assert made.status == 201 and made.json["fee_base"] == "price"
    assert "12" in made.json["text"]["en"]
    patched = api.patch(f"/cancellation-policies/{made.json['id']}", {"no_show_fee_percent": 101})
    assert patched.status == 422
    patched = api.patch(f"/cancellation-policies/{made.json['id']}", {"no_show_fee_percent": 20})
    assert patched.status == 200 and patched.json["no_show_fee_percent"] == 20
    r = api.patch(
        "/prepayment/settings",
        {"cancellation_policy_id": made.json["id"], "release_before_start_minutes": 30},
    )
    assert r.status == 200
    assert (r.json["cancellation_policy_id"], r.json["release_before_start_minutes"]) == (
        made.json["id"],
        30,
    )
    assert api.patch("/prepayment/settings", {"release_before_start_minutes": -1}).status == 422


def test_cancel_api_late_fee_then_409(api, org, branch, ready):
    booking = _paid(org, branch, hours=3)
    r = api.post(f"/visits/{booking.visit_id}/cancel", {"by": "staff"})
    assert r.status == 200, r.json
    c = r.json["cancellation"]
    assert (c["fee"], c["kept"], c["to_balance"], c["refunded"]) == (6_000, 6_000, 14_000, 0)
    assert c["policy_snapshot"]["name"]
    state = _state(booking)
    again = api.post(f"/visits/{booking.visit_id}/cancel", {"by": "staff"})
    assert again.status == 409
    assert _state(booking) == state


def test_cancel_api_waiver_without_reason_changes_nothing(api, org, branch, ready):
    booking = _paid(org, branch, hours=3)
    state = _state(booking)
    r = api.post(f"/visits/{booking.visit_id}/cancel", {"waive_fee": True})
    assert r.status == 400 and r.json["errors"][0]["field"] == "reason"
    assert _state(booking) == state
    r = api.post(f"/visits/{booking.visit_id}/cancel", {"waive_fee": True, "reason": "storm"})
    assert r.status == 200 and r.json["cancellation"]["fee_state"] == "waived"
    assert r.json["cancellation"]["to_balance"] == 20_000


def test_no_show_and_waive_api(api, org, branch, ready):
    booking = _paid(org, branch, hours=3)
    r = api.post(f"/visits/{booking.visit_id}/no-show")
    assert r.status == 200 and r.json["fee"]["state"] == "pending"
    assert r.json["fee"]["amount"] == 10_000
    assert api.post(f"/visits/{booking.visit_id}/no-show").status == 409
    fee_id = r.json["fee"]["id"]
    assert api.post(f"/fees/{fee_id}/waive", {"reason": ""}).status == 422
    assert Fee.objects.get().state == "pending"
    w = api.post(f"/fees/{fee_id}/waive", {"reason": "doctor's note"})
    assert w.status == 200 and w.json["state"] == "waived"
    assert api.post(f"/fees/{fee_id}/waive", {"reason": "again"}).status == 409
    assert services.fees_charge_due(timezone.now() + timedelta(days=3)) == 0
    listed = api.get("/fees", state="waived")
    assert [f["id"] for f in listed.json["items"]] == [fee_id]


def test_booking_api_deadline_reason_and_pay_at_desk(api, org, branch, ready):
    soon = make_visit(org, branch, starts_at=timezone.now() + timedelta(hours=3))
    r = api.post(f"/visits/{soon.pk}/booking", {})
    assert r.status == 201 and r.json["deadline_reason"] == "before_start"
    assert r.json["auto_cancel_at"] is not None
    too_soon = make_visit(org, branch, starts_at=timezone.now() + timedelta(minutes=65))
    r = api.post(f"/visits/{too_soon.pk}/booking", {})
    assert r.status == 409 and r.json["errors"][0]["field"] == "pay_at_desk"
    assert not Booking.objects.filter(visit=too_soon).exists()
    r = api.post(f"/visits/{too_soon.pk}/booking", {"pay_at_desk": True})
    assert r.status == 200 and r.json == {"visit_id": too_soon.pk, "pay_at_desk": True}
    assert not Booking.objects.filter(visit=too_soon).exists()


# --------------------------------------------------------------------------- pages


def test_calendar_cancel_button_goes_to_the_money_page(staff_client, org, branch, ready):
    booking = _paid(org, branch, hours=3)
    r = staff_client.post(f"/visits/{booking.visit_id}/cancel/")
    assert r.status_code == 302 and r["Location"].endswith(
        f"/visits/{booking.visit_id}/cancel-paid/"
    )
    assert Visit.objects.get(pk=booking.visit_id).blocks_time  # nothing cancelled yet
    page = staff_client.get(r["Location"]).content.decode()
    assert "60,00" in page and "140,00" in page
    r = staff_client.post(r["Location"], {"waive_fee": "1", "reason": ""})
    assert r.status_code == 422 and Visit.objects.get(pk=booking.visit_id).blocks_time
    r = staff_client.post(f"/visits/{booking.visit_id}/cancel-paid/", {})
    assert r.status_code == 302
    assert not Visit.objects.get(pk=booking.visit_id).blocks_time
    assert Fee.objects.get().state == "charged"


def test_client_cancel_link_shows_the_fee_then_cancels(client, org, branch, ready):
    booking = _paid(org, branch, hours=3)
    url = f"/p/{booking.token}/cancel/"
    page = client.get(url).content.decode()
    assert 'data-testid="cancel-fee"' in page and "60,00" in page
    r = client.post(url)
    assert r.status_code == 200 and 'data-testid="cancel-done"' in r.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_by == "client" and booking.cancel_kept == 6_000
    state = _state(booking)
    again = client.post(url)
    assert again.status_code == 409 and 'data-testid="cancel-closed"' in again.content.decode()
    assert _state(booking) == state


def test_client_cancel_link_after_the_start_changes_nothing(client, org, branch, ready):
    booking = _paid(org, branch, hours=3)
    Visit.objects.filter(pk=booking.visit_id).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    state = _state(booking)
    r = client.post(f"/p/{booking.token}/cancel/")
    assert r.status_code == 409 and 'data-testid="cancel-closed"' in r.content.decode()
    assert _state(booking) == state


def test_cancellations_report_constant_queries_and_csv(staff_client, org, branch, ready):
    booking = _paid(org, branch, hours=3)
    staff_client.post(f"/visits/{booking.visit_id}/cancel-paid/", {})
    staff_client.get("/prepayments/cancellations/")  # warm caches (session, menus)
    with CaptureQueriesContext(connection) as one:
        r = staff_client.get("/prepayments/cancellations/?group=service")
    assert "60,00" in r.content.decode()
    for _i in range(4):
        b = _paid(org, branch, hours=3)
        staff_client.post(f"/visits/{b.visit_id}/cancel-paid/", {})
    with CaptureQueriesContext(connection) as many:
        r = staff_client.get("/prepayments/cancellations/?group=service")
    assert len(many.captured_queries) == len(one.captured_queries) > 0
    assert r.content.decode().count('data-testid="cancellation-row"') == 5
    csv = staff_client.get("/prepayments/cancellations/?group=client&export=csv")
    text = csv.content.decode("utf-8-sig")
    assert ";" in text and "60,00" in text and "6000" not in text


def test_settings_policy_tab_field_errors_change_nothing(staff_client, org, ready):
    page = staff_client.get("/settings/prepayment/?tab=policy").content.decode()
    assert page.count('data-testid="policy-row"') == 3
    data = {
        "name": "Harsh",
        "free_cancel_hours": "5",
        "late_cancel_fee_percent": "150",
        "no_show_fee_percent": "0",
        "fee_base": "prepayment",
        "late_cancel_rest": "balance",
        "review_hours": "24",
    }
    before = CancellationPolicy.objects.count()
    r = staff_client.post("/settings/prepayment/policies/", data)
    assert r.status_code == 200 and "is-invalid" in r.content.decode()
    assert "prepayments_policy" not in r.content.decode()  # no constraint name shown
    data.update(late_cancel_fee_percent="20", free_cancel_hours="10000")
    r = staff_client.post("/settings/prepayment/policies/", data)
    assert r.status_code == 200 and "720" in r.content.decode()
    assert CancellationPolicy.objects.count() == before
    data["free_cancel_hours"] = "6"
    assert staff_client.post("/settings/prepayment/policies/", data).status_code == 302
    assert CancellationPolicy.objects.get(name="Harsh").late_cancel_fee_percent == 20
