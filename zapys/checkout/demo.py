"""Demo: the past visits the client came to are checked out — by card or in cash, a few
through the balance — and a few of today's are left to pay, so the visit card, the
dashboard's "Unpaid visits today" and the day's sales show the checkout with data. Each is
checked out when its visit ended (`demo_clock`): the payments and receipts fall on the
visits' days, not all on the day the demo was loaded.

Before the schedule's week (`schedule/demo.py`, three days either side of today) the desk
has a history of its own: two months of visits, each booked, come to and checked out
(`_history`), so the Reports section shows a real business's month and the one before
(R1), and every charge for a service on a client's card is a visit on the calendar
(a charge with no visit behind it read as money taken for nothing). A few refunds (half
the price back, the visit's charge lowered as much) and one payment written twice and
cancelled. Deterministic (the demo's seeded random) and small: the demo must stay quick."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.utils.translation import gettext_noop

from zapys.catalog.demo import service_fits
from zapys.checkout.services import CARD, CASH, PaymentIn, checkout_summary, visit_checkout
from zapys.clients.demo import demo_gender
from zapys.core.demo import DemoContext, demo_clock
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import organization_zone
from zapys.ledger.models import Entry
from zapys.ledger.money import SoldLine, money_received_record, money_refunded_record
from zapys.ledger.services import entry_cancel, entry_create
from zapys.schedule.models import Attendance, Visit
from zapys.schedule.services import visit_create, visit_status_set, visit_statuses_ensure

#: The schedule's demo fills this many days before today (`schedule/demo.py`); the desk's
#: history is older.
SCHEDULE_DAYS_BACK = 3
#: What the history's clients came for (the catalogue's services, `catalog/demo.py`).
HISTORY_SERVICES = (
    "Стрижка жіноча",
    "Стрижка чоловіча",
    "Оформлення бороди",
    "Манікюр з покриттям гель-лак",
    "Фарбування волосся",
    "Педикюр",
    "Укладка",
    "Корекція брів",
)


def load(ctx: DemoContext) -> None:
    _history(ctx)
    tz = organization_zone(ctx.organization)
    # the real date's morning: before opening nothing of today is past, so nothing of
    # today is left to pay (`DemoContext.today`)
    today = datetime.combine(ctx.today, time.min, tz)
    waiting = list(
        Attendance.objects.for_org(ctx.organization)
        .filter(
            visit__kind=Visit.Kind.INDIVIDUAL,
            visit__starts_at__lt=ctx.now,
            visit__blocks_time=True,
            state=Attendance.State.ATTENDED,
            charge=Attendance.Charge.NONE,
        )
        .select_related("visit")
        .order_by("visit__starts_at", "id")
    )
    left_today = 0
    for n, attendance in enumerate(waiting):
        visit = attendance.visit
        if visit.starts_at >= today and left_today < 3 and n % 2 == 0:
            left_today += 1  # still to pay: the dashboard card lists it
            continue
        _check_out(ctx, visit, CARD if n % 3 else CASH)


def _check_out(ctx: DemoContext, visit: Visit, method: str) -> bool:
    """Checked out when the visit ended: what is due paid by `method` (nothing when the
    balance or a membership covered it). False when it could not be."""
    due = checkout_summary(visit).due
    payments = [PaymentIn(method, due)] if due else []
    paid_at = min(visit.ends_at, ctx.now)
    try:
        with demo_clock(paid_at):
            visit_checkout(visit=visit, payments=payments, actor=ctx.actor, now=paid_at)
    except DomainError:
        return False
    return bool(due)


def _at(day: date, hour: int, minute: int, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(hour, minute), zone)


def _history(ctx: DemoContext) -> None:
    """Visits at the desk from the first day of the month before last (so "last month
    against the one before" has both months whole) to the day before the schedule's week:
    each booked the day before, come to, checked out by card or in cash; more on Fridays
    and Saturdays, fewer on Sundays."""
    # people come for a haircut (a company buys none)
    clients = [c for c in ctx.data.get("clients") or [] if demo_gender(c)]
    by_name = {s.name: s for s in ctx.data.get("services") or []}
    if not ctx.branches or len(clients) < 20 or not by_name:
        return
    org, rng = ctx.organization, ctx.rng
    zone = organization_zone(org)
    came = visit_statuses_ensure(organization=org)["came"]
    performers = {
        name: [u for u in ctx.specialists if service_fits(service, staff=u)]
        for name, service in by_name.items()
    }
    today = ctx.today
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    first = (last_month - timedelta(days=1)).replace(day=1)
    for back in range((today - first).days, SCHEDULE_DAYS_BACK, -1):
        day = today - timedelta(days=back)
        visits = rng.randint(2, 3) + (1 if day.weekday() in (4, 5) else 0)
        if day.weekday() == 6:
            visits -= 1
        for n in range(visits):
            client = clients[rng.randrange(len(clients))]
            # what the client had done: a service meant for them (no beard trim for a woman)
            name = rng.choice([s for s in HISTORY_SERVICES if service_fits(s, client=client)])
            method = CARD if rng.random() < 0.6 else CASH
            starts_at = _at(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)), zone)
            if not performers.get(name):
                continue
            staff = performers[name][n % len(performers[name])]
            branches = list(staff.branches.order_by("id"))
            branch = branches[n % len(branches)] if branches else None
            booked = starts_at - timedelta(days=1)
            try:
                with demo_clock(booked):
                    visit = visit_create(
                        organization=org,
                        client=client,
                        staff=staff,
                        service=by_name[name],
                        branch=branch,
                        starts_at=starts_at,
                        actor=ctx.actor,
                        now=booked,
                    )
                with demo_clock(starts_at + timedelta(minutes=5)):
                    visit_status_set(
                        visit=visit,
                        status=came,
                        actor=ctx.actor,
                        now=starts_at + timedelta(minutes=5),
                    )
            except DomainError:
                continue  # the specialist is busy then (another demo's visit): one fewer
            visit.refresh_from_db()
            if not _check_out(ctx, visit, method):
                continue  # the balance or a membership paid for it: no money at the desk
            types = ctx.data.get("payment_types") or {}
            if visit.branch_id not in types:
                continue
            payment_type = types[visit.branch_id]["card" if method == CARD else "cash"]
            if back % 9 == 0 and n == 0:
                _refund(ctx, visit, payment_type, _at(day, 19, 45, zone))
            if back == 11 and n == 0:
                _written_twice(ctx, visit, payment_type, visit.ends_at + timedelta(minutes=1))


def _refund(ctx: DemoContext, visit: Visit, payment_type: Any, when: datetime) -> None:
    """That evening the client was unhappy with the result: the visit's charge lowered by
    half (a correction, «Знижка: …») and that half given back."""
    half = visit.price // 2
    with demo_clock(when):
        entry_create(
            client=visit.client,
            kind=Entry.Kind.DEBIT,
            amount=half,
            purpose=Entry.Purpose.CORRECTION,
            comment=f"{visit.title}: знижка 50% після скарги на результат",
            branch=visit.branch,
            actor=ctx.actor,
        )
        money_refunded_record(
            client=visit.client,
            amount=half,
            actor=ctx.actor,
            cause=None,
            comment=StoredText(gettext_noop("Refund: %(name)s"), name=visit.title),
            branch=visit.branch,
            payment_type=payment_type,
        )


def _written_twice(ctx: DemoContext, visit: Visit, payment_type: Any, when: datetime) -> None:
    """The visit's payment entered again by hand a minute after the checkout, and the
    second one cancelled: on the client's card it stays, struck through."""
    with contextlib.suppress(DomainError), demo_clock(when):
        money = money_received_record(
            client=visit.client,
            amount=visit.price,
            purpose=Entry.Purpose.PAYMENT,
            article="services",
            actor=ctx.actor,
            cause=None,
            comment=visit.title,
            sold=[SoldLine(visit.title, visit.price)],
            branch=visit.branch,
            payment_type=payment_type,
        )
        entry_cancel(entry=money.entry, actor=ctx.actor, reason="Записали двічі")
