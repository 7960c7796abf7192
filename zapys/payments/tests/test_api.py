"""The payments API (API.md): accounts, top-ups, payments, refunds."""

from __future__ import annotations

import pytest

from tests.factories_payments import make_account, make_client, make_topup
from zapys.core.tenancy import org_scope
from zapys.payments.models import Payment, PaymentAccount


def test_create_accounts_never_returns_secrets(api, org):
    liqpay = api.post(
        "/payment-accounts",
        {"provider": "liqpay", "public_key": "i123", "private_key": "very-secret", "sandbox": True},
    )
    assert liqpay.status == 201, liqpay.body
    assert liqpay.body["provider"] == "liqpay" and liqpay.body["is_default"] is True
    assert "very-secret" not in str(liqpay.body)
    wfp = api.post(
        "/payment-accounts",
        {
            "provider": "wayforpay",
            "merchant_account": "m1",
            "secret_key": "wfp-secret",
            "merchant_domain": "a.example",
        },
    )
    assert wfp.status == 201 and wfp.body["is_default"] is False
    sandbox = api.post("/payment-accounts", {"provider": "sandbox"})
    assert sandbox.status == 201
    listing = api.get("/payment-accounts")
    assert listing.body["count"] == 3
    assert "secret" not in str(listing.body).replace("secret_key", "")
    one = api.get(f"/payment-accounts/{wfp.body['id']}")
    assert one.body["account_key"] == "m1" and "wfp-secret" not in str(one.body)
    stored = PaymentAccount.objects.get(pk=liqpay.body["id"])
    assert "very-secret" not in stored.credentials_encrypted
    assert stored.credentials["private_key"] == "very-secret"


def test_create_account_field_errors(api, org):
    response = api.post("/payment-accounts", {"provider": "wayforpay", "merchant_account": "m"})
    assert response.status == 400
    assert {e["field"] for e in response.body["errors"]} == {"secret_key", "merchant_domain"}
    assert api.post("/payment-accounts", {"provider": "paypal"}).status == 422
    assert not PaymentAccount.objects.exists()


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


def test_payments_list_constant_queries(api, org, django_assert_max_num_queries):
    account = make_account(org, "sandbox")
    for _ in range(3):
        make_topup(org, account=account)
    with django_assert_max_num_queries(8) as captured:
        api.get("/payments")
    few = len(captured.captured_queries)
    for _ in range(5):
        make_topup(org, account=account)
    with django_assert_max_num_queries(few):
        assert api.get("/payments").body["count"] == 8
