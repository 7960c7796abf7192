"""The callback path's cost in queries: fixed, whatever the purpose handler does after,
and the same statements the raw-SQL baseline of bench/callbacks.py makes. (A top-up's whole
path, the purpose included: zapys/topups/tests/test_callback_queries.py.)"""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories_payments import make_account
from zapys.core.audit import Actor
from zapys.payments import services
from zapys.payments.providers.liqpay import encode_data, sign
from zapys.payments.purposes import Purpose, purpose_declare, purpose_withdraw

# The baseline's statements (event insert, locked payment read and update, audit row,
# event outcome), after the one read every callback starts with: its account.
EXPECTED = [
    ("SELECT", "payments_paymentaccount"),
    ("INSERT", "payments_paymentevent"),
    ("SELECT", "payments_payment"),
    ("UPDATE", "payments_payment"),
    ("INSERT", "core_auditlog"),
    ("UPDATE", "payments_paymentevent"),
]
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b")


@pytest.fixture(autouse=True)
def bench_purpose():
    """The machinery alone: a declared purpose whose transitions do nothing."""
    purpose_declare(
        Purpose(
            key="bench",
            label="Bench",
            on_succeeded=lambda payment, actor: None,
            on_failed=lambda payment, actor: None,
            on_refunded=lambda payment, amount, actor: None,
            return_url=lambda payment: None,
        )
    )
    yield
    purpose_withdraw("bench")


def _statement(sql: str) -> tuple[str, str]:
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return verb, table.group(1) if table else ""


def _callback(client, account, payment, n: int):
    creds = services.provider_for(account).credentials
    data = encode_data({
        "public_key": creds["public_key"], "version": 3, "action": "pay", "status": "success",
        "order_id": payment.order_id, "amount": payment.amount / 100, "currency": "UAH",
        "payment_id": 1000 + n, "end_date": 1, "transaction_id": 1,
    })  # fmt: skip
    body = urlencode({"data": data, "signature": sign(creds["private_key"], data)})
    path = f"/payments/callback/liqpay/{account.public_id}/"
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_a_liqpay_callback_makes_the_baseline_statements_in_one_transaction(client, org, branch):
    account = make_account(org, "liqpay")
    for n in range(3):
        payment = services.payment_create(
            organization=org, account=account, purpose="bench", purpose_object=account,
            client=None, amount=10000 + n, currency="UAH", description="q", actor=Actor.system("t"),
        )  # fmt: skip
        queries = _callback(client, account, payment, n)
        control = [sql for sql in queries if TRANSACTION_CONTROL.match(sql)]
        statements = [_statement(sql) for sql in queries if not TRANSACTION_CONTROL.match(sql)]
        assert statements == EXPECTED, queries
        # One transaction (a savepoint inside the test's own transaction), no savepoint
        # per step.
        assert len(control) == 2, control
        lock = next(sql for sql in queries if _statement(sql) == ("SELECT", "payments_payment"))
        assert ("FOR UPDATE" in lock) == connection.features.has_select_for_update, lock


def test_a_replayed_callback_stops_at_the_event_insert(client, org, branch):
    account = make_account(org, "liqpay")
    payment = services.payment_create(
        organization=org, account=account, purpose="bench", purpose_object=account,
        client=None, amount=10000, currency="UAH", description="q", actor=Actor.system("t"),
    )  # fmt: skip
    _callback(client, account, payment, 0)
    queries = _callback(client, account, payment, 0)
    statements = [_statement(sql) for sql in queries if not TRANSACTION_CONTROL.match(sql)]
    assert statements == EXPECTED[:2], queries
    assert payment.events.count() == 1
