"""Huey tasks of the messaging app: thin wrappers that load by id and call the outbox."""

from __future__ import annotations

from django.utils import timezone
from huey.contrib.djhuey import db_task

from zapys.messaging import outbox


@db_task()
def deliver_message_task(message_id: int) -> str:
    """Deliver one message right after the transaction that queued it committed.

    Losing this task (queue down, worker killed) loses nothing: the periodic sweep
    picks up every due queued row.
    """
    return outbox.deliver_one(message_id, now=timezone.now()).summary()
