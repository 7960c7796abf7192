"""What a client can pay now in this app (see `payments.payables`): bookings awaiting their
prepayment, each with its payment page, one query for all the clients asked about; and the
branch a client's own top-up lands in (the prepayment settings' B2 choice)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zapys.payments.payables import Payable, payables_declare, topup_branch_declare
from zapys.prepayments.models import Booking, PrepaymentSettings

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization


def open_bookings(
    organization: Organization, client_ids: Sequence[int]
) -> dict[int, list[Payable]]:
    """Pending bookings not past their deadline, per client (one query, the visit's title
    joined). Titles and times are in the active language and time zone (the page's)."""
    now = timezone.now()
    rows = (
        Booking.objects.for_org(organization)
        .filter(client_id__in=list(client_ids), status=Booking.Status.PENDING, expires_at__gt=now)
        .select_related("visit__service", "visit__group", "visit__subject", "visit__lesson_type")
        .order_by("expires_at", "id")
    )
    result: dict[int, list[Payable]] = {}
    for booking in rows:
        visit = booking.visit
        when = date_format(timezone.localtime(visit.starts_at), "SHORT_DATETIME_FORMAT")
        result.setdefault(booking.client_id, []).append(
            Payable(
                key="bookings",
                title=_("Prepayment: %(what)s, %(when)s") % {"what": visit.title, "when": when},
                amount=booking.amount,
                pay_url=booking.payment_url,
                due_at=booking.expires_at,
                created_at=booking.created_at,
            )
        )
    return result


payables_declare("bookings", open_bookings)


def topup_branch(organization: Organization) -> Branch | None:
    """The branch chosen for the client's own top-ups (B2), one query; None when unset."""
    settings_row = (
        PrepaymentSettings.objects.for_org(organization).select_related("topup_branch").first()
    )
    return settings_row.topup_branch if settings_row is not None else None


topup_branch_declare(topup_branch)
