"""The desk takes the money while the client's online link is being paid (PostgreSQL, two
threads, two connections).

The link's callback locks its payment, then the visit; the desk's checkout locks the visit,
then closes the awaiting link — its payment. Waiting for that payment made a cycle. The desk
now takes it without waiting (`payments.locks.payment_lock_nowait`): while the callback
holds it, the desk is told the client is paying right now, with nothing written, and the
callback settles the visit — paid once, online."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_payments import make_account
from tests.factories_prepayments import make_client, make_service, make_visit
from tests.pg_locks import at_once, link_paid, needs_postgresql
from zapys.checkout import services
from zapys.checkout.models import Checkout
from zapys.checkout.services import PaymentIn, visit_checkout
from zapys.core.exceptions import Conflict
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry, SalesReceipt
from zapys.ledger.selectors import client_balance
from zapys.payments.models import Payment, PaymentEvent
from zapys.schedule.models import Visit

pytestmark = pytest.mark.postgres_only


def test_cash_at_the_desk_while_the_link_is_being_paid(transactional_db, monkeypatch):
    needs_postgresql()
    org = make_org("Race")
    with org_scope(org):
        branch = make_branch(org, "Main")
        account = make_account(org, "sandbox")
        visit = make_visit(
            org,
            branch,
            client=make_client(org),
            service=make_service(org, price=45_000),
            starts_at=timezone.now() - timedelta(minutes=30),
        )
        link = visit_checkout(
            visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=SYSTEM
        )
        payment = link.checkout.payment
    holding, desk_done = threading.Event(), threading.Event()
    original = services._row_of

    def row_of_while_holding_the_payment(paid: Payment) -> Any:
        holding.set()  # the callback has the payment locked by now
        assert desk_done.wait(60)
        return original(paid)

    monkeypatch.setattr(services, "_row_of", row_of_while_holding_the_payment)

    def callback() -> str:
        return link_paid(org, payment, account)

    def desk() -> str:
        assert holding.wait(60)
        try:
            with org_scope(org), translation.override("en"):
                fresh = Visit.objects.select_related("organization").get(pk=visit.pk)
                try:
                    visit_checkout(visit=fresh, payments=[PaymentIn("cash", 45_000)], actor=SYSTEM)
                    return "paid"
                except Conflict as exc:
                    return f"409: {exc.detail}"
        finally:
            desk_done.set()

    outcomes = at_once(callback=callback, desk=desk)  # tests/pg_locks.py
    assert outcomes == {
        "callback": PaymentEvent.Outcome.APPLIED,
        "desk": "409: The client is paying by the link right now: wait a moment and open it again.",
    }, outcomes
    with org_scope(org):
        row = Checkout.objects.get()
        assert (row.status, row.paid_online, row.paid_cash) == ("settled", 45_000, 0)
        money = Entry.objects.filter(purpose="payment")
        assert [(e.amount, e.payment_type.method) for e in money] == [(45_000, "online")]
        assert Entry.objects.filter(purpose="service").count() == 1
        assert SalesReceipt.objects.count() == 1
        assert client_balance(visit.client) == 0
