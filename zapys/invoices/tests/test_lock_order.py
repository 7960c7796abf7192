"""Archiving an invoice while its payment link's callback arrives (PostgreSQL, two threads,
two connections): both finish, and the money that came is kept on the client's balance.

The callback locks the payment, then the invoice (`invoice_payment_succeeded`). The archive
used to lock the invoice, then close its open link — the payment's row: each could hold one
and wait for the other, and PostgreSQL broke the cycle by failing one of them (a 500 for the
staff member, or the provider's callback rolled back). The archive now takes the payment
first (`payments.locks.locked_with_payment`). The archive holds its locks until the callback
is seen waiting (`tests/pg_locks.py`): with the old order the callback then held the payment
and waited for the invoice while the archive waited for the payment — a deadlock, every run."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from tests.pg_locks import Hold, at_once, link_paid, needs_postgresql
from zapys.core.tenancy import org_scope
from zapys.invoices import services
from zapys.invoices.models import Invoice
from zapys.ledger.selectors import client_balance
from zapys.payments.models import Payment, PaymentEvent

pytestmark = pytest.mark.postgres_only

AMOUNT = 50_000


def test_archiving_while_the_link_is_paid_keeps_the_money_on_the_balance(
    transactional_db, monkeypatch
):
    needs_postgresql()
    org = make_org("Race")
    with org_scope(org):
        make_branch(org, "Main")
        account = make_account(org, "sandbox")
        client = make_client(org, name="Коваленко Олена")
        invoice = services.invoice_create(
            client=client, calculation="manual", amount=AMOUNT, actor=SYSTEM
        )
        payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    # the invoice (and, now, its payment first) is locked when the open payment is closed
    hold = Hold()
    hold.inside(monkeypatch, services, "_close_open_payment")

    def archive() -> str:
        with org_scope(org):
            fresh = Invoice.objects.select_related("organization").get(pk=invoice.pk)
            return services.invoice_archive(invoice=fresh, actor=SYSTEM) or "archived"

    def callback() -> str:
        hold.wait()
        return link_paid(org, payment, account)

    outcomes: dict[str, Any] = at_once(archive=archive, callback=callback)
    assert outcomes == {"archive": "archived", "callback": PaymentEvent.Outcome.APPLIED}, outcomes
    assert hold.seen == [True], "the callback never waited for the archive's lock"
    with org_scope(org):
        row = Invoice.objects.get(pk=invoice.pk)
        assert row.status == Invoice.Status.ARCHIVED
        assert row.paid_amount == 0  # not counted towards an archived invoice
        assert client_balance(client) == AMOUNT  # kept on the balance, once
        assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
