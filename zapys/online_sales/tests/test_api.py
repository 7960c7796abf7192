"""The online sales API (API.md "Online membership sales"): shapes, bad input (a 4xx naming
the field, nothing changed), activation and refunds."""

from __future__ import annotations

import pytest

from tests.factories_ledger import make_plan
from tests.factories_messaging import make_client
from zapys.memberships.models import ClientMembership, MembershipPlan
from zapys.online_sales.models import OnlineSale, PlanOnline
from zapys.online_sales.services import online_settings_get
from zapys.online_sales.tests.factories import make_sale, make_shop


@pytest.fixture
def plan(org, branch):
    return make_shop(org, price=120_000)


def test_settings_round_trip_and_bad_input(api, org, plan):
    got = api.request("get", "/storefront/settings")
    assert got.status == 200 and got.json["enabled"] is True
    assert got.json["commission_percent"] == 2.5
    assert set(got.json["button_style"]) == {
        "text_color",
        "text_size",
        "bold",
        "background",
        "border_color",
        "border_width",
        "radius",
        "width",
        "height",
    }
    changed = api.request(
        "patch",
        "/storefront/settings",
        {"commission_percent": 3.25, "auto_attach": False, "button_style": {"radius": 20}},
    )
    assert changed.status == 200, changed.json
    assert (changed.json["commission_percent"], changed.json["auto_attach"]) == (3.25, False)
    assert changed.json["button_style"]["radius"] == 20
    for body in (
        {"commission_percent": 50.01},
        {"commission_percent": "abc"},
        {"button_style": {"text_color": "red"}},
        {"button_style": {"width": 10_000}},
        {"payment_account_id": 999_999},
        {"enabled": None},
    ):
        refused = api.request("patch", "/storefront/settings", body)
        assert refused.status in (404, 422), (body, refused.json)
        assert refused.json["errors"]
    row = online_settings_get(org)
    assert (str(row.commission_percent), row.radius, row.text_color) == ("3.25", 20, "#ffffff")


def test_a_one_off_plan_is_422_and_stays_off_sale(api, org, plan):
    one_off = make_plan(org, "Trial", kind=MembershipPlan.Kind.ONE_OFF)
    refused = api.request("patch", f"/storefront/plans/{one_off.pk}", {"sell_online": True})
    assert refused.status == 422 and refused.json["errors"][0]["field"] == "sell_online"
    assert "one-off plan" in refused.json["detail"]
    assert not PlanOnline.objects.filter(plan=one_off).exists()
    listed = {row["plan_id"]: row for row in api.request("get", "/storefront/plans").json}
    assert listed[one_off.pk]["sellable"] is False and listed[one_off.pk]["reason"]
    ok = api.request(
        "patch",
        f"/storefront/plans/{plan.pk}",
        {"button_text": "Купити", "button_style": {"bold": False}},
    )
    assert ok.status == 200 and ok.json["button_text"] == "Купити"
    assert ok.json["button_style"]["bold"] is False


def test_buttons_carry_the_url_and_a_plain_snippet(api, org, plan):
    body = api.request("get", "/storefront/buttons").json
    assert body["count"] == 1
    button = body["items"][0]
    assert button["url"] == f"http://testserver/shop/{org.slug}/{plan.pk}/"
    html = button["embed_html"]
    assert html.startswith(f'<a href="{button["url"]}"') and "<script" not in html
    assert ">Buy</a>" in html


def test_list_activate_and_refund(api, org, branch, plan, sandbox_in_process):
    sale = make_sale(org, plan)
    pending = make_sale(org, plan, paid=False)
    listed = api.request("get", "/online-sales").json
    assert {row["id"] for row in listed["items"]} == {sale.pk, pending.pk}
    paid_only = api.request("get", "/online-sales", status="paid").json
    assert [row["id"] for row in paid_only["items"]] == [sale.pk]
    row = paid_only["items"][0]
    assert (row["amount"], row["commission"], row["currency"]) == (123_000, 3_000, "UAH")
    client = make_client(org)
    code = sale.activation_code.lower().replace("-", " ")
    done = api.request(
        "post",
        "/online-sales/activate",
        {"code": code, "client_id": client.pk, "valid_from": "2026-12-20"},
    )
    assert done.status == 200, done.json
    assert done.json["status"] == "attached" and done.json["client_id"] == client.pk
    membership = ClientMembership.objects.get(pk=done.json["membership_id"])
    assert str(membership.starts_on) == "2026-12-20"
    again = api.request("post", "/online-sales/activate", {"code": code, "client_id": client.pk})
    assert again.status == 409 and "already used" in again.json["detail"]
    unknown = api.request(
        "post", "/online-sales/activate", {"code": "ZZZ-ZZZZ", "client_id": client.pk}
    )
    assert unknown.status == 404 and unknown.json["errors"][0]["field"] == "code"
    unpaid = api.request("post", "/online-sales/activate", {"code": "x", "client_id": client.pk})
    assert unpaid.status == 404
    assert ClientMembership.objects.count() == 1


def test_refund_declined_by_the_provider_changes_nothing(
    api, org, branch, plan, sandbox_in_process
):
    sale = make_sale(org, plan)  # the sandbox never saw this charge: it refuses the refund
    refused = api.request("post", f"/online-sales/{sale.pk}/refund")
    assert refused.status == 409 and "not_found" in refused.json["detail"]
    sale.refresh_from_db()
    assert sale.status == "paid"


def test_an_unknown_sale_is_404(api, org, plan):
    assert api.request("get", "/online-sales/999999").status == 404
    assert api.request("post", "/online-sales/999999/refund").status == 404
    assert OnlineSale.objects.count() == 0


def test_the_plan_patch_takes_the_online_sale_fields(api, org, plan):
    """API.md: `PATCH /membership-plans/{id}` also takes {sell_online, button_text}; a
    one-off plan is a 422 and neither the plan nor its online sale changes."""
    other = make_plan(org, "Yoga", price=90_000)
    ok = api.request(
        "patch", f"/membership-plans/{other.pk}", {"sell_online": True, "button_text": "Йога"}
    )
    assert ok.status == 200, ok.json
    row = PlanOnline.objects.get(plan=other)
    assert (row.sell_online, row.button_text) == (True, "Йога")
    one_off = make_plan(org, "Trial", kind=MembershipPlan.Kind.ONE_OFF, price=10_000)
    refused = api.request(
        "patch", f"/membership-plans/{one_off.pk}", {"price": 20_000, "sell_online": True}
    )
    assert refused.status == 422 and refused.json["errors"][0]["field"] == "sell_online"
    one_off.refresh_from_db()
    assert one_off.price == 10_000 and not PlanOnline.objects.filter(plan=one_off).exists()
    off = api.request("patch", f"/membership-plans/{other.pk}", {"sell_online": False})
    assert off.status == 200 and not PlanOnline.objects.get(plan=other).sell_online
