"""Demo schedule: statuses, working hours for every specialist, a week of visits around
today (the real date, `DemoContext.today`: loaded before opening, today's visits are all
still to come) for each (their own trade's services, each for a client it is meant for, only
clients who come: not a lead nor one marked «Не відвідує»), weekly evening lessons of
the salon's two courses with attendance history.

The week's past visits happened on their days: each booked two days before, its outcome
marked when it ended (a cancellation the day before it), with the clock set back
(`demo_clock`). Marked at the moment the demo was loaded, a visit of yesterday charged to
the balance read as money taken this morning (the sixth tour's #4)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta

from zapys.accounts.demo import TEACHER_LOGIN
from zapys.catalog.demo import service_fits
from zapys.clients.models import Client
from zapys.core.demo import CLOSES, OPENS, WORKDAYS, DemoContext, demo_clock
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import organization_zone
from zapys.schedule import services
from zapys.schedule.models import Attendance, Visit

#: The make-up artist's week: the courses' evening lessons, 18:00–20:00, Monday to Thursday.
TEACHER_WEEK = [(d, time(17), time(21)) for d in range(4)]
LESSON_START = time(18)
LESSON_MINUTES = 120


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    statuses = services.visit_statuses_ensure(organization=org)
    tz = organization_zone(org)
    today = ctx.today
    specialists = ctx.specialists
    # the salon works every day, its whole opening hours (README says 9:00–20:00: the
    # staff hours page said 19:00)
    week = [(d, OPENS, CLOSES) for d in WORKDAYS]
    for spec in specialists:
        # the courses' lessons are in the evening
        hours = TEACHER_WEEK if spec.username == TEACHER_LOGIN else week
        for branch in spec.branches.all():
            services.staff_hours_set(staff=spec, branch=branch, intervals=hours, actor=ctx.actor)
    if specialists:
        services.hours_exception_create(
            staff=specialists[0],
            branch=specialists[0].branches.first(),  # type: ignore[arg-type]
            on_date=today + timedelta(days=10),
            kind="day_off",
            note="Відпустка",
            actor=ctx.actor,
        )
    clients = [c for c in ctx.data.get("clients", []) if c.status == Client.Status.ACTIVE]
    all_services = ctx.data.get("services", [])
    rng = ctx.rng
    visits: list[Visit] = []
    for spec in specialists:
        # each specialist their own trade's services, each service a client it is meant for
        own = [s for s in all_services if service_fits(s, staff=spec)]
        branches = list(spec.branches.all())
        for offset in range(-3, 4):
            day = today + timedelta(days=offset)
            at = datetime.combine(day, time(9), tz)
            while at.hour < 18 and clients and own:
                service = rng.choice(own)
                if rng.random() < 0.35:
                    at += timedelta(minutes=30)
                    continue
                fitting = [c for c in clients if service_fits(service, client=c)]
                if not fitting:
                    break
                # a past visit was booked two days before it (so cancelled after booking,
                # `_status`); a coming one now
                booked = min(at - timedelta(days=2), ctx.now)
                with contextlib.suppress(DomainError), demo_clock(booked):
                    visits.append(
                        services.visit_create(
                            organization=org,
                            client=rng.choice(fitting),
                            staff=spec,
                            service=service,
                            branch=branches[0] if branches else None,
                            starts_at=at,
                            actor=ctx.actor,
                            now=booked,
                        )
                    )
                at += timedelta(minutes=service.duration_minutes + 15)
    # Past visits get an outcome: most came (charging the balance or a membership),
    # some no-shows and cancellations. A couple of future ones carry the booking clock.
    for visit in visits:
        if visit.starts_at >= ctx.now:
            continue
        roll = rng.random()
        code = "came" if roll < 0.75 else ("no_show" if roll < 0.87 else "cancelled")
        _status(visit, statuses[code], ctx)
    future = [v for v in visits if v.starts_at > ctx.now]
    for visit, state in zip(future[:3], ["pending", "paid", "expired"], strict=False):
        services.visit_booking_state_set(visit=visit, state=state, actor=ctx.actor)
    _lessons(ctx, today)


def _status(visit: Visit, status, ctx: DemoContext) -> None:  # type: ignore[no-untyped-def]
    """The visit's outcome as of when it was known: a cancellation the day before, an
    arrival or a no-show when the visit ended (one still going on: now). The charge to the
    balance an arrival writes is dated then, as at the desk."""
    if status.is_cancellation:
        when = visit.starts_at - timedelta(days=1)
    else:
        when = min(visit.ends_at, ctx.now)
    with contextlib.suppress(DomainError), demo_clock(when):
        services.visit_status_set(visit=visit, status=status, actor=ctx.actor, now=when)


def _lessons(ctx: DemoContext, today: date) -> None:
    groups = ctx.data.get("groups", [])
    rooms = ctx.data.get("rooms", [])
    if not groups:
        return
    tz = organization_zone(ctx.organization)
    first_monday = today - timedelta(days=today.weekday() + 21)
    for i, group in enumerate(groups):
        teacher = group.teacher or ctx.owner
        start = datetime.combine(first_monday + timedelta(days=i), LESSON_START, tz)
        try:
            lessons = services.lesson_create(
                organization=ctx.organization,
                branch=group.branch or ctx.branches[0],
                staff=teacher,
                group=group,
                room=rooms[0] if rooms else None,
                starts_at=start,
                duration_minutes=LESSON_MINUTES,
                price=30000,
                repeat_until=today + timedelta(days=28),
                weekdays=[i, i + 2],
                actor=ctx.actor,
            )
        except DomainError:
            continue
        for lesson in lessons:
            # marked when the lesson ended (one still going on is not marked yet): the
            # charge for it is dated that day, not the day the demo was loaded
            marked = lesson.starts_at + timedelta(minutes=LESSON_MINUTES)
            if marked > ctx.now:
                continue
            for attendance in Attendance.objects.filter(visit=lesson):
                state = "attended" if ctx.rng.random() < 0.8 else "absent"
                with contextlib.suppress(DomainError), demo_clock(marked):
                    services.attendance_mark(
                        attendance=attendance, state=state, actor=ctx.actor, now=marked
                    )
