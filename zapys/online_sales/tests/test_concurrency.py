"""Two staff members attaching the same code at once: exactly one wins (PostgreSQL: the
sale's row lock; the loser sees the code used and writes nothing)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_messaging import make_client
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry
from zapys.memberships.models import ClientMembership
from zapys.online_sales import services
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.tests.factories import make_sale, make_shop


@pytest.mark.postgres_only
def test_attaching_one_code_twice_at_once_attaches_it_once(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    org = make_org("Race")
    with org_scope(org):
        make_branch(org, "Main")
        sale = make_sale(org, make_shop(org))
        clients = [
            make_client(org, "A", phone="+380501000001"),
            make_client(org, "B", phone="+380501000002"),
        ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attach(client) -> None:
        try:
            with org_scope(org):
                fresh = OnlineSale.objects.get(pk=sale.pk)
                barrier.wait()
                try:
                    services.online_sale_attach(sale=fresh, client=client, actor=SYSTEM)
                    outcomes.append("won")
                except DomainError:
                    outcomes.append("refused")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=attach, args=(c,)) for c in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["refused", "won"]
    with org_scope(org):
        assert ClientMembership.objects.count() == 1
        sale.refresh_from_db()
        assert sale.status == "attached"
        # one payment entry for the money, on the winner's account only
        assert Entry.objects.filter(purpose="payment", status="active").count() == 1
