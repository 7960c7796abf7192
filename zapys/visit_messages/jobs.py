"""Periodic job: the visit reminders (driven by the scheduler and `tick --now`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.core.jobs import periodic_job
from zapys.visit_messages.services import reminders_sweep


@periodic_job("visit_messages.reminders", every=timedelta(minutes=1))
def visit_reminders(now: datetime) -> str:
    """Remind clients of their visits at each organization's lead time, not at night."""
    return reminders_sweep(now).summary()
