"""Races on PostgreSQL: two cancels of one entry, many consumers of the last visit."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections

from tests.factories import SYSTEM, make_org
from tests.factories_ledger import make_client, make_entry, make_membership, make_plan
from zapys.core.exceptions import Conflict
from zapys.core.tenancy import org_scope
from zapys.ledger import selectors, services
from zapys.ledger.models import Entry
from zapys.memberships.models import ClientMembership, MembershipUsage
from zapys.memberships.services import membership_consume_visit

pytestmark = [pytest.mark.postgres_only]


def _run_threads(n, target):
    barrier = threading.Barrier(n)
    results: list = []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    return make_org("Race")


def test_one_cancel_wins(pg):
    with org_scope(pg):
        client = make_client(pg)
        entry = make_entry(client, amount=5_000)
        make_entry(client, "credit", 1_000, purpose="service")

    def cancel(_i):
        with org_scope(pg):
            return services.entry_cancel(entry=Entry.objects.get(pk=entry.pk), actor=SYSTEM)

    results = _run_threads(6, cancel)
    assert sum(isinstance(r, Entry) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 5
    with org_scope(pg):
        assert selectors.client_balance(client) == -1_000


def test_last_visit_is_consumed_once(pg):
    with org_scope(pg):
        client = make_client(pg)
        m = make_membership(client, make_plan(pg, visits=3), "free")
        causes = [make_client(pg) for _ in range(8)]

    def consume(i):
        with org_scope(pg):
            return membership_consume_visit(
                client=client, on_date=date(2026, 3, 10), actor=SYSTEM, cause=causes[i]
            )

    results = _run_threads(8, consume)
    assert sum(isinstance(r, ClientMembership) for r in results) == 3
    assert sum(r is None for r in results) == 5
    with org_scope(pg):
        m.refresh_from_db()
        assert m.visits_used == 3
        assert MembershipUsage.objects.count() == 3
