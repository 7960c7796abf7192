"""Periodic job: the waiting-list deadlines (driven by the scheduler and `tick --now`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.core.jobs import periodic_job
from zapys.waitlist.sweeps import sweep


@periodic_job("waitlist.offers", every=timedelta(minutes=1))
def waitlist_offers(now: datetime) -> str:
    """Pass offers not paid in time to the next client on the waiting list."""
    return sweep(now).summary()
