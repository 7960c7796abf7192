"""Refunds to the card the provider declined after a cancellation, for the "Cancellations and
fees" report: the owner sees them beside the fees, with the reason in words and a link to the
booking where the retry is (not only on the booking page and in one notification).

Two queries whatever the number (the count, and the newest `LIMIT` rows with their client and
visit joined). The reason is `refund_failure_text`: a sentence saying what happened and what
to do; the provider's code stays on the booking and in the audit log, never on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from zapys.prepayments.models import Booking
from zapys.prepayments.refund_reasons import refund_failure_text

#: The rows shown (and exported); the count above them is of all.
LIMIT = 200


@dataclass(frozen=True)
class FailedRefund:
    booking_id: int
    client: str
    visit_at: datetime
    service: str
    amount: int
    currency: str
    reason: str


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def refunds_failed(
    *, date_from: date | None, date_to: date | None
) -> tuple[int, list[FailedRefund]]:
    """The bookings whose refund after a cancellation failed and is not yet retried with
    success, by the visit's date like the rest of the report: (how many, the newest rows)."""
    period = Q(refund_state=Booking.RefundState.FAILED)
    if date_from:
        period &= Q(visit__starts_at__gte=_start(date_from))
    if date_to:
        period &= Q(visit__starts_at__lt=_start(date_to + timedelta(days=1)))
    bookings = Booking.objects.filter(period)
    count = bookings.count()
    rows = [
        FailedRefund(
            booking_id=b.pk,
            client=b.client.name,
            visit_at=b.visit.starts_at,
            service=b.visit.service.name if b.visit.service_id else "",
            amount=b.cancel_refunded,
            currency=b.currency,
            reason=refund_failure_text(b.refund_error_code, b.refund_error),
        )
        for b in bookings.select_related("client", "visit__service")
        .only(
            "id",
            "cancel_refunded",
            "currency",
            "refund_error",
            "refund_error_code",
            "client__name",
            "visit__starts_at",
            "visit__service_id",
            "visit__service__name",
        )
        .order_by("-visit__starts_at", "-id")[:LIMIT]
    ]
    return count, rows
