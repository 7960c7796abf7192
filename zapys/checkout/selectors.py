"""Reads of the checkout app: a visit found for the API and pages, and the unpaid visits
(of a period for their page, of today for the dashboard card)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Subquery

from zapys.checkout.models import Checkout
from zapys.core.tenancy import organization_zone
from zapys.schedule.models import Attendance, Visit


def visit_get(*, visit_id: int) -> Visit:
    """A visit of the active organization (another's or a missing one: DoesNotExist)."""
    return Visit.objects.select_related(
        "status", "client", "service", "group", "staff", "branch", "organization"
    ).get(pk=visit_id)


def owed_after_refund(organization: Any) -> QuerySet[Checkout]:
    """Settled checkouts whose money was refunded and not taken again."""
    return Checkout.objects.for_org(organization).filter(
        status=Checkout.Status.SETTLED, refunded__gt=F("repaid")
    )


def unpaid_attendances(
    *, organization: Any, day: date, branch_id: int | None, now: datetime
) -> QuerySet[Attendance]:
    """The day's unpaid participants (the dashboard card): `unpaid_between` for one day."""
    return unpaid_between(
        organization=organization,
        date_from=day,
        date_to=day,
        branch_ids=[branch_id] if branch_id else None,
        staff_id=None,
        now=now,
    )


def unpaid_between(
    *,
    organization: Any,
    date_from: date,
    date_to: date,
    branch_ids: list[int] | None,
    staff_id: int | None,
    now: datetime,
) -> QuerySet[Attendance]:
    """Participants of the days `date_from`..`date_to` (both included, the organization's
    zone) who came (or whose visit has started) and were not charged: the visits still to
    pay (and those paid whose money was refunded: owed again). `branch_ids` None: every
    branch. One query, whatever the count."""
    tz = organization_zone(organization)
    start = datetime.combine(date_from, time.min, tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tz)
    qs = (
        Attendance.objects.for_org(organization)
        .filter(
            visit__starts_at__gte=start,
            visit__starts_at__lt=min(end, now),
            visit__blocks_time=True,
            visit__price__gt=0,
            state__in=[Attendance.State.ATTENDED, Attendance.State.PLANNED],
        )
        # not charged yet, or charged and paid but the money was refunded (owed again)
        .filter(
            Q(charge=Attendance.Charge.NONE)
            | Q(pk__in=Subquery(owed_after_refund(organization).values("attendance_id")))
        )
        .select_related(
            "client", "visit", "visit__service", "visit__group", "visit__staff", "visit__branch"
        )
        .order_by("visit__starts_at", "id")
    )
    if branch_ids is not None:
        qs = qs.filter(visit__branch_id__in=branch_ids)
    if staff_id:
        qs = qs.filter(visit__staff_id=staff_id)
    return qs
