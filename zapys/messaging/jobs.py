"""Periodic jobs of the messaging app."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.core.jobs import periodic_job
from zapys.messaging import outbox

#: Upper bound of one sweep run, so one tick cannot run for ever behind a huge backlog.
SWEEP_MAX_BATCHES = 50


@periodic_job("messaging.outbox", every=timedelta(minutes=1), order=900)
def deliver_outbox(now: datetime) -> str:
    """Deliver due queued messages and put back rows whose worker died mid-delivery."""
    return outbox.deliver_due(now=now, max_batches=SWEEP_MAX_BATCHES).summary()
