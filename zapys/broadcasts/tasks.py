"""Huey task of broadcasts: "send now" queues the whole audience and delivers it."""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from zapys.broadcasts.services import broadcast_finish, broadcast_run
from zapys.messaging import outbox

#: How many outbox batches one task delivers before leaving the rest to the sweep.
MAX_DELIVERY_BATCHES = 500


@db_task()
def broadcast_send_task(broadcast_id: int) -> str:
    """Queue every batch, deliver through the outbox (its rate limits apply), finish.

    Losing this task (queue down, worker killed) loses nothing: the `broadcasts.send` job
    goes on from the broadcast's cursor and the outbox sweep delivers what is queued.
    """
    batches = broadcast_run(broadcast_id=broadcast_id, now=timezone.now())
    stats = outbox.deliver_due(now=timezone.now(), max_batches=MAX_DELIVERY_BATCHES)
    broadcast_finish(broadcast_id=broadcast_id, now=timezone.now())
    return f"broadcast {broadcast_id}: {batches} batches queued; {stats.summary()}"
