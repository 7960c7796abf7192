"""Demo: the past visits the client came to are checked out — by card or in cash, a few
through the balance — and a few of today's are left to pay, so the visit card, the
dashboard's "Unpaid visits today" and the day's sales show the checkout with data. Each is
checked out when its visit ended (`demo_clock`): the payments and receipts fall on the
visits' days, not all on the day the demo was loaded."""

from __future__ import annotations

import contextlib
from datetime import datetime, time

from zapys.checkout.services import CARD, CASH, PaymentIn, checkout_summary, visit_checkout
from zapys.core.demo import DemoContext, demo_clock
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import organization_zone
from zapys.schedule.models import Attendance, Visit


def load(ctx: DemoContext) -> None:
    tz = organization_zone(ctx.organization)
    today = datetime.combine(ctx.now.astimezone(tz).date(), time.min, tz)
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
        due = checkout_summary(visit).due
        payments = [PaymentIn(CARD if n % 3 else CASH, due)] if due else []
        paid_at = min(visit.ends_at, ctx.now)
        with contextlib.suppress(DomainError), demo_clock(paid_at):
            visit_checkout(visit=visit, payments=payments, actor=ctx.actor, now=paid_at)
