"""Periodic job: invoices whose payment window is over (driven by the scheduler and
`tick --now`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.core.jobs import periodic_job
from zapys.invoices.services import invoices_expire


@periodic_job("invoices.expire", every=timedelta(minutes=10))
def invoice_windows(now: datetime) -> str:
    """Expire awaiting invoices whose payment window is over."""
    return f"{invoices_expire(now)} expired"
