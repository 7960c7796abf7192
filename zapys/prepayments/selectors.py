"""Reads of the prepayment app: the booking JSON, the report (B7) and its totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from zapys.messaging.models import Message
from zapys.prepayments.models import Booking

if TYPE_CHECKING:
    from zapys.schedule.models import Visit


def booking_json(booking: Booking) -> dict[str, Any]:
    """Exactly the API.md booking shape (plus nothing a client could not see)."""
    return {
        "id": booking.pk,
        "visit_id": booking.visit_id,
        "status": booking.status,
        "paid_late": booking.paid_late,
        "amount": booking.amount,
        "currency": booking.currency,
        "payment_url": booking.payment_url,
        "expires_at": booking.expires_at.isoformat(),
        "paid_at": booking.paid_at.isoformat() if booking.paid_at else None,
        "payment_id": booking.payment_id,
    }


def bookings_for_visits(visits: list[Visit]) -> dict[int, dict]:
    """Schedule hook: the latest booking of each visit, one query for the whole list."""
    ids = [v.pk for v in visits]
    if not ids:
        return {}
    found: dict[int, dict] = {}
    for booking in Booking.objects.filter(visit_id__in=ids).order_by("visit_id", "-id"):
        found.setdefault(booking.visit_id, booking_json(booking))
    return found


def booking_get(*, booking_id: int) -> Booking:
    return Booking.objects.select_related(
        "visit",
        "visit__staff",
        "visit__service",
        "visit__branch",
        "client",
        "payment",
        "booking_type",
    ).get(pk=booking_id)


def booking_for_visit(visit: Visit) -> Booking | None:
    return Booking.objects.filter(visit=visit).order_by("-id").first()


@dataclass
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    branch_id: int | None = None
    staff_id: int | None = None
    status: str = ""
    booking_type_id: int | None = None
    paid_late: bool | None = None


@dataclass
class ReportTotals:
    issued: int = 0
    issued_amount: int = 0
    paid: int = 0
    paid_amount: int = 0
    expired: int = 0
    cancelled: int = 0
    refunded: int = 0
    pending: int = 0
    paid_late: int = 0
    conversion: int = 0  # percent of issued that were paid
    chart: dict[str, list[Any]] = field(default_factory=dict)


def _start(day: date) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.min))


def bookings_list(filters: ReportFilters) -> QuerySet[Booking]:
    """Bookings issued in the period (by creation), filtered; newest first."""
    qs = Booking.objects.select_related(
        "visit", "visit__staff", "visit__service", "visit__branch", "client", "booking_type"
    )
    if filters.date_from:
        qs = qs.filter(created_at__gte=_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_start(filters.date_to + timedelta(days=1)))
    if filters.branch_id:
        qs = qs.filter(branch_id=filters.branch_id)
    if filters.staff_id:
        qs = qs.filter(visit__staff_id=filters.staff_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.booking_type_id:
        qs = qs.filter(booking_type_id=filters.booking_type_id)
    if filters.paid_late is not None:
        qs = qs.filter(paid_late=filters.paid_late)
    return qs.order_by("-created_at", "-id")


def report_totals(qs: QuerySet[Booking]) -> ReportTotals:
    """Totals and the paid-vs-expired chart by day: two aggregate queries.

    The cards and the chart count the same things. "Paid" is every booking money came for
    (`paid_at`: on time, late, or later refunded or cancelled with the money kept);
    "expired" every link that ran out unpaid (`expired_at` without `paid_at`, whether or
    not the visit was then auto-cancelled); "cancelled" is the current status.
    """
    S = Booking.Status
    ever_paid = Q(paid_at__isnull=False)
    ran_out = Q(expired_at__isnull=False, paid_at__isnull=True)
    row = qs.order_by().aggregate(
        issued=Count("id"),
        issued_amount=Sum("amount"),
        paid=Count("id", filter=ever_paid),
        paid_amount=Sum("amount", filter=ever_paid),
        expired=Count("id", filter=ran_out),
        cancelled=Count("id", filter=Q(status=S.CANCELLED)),
        refunded=Count("id", filter=Q(status=S.REFUNDED)),
        pending=Count("id", filter=Q(status=S.PENDING)),
        paid_late=Count("id", filter=Q(paid_late=True)),
    )
    totals = ReportTotals(**{k: int(v or 0) for k, v in row.items()})  # type: ignore[arg-type]
    totals.conversion = round(100 * totals.paid / totals.issued) if totals.issued else 0
    by_day: dict[str, dict[str, int]] = defaultdict(lambda: {"paid": 0, "expired": 0})
    days = (
        qs.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(paid=Count("id", filter=ever_paid), expired=Count("id", filter=ran_out))
        .order_by("day")
    )
    for d in days:
        key = d["day"].isoformat() if d["day"] else ""
        by_day[key]["paid"] += d["paid"]
        by_day[key]["expired"] += d["expired"]
    labels = sorted(by_day)
    totals.chart = {
        "labels": labels,
        "paid": [by_day[k]["paid"] for k in labels],
        "expired": [by_day[k]["expired"] for k in labels],
    }
    return totals


def booking_messages(booking: Booking) -> QuerySet:
    """Every message sent about the booking (X4 evidence: the delivery log)."""

    return Message.objects.filter(
        related_type=Booking._meta.label_lower, related_id=str(booking.pk)
    ).order_by("created_at", "id")
