"""The scheduler: one Huey periodic task that runs the job registry every minute."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zapys.core.jobs import run_due_jobs


@db_periodic_task(crontab(minute="*"))
def scheduler_tick() -> None:
    run_due_jobs(timezone.now())
