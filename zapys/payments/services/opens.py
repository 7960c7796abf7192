"""When the client first opened a payment's page: the "opened" step of the payment-link
funnel (X9, `reports.funnel`). Public payment pages call it on a GET."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from zapys.payments.models import Payment


def is_own_staff(viewer: Any, payment: Payment) -> bool:
    """Whether the page is opened by a signed-in staff member of the payment's organization
    (checking the link before sending it, or showing it to the client at the desk): that is
    not the client opening it, so it is no "opened" in the funnel. Staff of another
    organization may well be this business's client, so they count."""
    return bool(
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and getattr(viewer, "organization_id", None) == payment.organization_id
    )


def payment_opened_record(
    payment: Payment, *, viewer: Any = None, now: datetime | None = None
) -> bool:
    """Store the first open by the client, once: one conditional UPDATE (a second open,
    another tab or a refresh, changes nothing) and no audit row — a page view is not a change
    anybody made. `viewer` is the request's user: the organization's own staff opening the
    page is not recorded. Returns whether this was the first open."""
    if payment.opened_at is not None or is_own_staff(viewer, payment):
        return False
    moment = now or timezone.now()
    first = bool(
        Payment.objects.for_org(payment.organization)
        .filter(pk=payment.pk, opened_at__isnull=True)
        .update(opened_at=moment)
    )
    if first:
        payment.opened_at = moment
    return first
