"""The per-account rate shared by several workers: two "workers" (threads with their own
database connections, each with its own SharedPacer as a process would have) reserving
sends of one account get distinct slots one interval apart, never the same one."""

from __future__ import annotations

import threading
import traceback

import pytest
from django.db import connection, connections

from tests.factories import make_org
from tests.factories_messaging import make_transport_account
from zapys.core.tenancy import org_scope
from zapys.messaging import outbox
from zapys.messaging.models import PacerSlot, TransportAccount
from zapys.messaging.pacing import DatabaseSlots, SharedPacer


def _account(max_per_second: int) -> TransportAccount:
    org = make_org("Pacing")
    with org_scope(org):
        account = make_transport_account(org, "telegram", "telegram", {"token": "1:x"})
        TransportAccount.objects.for_org(org).filter(pk=account.pk).update(
            max_per_second=max_per_second
        )
        account.refresh_from_db()
    return account


@pytest.mark.postgres_only
def test_two_workers_together_keep_the_accounts_rate(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    account = _account(10)  # one send every 0.1 s
    now = 1_000_000.0  # the same moment for both: they would collide without the store
    barrier = threading.Barrier(2)
    waits: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        pacer = SharedPacer(outbox.rate_for, DatabaseSlots(), clock=lambda: now)
        try:
            barrier.wait()
            for _ in range(10):
                waits.append(pacer.take(account))
        except Exception:
            errors.append(traceback.format_exc())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # 20 sends of the two workers together: slots 0, 0.1 … 1.9 s, each taken once.
    assert sorted(round(w, 6) for w in waits) == [round(n / 10, 6) for n in range(20)]
    assert PacerSlot.objects.get(account=account).next_at == pytest.approx(now + 2.0)


@pytest.mark.django_db
def test_the_slot_moves_with_time_and_an_unpaced_account_costs_nothing(
    django_assert_num_queries,
):
    account = _account(5)
    clock = {"now": 500.0}
    pacer = SharedPacer(outbox.rate_for, DatabaseSlots(), clock=lambda: clock["now"])
    assert pacer.take(account) == 0.0
    assert pacer.take(account) == pytest.approx(0.2)
    assert pacer.delay(account) == pytest.approx(0.4)
    clock["now"] += 10  # long after: the next send goes at once
    assert pacer.take(account) == 0.0
    console = TransportAccount(code="console")
    with django_assert_num_queries(0):
        assert pacer.take(console) == 0.0 and pacer.delay(console) == 0.0


def test_two_workers_share_the_rate_through_redis():
    """The scaled mode's store (Huey on Redis): the same guarantee with a Lua script."""
    import random

    redis = pytest.importorskip("redis")
    from zapys.messaging.pacing import RedisSlots

    try:
        store = RedisSlots("redis://127.0.0.1:6379/15")
        store.client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis here")
    account = TransportAccount(pk=random.randint(10**9, 2 * 10**9), code="telegram")
    account.max_per_second = 4
    now = 2_000_000.0
    barrier = threading.Barrier(2)
    waits: list[float] = []

    def worker() -> None:
        pacer = SharedPacer(outbox.rate_for, RedisSlots("redis://127.0.0.1:6379/15"), lambda: now)
        barrier.wait()
        for _ in range(6):
            waits.append(pacer.take(account))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(waits) == [n / 4 for n in range(12)]
        assert store.peek(account.pk) == pytest.approx(now + 3.0)
    finally:
        store.client.delete(store.key(account.pk))
