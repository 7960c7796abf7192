"""Periodic job of broadcasts: start the scheduled ones, go on with interrupted ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.broadcasts.services import broadcast_finish, broadcast_run, broadcasts_due
from zapys.core.jobs import periodic_job

#: Batches one tick queues per broadcast (the next tick goes on from the cursor).
MAX_BATCHES_PER_TICK = 200


@periodic_job("broadcasts.send", every=timedelta(minutes=1), order=800)
def send_broadcasts(now: datetime) -> str:
    """Start due broadcasts, resume those a killed worker left, and mark finished ones done.

    Runs before the outbox sweep (order 900), so what it queues goes out in the same tick.
    """
    started = finished = batches = 0
    for broadcast_id in broadcasts_due(now=now):
        written = broadcast_run(
            broadcast_id=broadcast_id, now=now, max_batches=MAX_BATCHES_PER_TICK
        )
        batches += written
        started += 1
        finished += broadcast_finish(broadcast_id=broadcast_id, now=now)
    return f"broadcasts {started}, batches {batches}, finished {finished}"
