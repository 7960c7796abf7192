"""The ledger API: shapes from API.md, bad input, 409 on a second cancel, query counts."""

from __future__ import annotations

import pytest

from tests.factories_ledger import make_client, make_entry, make_membership, make_payment_type
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry


def test_create_list_cancel_entry(org, api, branch):
    client = make_client(org)
    # API.md's minimal body: no payment method (the staff form asks for one, the API keeps
    # its documented surface)
    r = api.post(
        f"/clients/{client.pk}/entries", {"kind": "debit", "amount": 50_000, "comment": "cash"}
    )
    assert r.status == 201, r.body
    entry = r.body
    assert entry["kind"] == "debit" and entry["amount"] == 50_000
    assert entry["status"] == "active" and entry["purpose"] == "payment"
    assert entry["currency"] == "UAH" and entry["account_id"]
    r = api.post(
        f"/clients/{client.pk}/entries", {"kind": "credit", "amount": 20_000, "purpose": "service"}
    )
    assert r.status == 201
    listing = api.get(f"/clients/{client.pk}/entries")
    assert listing.status == 200 and listing.body["count"] == 2
    assert {
        "id",
        "kind",
        "amount",
        "status",
        "purpose",
        "created_at",
        "cause_type",
        "cause_id",
    } <= set(listing.body["items"][0])
    assert api.get(f"/clients/{client.pk}/balance").body["balance"] == 30_000
    r = api.post(f"/entries/{r.body['id']}/cancel", {"reason": "mistake"})
    assert (
        r.status == 200 and r.body["status"] == "cancelled" and r.body["cancel_reason"] == "mistake"
    )
    assert api.get(f"/clients/{client.pk}/balance").body["balance"] == 50_000
    again = api.post(f"/entries/{r.body['id']}/cancel")
    assert again.status == 409 and again.body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "debit", "amount": 0}, "amount"),
        ({"kind": "debit", "amount": -100}, "amount"),
        ({"kind": "debit", "amount": 1.5}, "amount"),
        ({"kind": "debit", "amount": "100"}, "amount"),
        ({"kind": "refund", "amount": 100}, "kind"),
        ({"kind": "debit", "amount": 100, "purpose": "gift"}, "purpose"),
        ({"amount": 100}, "kind"),
    ],
)
def test_bad_entry_input_is_422_with_field_and_nothing_written(org, api, body, field):
    client = make_client(org)
    audit_before = AuditLog.objects.count()
    r = api.post(f"/clients/{client.pk}/entries", body)
    assert r.status == 422, r.body
    assert field in {e["field"] for e in r.body["errors"]}
    assert Entry.objects.count() == 0 and AuditLog.objects.count() == audit_before


def test_foreign_account_or_payment_type_is_400(org, api, branch):
    client, other = make_client(org), make_client(org)
    other_entry = make_entry(other)
    cash = make_payment_type(branch)
    r = api.post(
        f"/clients/{client.pk}/entries",
        {
            "kind": "debit",
            "amount": 100,
            "account_id": other_entry.account_id,
            "payment_type_id": cash.pk,
        },
    )
    assert r.status == 400 and r.body["errors"][0]["field"] == "account_id"
    r = api.post(
        f"/clients/{client.pk}/entries",
        {"kind": "debit", "amount": 100, "payment_type_id": 999_999},
    )
    assert r.status == 400 and r.body["errors"][0]["field"] == "payment_type_id"
    assert Entry.objects.filter(client=client).count() == 0


def test_entries_list_has_constant_queries(org, api, django_assert_max_num_queries):
    client = make_client(org)
    for _ in range(3):
        make_entry(client)
    with django_assert_max_num_queries(8) as small:
        api.get(f"/clients/{client.pk}/entries")
    for _ in range(20):
        make_entry(client, kind="credit", purpose="service")
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = api.get(f"/clients/{client.pk}/entries")
    assert r.body["count"] == 23


def test_unknown_client_is_404(org, api):
    assert api.get("/clients/999999/entries").status == 404
    assert api.post("/clients/999999/entries", {"kind": "debit", "amount": 1}).status == 404


def test_operations_payment_types_receipts(org, api, branch):
    pt = make_payment_type(branch)
    r = api.post(
        "/financial-operations",
        {
            "branch_id": branch.pk,
            "kind": "expense",
            "amount": 30_000,
            "payment_type_id": pt.pk,
            "comment": "rent",
        },
    )
    assert r.status == 201, r.body
    assert api.get("/financial-operations").body["count"] == 1
    assert (
        api.post(
            "/financial-operations", {"branch_id": branch.pk, "kind": "expense", "amount": 1.5}
        ).status
        == 422
    )
    assert api.get("/financial-operations").body["count"] == 1
    r = api.post("/payment-types", {"branch_id": branch.pk, "method": "card", "name": "Terminal"})
    assert r.status == 201 and r.body["method"] == "card"
    assert api.get("/payment-types").body["count"] == 2
    client = make_client(org)
    m = make_membership(client, branch=branch)
    receipts = api.get("/sales-receipts").body
    assert receipts["count"] == 1
    receipt = api.get(f"/sales-receipts/{receipts['items'][0]['id']}").body
    assert receipt["cause_id"] == str(m.pk) and receipt["lines"][0]["amount"] == m.price
    assert receipt["payments"][0]["method"] == "cash"
    assert api.get("/finance-articles").body["count"] == 1
