"""The payments API (API.md): accounts, payments, refunds."""

from __future__ import annotations

from tests.factories_payments import make_account, make_topup
from zapys.payments.models import PaymentAccount


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
