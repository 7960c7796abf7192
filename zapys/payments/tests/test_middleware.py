"""Provider callbacks bypass the browser middleware (zapys/payments/middleware.py)."""

from urllib.parse import urlencode

from tests.factories_payments import LIQPAY_PRIVATE, make_account, make_topup
from zapys.payments.models import Payment
from zapys.payments.providers.liqpay import encode_data, sign


def _body(account, payment, amount: float) -> str:
    data = encode_data({
        "public_key": account.account_key, "version": 3, "action": "pay", "status": "success",
        "order_id": payment.order_id, "amount": amount, "currency": "UAH",
        "payment_id": 1, "end_date": 1, "transaction_id": 1,
    })  # fmt: skip
    return urlencode({"data": data, "signature": sign(LIQPAY_PRIVATE, data)})


def test_a_callback_gets_no_session_cookie_csrf_or_vary(client, org, branch):
    account = make_account(org, "liqpay")
    payment = make_topup(org, account=account, amount=15050)
    client.cookies["sessionid"] = "whatever"
    response = client.post(
        f"/payments/callback/liqpay/{account.public_id}/",
        _body(account, payment, 150.50),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert not response.cookies
    assert "Vary" not in response.headers
    assert response.headers["Content-Length"] == "0"
    # SecurityMiddleware runs before the bypass.
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_other_methods_and_unknown_accounts(client, org, branch):
    account = make_account(org, "liqpay")
    path = f"/payments/callback/liqpay/{account.public_id}/"
    assert client.get(path).status_code == 405
    for other in (
        "/payments/callback/liqpay/nope/",
        f"/payments/callback/wayforpay/{account.public_id}/",
        "/payments/callback/liqpay/",  # not the route's shape: the normal stack answers
    ):
        assert client.post(other, "x", content_type="text/plain").status_code == 404


def test_texts_for_staff_are_in_the_organizations_language(client, org, branch):
    org.language = "uk"
    org.save(update_fields=["language"])
    account = make_account(org, "liqpay")
    payment = make_topup(org, account=account, amount=15050)
    response = client.post(
        f"/payments/callback/liqpay/{account.public_id}/",
        _body(account, payment, 1.00),  # not the amount asked: held for review
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    held = Payment.objects.get(pk=payment.pk)
    assert held.held_for_review
    assert held.review_reason.startswith("Сума не збігається"), held.review_reason
