"""Periodic job: the prepayment deadlines (driven by the scheduler and `tick --now`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.core.jobs import periodic_job
from zapys.prepayments.services import fees_charge_due
from zapys.prepayments.sweeps import sweep


@periodic_job("prepayments.deadlines", every=timedelta(minutes=1))
def prepayment_deadlines(now: datetime) -> str:
    """Remind, expire and auto-cancel unpaid bookings whose deadline has passed."""
    return sweep(now).summary()


@periodic_job("prepayments.fees", every=timedelta(minutes=5))
def prepayment_fees(now: datetime) -> str:
    """Charge the no-show fees whose review window has passed (unless waived)."""
    return f"charged {fees_charge_due(now)}"
