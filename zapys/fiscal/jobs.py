"""Periodic jobs of the fiscal app (driven by the scheduler and `tick --now`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.core.jobs import periodic_job
from zapys.fiscal.sending import receipts_send, shifts_close


@periodic_job("fiscal.send", every=timedelta(minutes=1), order=50)
def fiscal_send(now: datetime) -> str:
    """Send pending fiscal receipts to Checkbox and follow them until DONE or ERROR."""
    return receipts_send(now)


@periodic_job("fiscal.shifts", every=timedelta(minutes=1), order=60)
def fiscal_shifts(now: datetime) -> str:
    """Close cash-register shifts at their closing time, with the Z-report."""
    return shifts_close(now)
