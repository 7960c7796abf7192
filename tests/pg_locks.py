"""Two transactions racing for row locks on PostgreSQL, made to meet the same way every run.

A lock-order test runs two paths in two threads (two connections) and makes one of them hold
its locks until the other is seen waiting for a lock in `pg_locks`: the interleaving that
deadlocks when the two take their locks in opposite orders is then the one tested, not a
lucky timing. Used by prepayments/tests/test_lock_order.py, invoices/tests/test_lock_order.py
and checkout/tests/test_link_race.py.

What their setups share is here too: `needs_postgresql` (the test's first line), `link_paid`
(the provider's callback for a payment link, as the web hook processes it) and `Hold` (one
side holds its locks, patched into the function where it has them, until the other waits)."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope
from zapys.payments.models import Payment, PaymentAccount, PaymentEvent
from zapys.payments.providers.base import ProviderEvent
from zapys.payments.services import payment_event_process

#: At most ~30 s of polling: a run that never meets the other fails in its assertion.
POLLS, POLL_SECONDS = 600, 0.05


def someone_waits_for_a_lock() -> bool:
    """Another backend of this test database waits for a lock (polled from the caller's
    connection; `pg_locks` is live, the activity view is cleared of its snapshot first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE NOT l.granted AND a.datname = current_database()"
            " AND l.pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
        return bool(row and row[0] > 0)


def hold_until_the_other_waits(seen: list[bool]) -> None:
    """Called inside the holding side's transaction: return once another connection waits
    for a lock (`seen` gets True), or after ~30 s (`seen` stays empty)."""
    for _ in range(POLLS):
        if someone_waits_for_a_lock():
            seen.append(True)
            return
        time.sleep(POLL_SECONDS)


def at_once(**paths: Callable[[], str]) -> dict[str, str]:
    """Run each path in its own thread (its own connection), started together; their results
    by name — an exception as its traceback, shown in the caller's assertion rather than lost
    in the thread. Each thread closes its connections."""
    barrier = threading.Barrier(len(paths))
    outcomes: dict[str, str] = {}

    def run(name: str, path: Callable[[], str]) -> None:
        try:
            barrier.wait()
            outcomes[name] = path()
        except Exception:
            outcomes[name] = traceback.format_exc()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in paths.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def needs_postgresql() -> None:
    """Skip on another database: two writers racing for row locks need PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")


def link_paid(organization: Any, payment: Payment, account: PaymentAccount | None = None) -> str:
    """The provider's callback: `payment` succeeded, its whole amount (event "race-1"),
    processed in `organization` as the web hook does; the event's outcome."""
    with org_scope(organization):
        if account is None:
            account = Payment.objects.select_related("account").get(pk=payment.pk).account
        return payment_event_process(
            account=account,
            event=ProviderEvent(
                order_id=payment.order_id,
                status="succeeded",
                provider_status="success",
                amount=payment.amount,
                currency="UAH",
                provider_payment_id="race-1",
                account_key=account.public_id,
                event_id="race-1",
                raw={},
            ),
            source=PaymentEvent.Source.CALLBACK,
            actor=Actor.provider(account.provider),
        )


class Hold:
    """One side of a race holds its locks until the other is seen waiting for one.

    `hold.inside(monkeypatch, module, "name")` makes `module.name` hold before it runs
    (`after=True`: once it has returned — a function that takes the locks itself); the
    other side calls `hold.wait()` first, so it asks for the locks while they are held;
    `hold.seen == [True]` once the other side did wait."""

    def __init__(self) -> None:
        self.seen: list[bool] = []
        self.holding = threading.Event()

    def here(self) -> None:
        self.holding.set()  # the holding side's locks are taken by now
        hold_until_the_other_waits(self.seen)

    def wait(self) -> None:
        assert self.holding.wait(60), "the holding side never took its locks"

    def inside(self, monkeypatch: Any, owner: Any, name: str, *, after: bool = False) -> None:
        original = getattr(owner, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            if not after:
                self.here()
            result = original(*args, **kwargs)
            if after:
                self.here()
            return result

        monkeypatch.setattr(owner, name, held)
