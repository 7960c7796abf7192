"""The top-up API (API.md): `POST /clients/{id}/top-ups`, and the payment it makes."""

from __future__ import annotations

import pytest

from tests.factories_payments import make_account, make_client
from zapys.core.tenancy import org_scope
from zapys.payments.models import Payment


def test_topup_get_and_refund(api, org, branch, settings):
    settings.ZAPYS_PUBLIC_URL = "https://crm.example.com"
    make_account(org, "sandbox")
    client = make_client(org)
    created = api.post(f"/clients/{client.pk}/top-ups", {"amount": 50000})
    assert created.status == 201, created.body
    body = created.body
    assert body["status"] == "pending" and body["amount"] == 50000 and body["currency"] == "UAH"
    assert body["payment_url"].startswith("https://crm.example.com/pay/")
    got = api.get(f"/payments/{body['payment_id']}")
    assert got.status == 200
    assert (got.body["purpose"], got.body["provider"], got.body["refunded_amount"]) == (
        "top_up",
        "sandbox",
        0,
    )
    refused = api.post(f"/payments/{body['payment_id']}/refund", {})
    assert refused.status == 409
    assert api.get("/payments", status="pending").body["count"] == 1


@pytest.mark.parametrize("amount", [0, -5, "abc"])
def test_topup_bad_amount(api, org, amount):
    make_account(org, "sandbox")
    client = make_client(org)
    assert api.post(f"/clients/{client.pk}/top-ups", {"amount": amount}).status == 422
    assert not Payment.objects.exists()


def test_topup_without_account(api, org):
    client = make_client(org)
    response = api.post(f"/clients/{client.pk}/top-ups", {"amount": 100})
    assert response.status == 400 and response.body["errors"][0]["field"] == "payment_account_id"


def test_topup_with_foreign_account(api, org, other_org):
    client = make_client(org)
    make_account(org, "sandbox")
    with org_scope(other_org):
        foreign = make_account(other_org, "sandbox")
    response = api.post(
        f"/clients/{client.pk}/top-ups", {"amount": 100, "payment_account_id": foreign.pk}
    )
    assert response.status == 404
    assert not Payment.objects.exists()


def test_inactive_account_refused(api, org):
    account = make_account(org, "sandbox")
    from tests.factories import SYSTEM
    from zapys.payments.services import payment_account_update

    payment_account_update(account=account, is_active=False, actor=SYSTEM)
    client = make_client(org)
    response = api.post(
        f"/clients/{client.pk}/top-ups", {"amount": 100, "payment_account_id": account.pk}
    )
    assert response.status == 400
    assert not Payment.objects.exists()
