"""Work that runs on an organization's calendar: "monthly on the 1st at 09:00".

`core.jobs` runs platform jobs every N minutes; this runs an organization's own rules at wall-
clock times in its time zone. An app declares what to do with `@calendar_work("<app>.<what>")`
in its `jobs.py`, and keeps one `CalendarSchedule` row per object that has a rule through
`calendar_schedule_set` / `calendar_schedule_pause`. The periodic job below (every minute, and
`manage.py tick --now ...`) finds the due rows and runs each once:

- a run is claimed by moving `next_run_at` forward with a conditional UPDATE (`WHERE id = %s AND
  next_run_at = <the value we read>`), so two schedulers, or a scheduler and an operator's tick,
  never run the same slot twice;
- the handler runs in the organization's scope, language and time zone, so whatever it writes
  (a notification, an invoice text) reads as the organization's, whoever ticked;
- a scheduler that was down catches up once, not once per missed slot: the handler is told the
  slot it runs for (`scheduled_for`), and the next slot is searched after *now*;
- a failing handler is logged and its row says so (`last_summary`); the slot is spent, and the
  other organizations' work goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation

from zapys.accounts.models import Organization
from zapys.core.audit import Actor, audit_record
from zapys.core.jobs import periodic_job
from zapys.core.models import CalendarSchedule
from zapys.core.recurrence import Recurrence, next_run
from zapys.core.tenancy import org_scope, organization_zone, unscoped

logger = logging.getLogger(__name__)

#: handler(schedule, scheduled_for) -> a one-line summary for the row and the tick output.
WorkFunc = Callable[[CalendarSchedule, datetime], str]

WORK: dict[str, WorkFunc] = {}

#: Due rows handled per tick; the rest wait a minute. A tick must stay short however many
#: organizations picked "the 1st at 09:00".
BATCH = 500


def calendar_work(name: str) -> Callable[[WorkFunc], WorkFunc]:
    """Register the handler of the work called `name` ("invoicing.rule")."""

    def decorator(func: WorkFunc) -> WorkFunc:
        if name in WORK and WORK[name] is not func:
            raise ValueError(f"Calendar work {name!r} is registered twice")
        WORK[name] = func
        return func

    return decorator


def calendar_schedule_set(
    *,
    organization: Organization,
    work: str,
    subject_id: int,
    rule: Recurrence,
    actor: Actor,
    now: datetime,
) -> CalendarSchedule:
    """Create or change the rule of (`work`, `subject_id`) and plan its next run after `now`."""
    if work not in WORK:
        raise ValueError(f"No calendar work is registered as {work!r}")
    next_at = next_run(rule, after=now, tz=organization_zone(organization))
    with transaction.atomic(), org_scope(organization):
        schedule, created = CalendarSchedule.objects.select_for_update().get_or_create(
            organization=organization,
            work=work,
            subject_id=subject_id,
            defaults=_rule_fields(rule) | {"next_run_at": next_at},
        )
        before = None if created else schedule.recurrence.stored_text()
        if not created:
            for field, value in (_rule_fields(rule) | {"next_run_at": next_at}).items():
                setattr(schedule, field, value)
            schedule.save()
        audit_record(
            organization=organization,
            actor=actor,
            action="calendar_schedule.set",
            obj=schedule,
            changes={"rule": [before, rule.stored_text()]},
        )
    return schedule


def calendar_schedule_pause(*, schedule: CalendarSchedule, actor: Actor) -> CalendarSchedule:
    """Stop running until the rule is set again (the rule itself is kept)."""
    with transaction.atomic():
        CalendarSchedule.objects.for_org(schedule.organization).filter(pk=schedule.pk).update(
            next_run_at=None
        )
        schedule.next_run_at = None
        audit_record(
            organization=schedule.organization,
            actor=actor,
            action="calendar_schedule.pause",
            obj=schedule,
        )
    return schedule


def _rule_fields(rule: Recurrence) -> dict[str, object]:
    return {
        "frequency": str(rule.frequency),
        "time_of_day": rule.at,
        "weekday": rule.weekday,
        "day_of_month": rule.day_of_month,
    }


def _claim(schedule: CalendarSchedule, *, now: datetime) -> datetime | None:
    """Move the row's `next_run_at` past `now`; the slot it had when we read it, or None when
    another runner claimed (or someone paused or re-planned) it first."""
    due_at = schedule.next_run_at
    upcoming = next_run(schedule.recurrence, after=now, tz=organization_zone(schedule.organization))
    claimed = (
        CalendarSchedule.objects.for_org(schedule.organization)
        .filter(pk=schedule.pk, next_run_at=due_at)
        .update(next_run_at=upcoming, last_run_at=now)
    )
    if claimed != 1:
        return None
    schedule.next_run_at, schedule.last_run_at = upcoming, now
    return due_at


def run_due_calendar_work(now: datetime) -> list[tuple[CalendarSchedule, str]]:
    """Run every due schedule once; (schedule, summary) for each one this runner claimed."""
    with unscoped():
        due = list(
            CalendarSchedule.objects.filter(next_run_at__lte=now, work__in=list(WORK))
            .select_related("organization")
            .order_by("next_run_at", "id")[:BATCH]
        )
    results: list[tuple[CalendarSchedule, str]] = []
    for schedule in due:
        scheduled_for = _claim(schedule, now=now)
        if scheduled_for is None:
            continue
        summary = _run_one(schedule, scheduled_for)
        CalendarSchedule.objects.for_org(schedule.organization).filter(pk=schedule.pk).update(
            last_summary=summary[:1000]
        )
        results.append((schedule, summary))
    return results


def _run_one(schedule: CalendarSchedule, scheduled_for: datetime) -> str:
    organization = schedule.organization
    try:
        with (
            org_scope(organization),
            translation.override(organization.language or None),
            timezone.override(organization_zone(organization)),
        ):
            return WORK[schedule.work](schedule, scheduled_for)
    except Exception as exc:  # one organization's failure must not stop the others
        logger.exception("Calendar work %s #%s failed", schedule.work, schedule.subject_id)
        return f"failed: {exc.__class__.__name__}: {exc}"


@periodic_job("core.calendar_work", every=timedelta(minutes=1), order=50)
def calendar_work_due(now: datetime) -> str:
    """Run the organizations' calendar rules that are due (invoicing, broadcasts, reports)."""
    results = run_due_calendar_work(now)
    failed = sum(1 for _, summary in results if summary.startswith("failed:"))
    return f"{len(results)} run, {failed} failed"
