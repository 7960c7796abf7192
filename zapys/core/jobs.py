"""One registry of periodic jobs, run by the Huey scheduler every minute and by `tick`.

A job is a function `job(now) -> summary` that never reads the clock itself, so tests
and operators can run it "as if" at any time (`manage.py tick --now ...`). Each job
claims its run with a conditional UPDATE on JobState, so two schedulers (or a
scheduler and an operator's tick) never run the same job for the same slot twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.db.models import Q
from django.utils.module_loading import autodiscover_modules

from zapys.core.models import JobState

logger = logging.getLogger(__name__)

JobFunc = Callable[[datetime], str]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: JobFunc
    description: str = ""
    #: Jobs run in (order, name) order within a tick: the outbox runs last so that the
    #: messages other jobs queued in the same tick go out in it too.
    order: int = 100


JOBS: dict[str, PeriodicJob] = {}

#: How much earlier than `every` a run still counts as due. The scheduler fires every
#: 60 s by its own clock and the job starts whenever a worker picks the task up, so two
#: consecutive runs are 60 s apart give or take a few milliseconds; without this slack
#: a run 59.99 s after the last one was "not due" and a one-minute job ran every two
#: minutes about half the time (seen in tests/scaled/run.py).
SCHEDULE_SLACK = timedelta(seconds=5)


def periodic_job(name: str, *, every: timedelta, order: int = 100) -> Callable[[JobFunc], JobFunc]:
    """Register `func(now) -> summary` to run every `every` (`order`: see PeriodicJob)."""

    def decorator(func: JobFunc) -> JobFunc:
        if name in JOBS and JOBS[name].func is not func:
            raise ValueError(f"Periodic job {name!r} is registered twice")
        description = (func.__doc__ or "").strip().split("\n")[0]
        JOBS[name] = PeriodicJob(name, every, func, description, order)
        return func

    return decorator


def discover_jobs() -> dict[str, PeriodicJob]:
    autodiscover_modules("jobs")
    # Core's own job (the organizations' calendar rules) lives beside the models it drives;
    # importing it by name keeps this registry free of model imports.
    import_module("zapys.core.calendar_work")
    return JOBS


def claim_job(job: PeriodicJob, now: datetime) -> bool:
    """Mark the job as run at `now` if it is due; False when another runner got it."""
    JobState.objects.get_or_create(name=job.name)
    slack = min(SCHEDULE_SLACK, job.every / 2)
    due = (
        Q(last_run_at__isnull=True)
        | Q(last_run_at__lte=now - job.every + slack)
        | Q(last_run_at__gt=now)
    )
    return JobState.objects.filter(due, name=job.name).update(last_run_at=now) == 1


def run_due_jobs(now: datetime, *, only: list[str] | None = None) -> list[tuple[str, str]]:
    """Run every due job once, in (order, name) order. Returns (name, summary) per job run
    or skipped."""
    results: list[tuple[str, str]] = []
    jobs = discover_jobs()
    for name in sorted(jobs, key=lambda n: (jobs[n].order, n)):
        if only and name not in only:
            continue
        job = JOBS[name]
        if not claim_job(job, now):
            results.append((name, "not due"))
            continue
        try:
            summary = job.func(now)
        except Exception as exc:  # one failing job must not stop the others
            logger.exception("Periodic job %s failed", name)
            summary = f"failed: {exc.__class__.__name__}: {exc}"
        JobState.objects.filter(name=name).update(last_summary=summary[:1000])
        results.append((name, summary))
    return results
