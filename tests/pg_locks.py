"""Two transactions racing for row locks on PostgreSQL, made to meet the same way every run.

A lock-order test runs two paths in two threads (two connections) and makes one of them hold
its locks until the other is seen waiting for a lock in `pg_locks`: the interleaving that
deadlocks when the two take their locks in opposite orders is then the one tested, not a
lucky timing. Used by prepayments/tests/test_lock_order.py, invoices/tests/test_lock_order.py
and checkout/tests/test_link_race.py."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

from django.db import connection, connections

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
