"""A top-up callback end to end — the payments machinery, then the purpose — in statements.
(The machinery alone: zapys/payments/tests/test_callback_queries.py, whose helpers these are.)"""

from tests.factories_payments import make_account, make_client
from zapys.core.audit import Actor
from zapys.payments import services
from zapys.payments.tests.test_callback_queries import (
    EXPECTED,
    TRANSACTION_CONTROL,
    _callback,
    _statement,
)
from zapys.topups.services import TOP_UP


def test_a_top_up_callback_end_to_end_makes_a_fixed_set_of_statements(client, org, branch):
    """The whole top-up path — the machinery, then the purpose: the money service's entry,
    operation and receipt, the staff notification and the client's message (skipped here: no
    transport is set up, which is audited) — costs the same statements for every top-up (no
    N+1, nothing that grows with the organization's data)."""
    account = make_account(org, "liqpay")
    runs = []
    for n in range(3):
        payment = services.payment_create(
            organization=org, account=account, purpose=TOP_UP, purpose_object=None,
            client=make_client(org), amount=20000 + n, currency="UAH", description="q",
            actor=Actor.system("t"),
        )  # fmt: skip
        queries = _callback(client, account, payment, n)
        runs.append([_statement(sql) for sql in queries if not TRANSACTION_CONTROL.match(sql)])
        assert payment.events.count() == 1
    # The first top-up of an organization creates its default payment type and article;
    # from then on every top-up makes exactly the same statements.
    assert runs[1] == runs[2], (runs[1], runs[2])
    assert runs[1][: len(EXPECTED) - 2] == EXPECTED[:4]
    assert ("INSERT", "ledger_entry") in runs[1]
    assert ("INSERT", "ledger_financialoperation") in runs[1]
    assert ("INSERT", "ledger_salesreceipt") in runs[1]
    assert ("INSERT", "messaging_staffnotification") in runs[1]
    # The organization came with the payment's account: nothing reads it again.
    assert ("SELECT", "accounts_organization") not in runs[1]
    assert len(runs[1]) == PINNED_TOP_UP_STATEMENTS, runs[1]


# Counted on SQLite and PostgreSQL alike (the same ORM statements); a change here is a change
# in what a top-up costs on every callback — look at the list before updating the number.
# 29: the fiscal app's look-up of the branch's cash register (ledger.hooks.on_money_moved).
# 27: the ledger's writer puts the entry's, operation's and receipt's audit rows in one INSERT.
PINNED_TOP_UP_STATEMENTS = 27
