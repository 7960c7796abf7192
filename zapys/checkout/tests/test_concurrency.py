"""Two front desks pressing "Paid" on the same visit at once: exactly one checkout is
written (PostgreSQL: the visit's row lock, then the attendance's; the loser gets 409)."""

from __future__ import annotations

import threading
import traceback
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.checkout.models import Checkout
from zapys.checkout.services import PaymentIn, visit_checkout
from zapys.core.exceptions import Conflict
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry, SalesReceipt
from zapys.ledger.selectors import client_balance
from zapys.schedule.models import Visit


@pytest.mark.postgres_only
def test_double_checkout_at_once_writes_once(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    org = make_org("Race")
    with org_scope(org):
        branch = make_branch(org, "Main")
        visit = make_visit(
            org,
            branch,
            client=make_client(org),
            service=make_service(org, price=45_000),
            starts_at=timezone.now() - timedelta(minutes=30),
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay(method: str) -> None:
        try:
            with org_scope(org):
                fresh = Visit.objects.select_related("organization").get(pk=visit.pk)
                barrier.wait()
                try:
                    visit_checkout(visit=fresh, payments=[PaymentIn(method, 45_000)], actor=SYSTEM)
                    outcomes.append("paid")
                except Conflict:
                    outcomes.append("409")
                except Exception:  # shown in the assertion below, not lost in the thread
                    outcomes.append(traceback.format_exc())
        finally:
            connections.close_all()

    workers = [threading.Thread(target=pay, args=(m,)) for m in ("card", "cash")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["409", "paid"]
    with org_scope(org):
        assert Checkout.objects.count() == 1
        assert Entry.objects.filter(purpose="payment").count() == 1
        assert Entry.objects.filter(purpose="service").count() == 1
        assert SalesReceipt.objects.count() == 1
        assert client_balance(visit.client) == 0


@pytest.mark.postgres_only
@pytest.mark.parametrize("round_", range(3))
def test_arrived_at_the_same_moment_as_a_checkout(transactional_db, round_):
    """ "Arrived" pressed while another desk checks the visit out: both wait on the visit's
    row lock (taken on the row alone, then read joined — a joined FOR UPDATE re-checked
    against the moved status found no row: a 500). Whatever wins, the visit came, is paid
    once and the client owes nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    from zapys.schedule.services import visit_status_set
    from zapys.schedule.services.statuses import status_first

    org = make_org("Race")
    with org_scope(org):
        branch = make_branch(org, "Main")
        visit = make_visit(
            org,
            branch,
            client=make_client(org),
            service=make_service(org, price=45_000),
            starts_at=timezone.now() - timedelta(minutes=30),
        )
        came = status_first(org, counts_as_came=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(what: str) -> None:
        try:
            with org_scope(org):
                fresh = Visit.objects.select_related("organization").get(pk=visit.pk)
                barrier.wait()
                try:
                    if what == "checkout":
                        visit_checkout(
                            visit=fresh, payments=[PaymentIn("card", 45_000)], actor=SYSTEM
                        )
                    else:
                        visit_status_set(visit=fresh, status=came, actor=SYSTEM)
                    outcomes.append(what)
                except Exception:  # shown in the assertion below, not lost in the thread
                    outcomes.append(traceback.format_exc())
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(w,)) for w in ("checkout", "arrived")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["arrived", "checkout"]
    with org_scope(org):
        fresh = Visit.objects.get(pk=visit.pk)
        assert fresh.status_id == came.pk
        attendance = fresh.attendances.get()
        assert attendance.state == "attended"
        assert attendance.charge != "none"
        assert Checkout.objects.filter(status="settled").count() == 1
        assert Entry.objects.filter(purpose="service", status="active").count() >= 1
        assert (
            sum(
                Entry.objects.filter(purpose="service", status="active").values_list(
                    "amount", flat=True
                )
            )
            == 45_000
        )
        assert Entry.objects.filter(purpose="payment").count() == 1
        assert client_balance(visit.client) == 0
