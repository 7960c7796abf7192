"""The callback path's cost in queries: fixed, whatever the purpose handler does after."""

from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories_payments import make_account
from zapys.core.audit import Actor
from zapys.payments import services
from zapys.payments.providers.liqpay import encode_data, sign


def test_a_liqpay_callback_costs_a_fixed_number_of_queries(client, org, branch):
    account = make_account(org, "liqpay")
    creds = services.provider_for(account).credentials
    counts = []
    for n in range(3):
        payment = services.payment_create(
            organization=org, account=account, purpose="bench", purpose_object=account,
            client=None, amount=10000 + n, currency="UAH", description="q", actor=Actor.system("t"),
        )  # fmt: skip
        data = encode_data({
            "public_key": creds["public_key"], "version": 3, "action": "pay", "status": "success",
            "order_id": payment.order_id, "amount": (10000 + n) / 100, "currency": "UAH",
            "payment_id": 1000 + n, "end_date": 1, "transaction_id": 1,
        })  # fmt: skip
        body = urlencode({"data": data, "signature": sign(creds["private_key"], data)})
        path = f"/payments/callback/liqpay/{account.public_id}/"
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts
    # account, event insert, lock, update, audit, event update, and their savepoints
    assert counts[0] <= 12, counts
