"""Two workers at once, for real (PostgreSQL, two threads, two connections): the same
movement asked twice is one receipt; two ticks sending the same register's receipts post
each once and open one shift."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_payments import make_client
from zapys.core.tenancy import org_scope
from zapys.fiscal.models import FiscalReceipt, Shift
from zapys.fiscal.sending import receipts_send
from zapys.fiscal.services import receipt_ask
from zapys.fiscal.tests.factories import make_register, paid_topup
from zapys.ledger.hooks import MoneyMoved
from zapys.ledger.models import FinancialOperation
from zapys.ledger.money import money_received_record

T0 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


def _together(targets) -> list:
    barrier = threading.Barrier(len(targets))
    results: list = []

    def run(target) -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres_only
def test_two_workers_asking_for_the_same_movement_make_one_receipt(transactional_db, sim):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    org = make_org("Race")
    with org_scope(org):
        branch = make_branch(org, "Main")
        make_register(org, branch, sim.base_url)
        money = money_received_record(
            client=make_client(org), amount=10_000, purpose="top_up", article="top_ups",
            actor=SYSTEM, cause=None, comment="", deposit_line="Поповнення",
        )  # fmt: skip
        FiscalReceipt.objects.all().delete()  # asked once already, by the money service
    operation_id = money.operation.pk

    def ask():
        with org_scope(org), transaction.atomic():
            operation = FinancialOperation.objects.select_related("payment_type").get(
                pk=operation_id
            )
            moved = MoneyMoved(operation, "in", (("Поповнення", 10_000),), SYSTEM)
            return receipt_ask(moved)

    results = _together([ask, ask])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r is None for r in results) == [False, True]  # one made it, one saw it
    with org_scope(org):
        assert FiscalReceipt.objects.filter(operation_id=operation_id).count() == 1


@pytest.mark.postgres_only
def test_two_ticks_at_once_post_each_receipt_once_in_one_shift(transactional_db, sim):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    org = make_org("Race ticks")
    with org_scope(org):
        branch = make_branch(org, "Main")
        make_register(org, branch, sim.base_url)
        for n in range(5):
            paid_topup(org, 1_000 * (n + 1))
    sim.inject_fault(delay=0.2, path="/api/v1/cashier/signin")  # widen the window

    def tick():
        return receipts_send(T0)

    results = _together([tick, tick])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert "busy=1" in results  # the second worker found the register claimed
    for _ in range(3):
        receipts_send(datetime(2027, 1, 11, 12, 0, tzinfo=UTC))
    with org_scope(org):
        receipts = list(FiscalReceipt.objects.order_by("id"))
        assert [r.status for r in receipts] == ["done"] * 5
        assert Shift.objects.count() == 1
    ids = [r.json()["id"] for r in sim.sells]
    assert sorted(ids) == sorted(str(r.uuid) for r in receipts)  # each posted once
    assert len(sim.shifts) == 1
