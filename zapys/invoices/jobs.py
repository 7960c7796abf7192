"""Periodic jobs and calendar work of invoices (driven by the scheduler and `tick --now`):
expiring invoices whose window is over, dunning reminders, and the automatic rules on the
organizations' calendars."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.core.calendar_work import calendar_work
from zapys.core.jobs import periodic_job
from zapys.core.models import CalendarSchedule
from zapys.invoices.rules import WORK, dunning_run, rules_run_scheduled
from zapys.invoices.services import invoices_close_attempts, invoices_expire


@periodic_job("invoices.expire", every=timedelta(minutes=10))
def invoice_windows(now: datetime) -> str:
    """Expire awaiting invoices whose payment window is over."""
    return f"{invoices_expire(now)} expired"


@periodic_job("invoices.close_attempts", every=timedelta(minutes=1))
def invoice_attempts(now: datetime) -> str:
    """Close the open payment attempts of archived and expired invoices."""
    return f"{invoices_close_attempts(now)} closed"


@periodic_job("invoices.dunning", every=timedelta(minutes=10))
def invoice_reminders(now: datetime) -> str:
    """Send the dunning reminders that are due."""
    return f"{dunning_run(now)} reminders"


@calendar_work(WORK)
def invoice_rule(schedule: CalendarSchedule, scheduled_for: datetime) -> str:
    """An automatic invoicing rule at its time in the organization's zone."""
    return rules_run_scheduled(schedule, scheduled_for)
