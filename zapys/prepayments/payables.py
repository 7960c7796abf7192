"""What a client can pay now in this app (see `payments.payables`): bookings awaiting their
prepayment, each with its payment page, one query for all the clients asked about; and the
branch a client's own top-up lands in (the prepayment settings' B2 choice).

A booking is paid from its client's balance (X5). While the organization asks for the terms
(X4) and the client has not accepted them, the balance is offered on the booking's own page
(`terms_first`), which shows them first: the cabinet never pays around the agreement."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zapys.core.exceptions import Conflict, NotFound
from zapys.payments.payables import (
    BalancePaid,
    Payable,
    payables_declare,
    topup_branch_declare,
)
from zapys.prepayments.models import Booking, PrepaymentSettings
from zapys.prepayments.services import booking_pay_from_balance, prepayment_settings_get
from zapys.prepayments.services.booking_paid import booking_balance_locks

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization
    from zapys.core.audit import Actor


def booking_title(booking: Booking) -> str:
    """ "Prepayment: Manicure, 05.12.2026 10:00" in the active language and time zone."""
    visit = booking.visit
    when = date_format(timezone.localtime(visit.starts_at), "SHORT_DATETIME_FORMAT")
    return _("Prepayment: %(what)s, %(when)s") % {"what": visit.title, "when": when}


def _terms_asked(organization: Organization) -> Subquery:
    """Whether the organization asks for the terms (its settings row; a subquery of the
    bookings' query, so the list stays one query). No row yet: the default, asked."""
    return Subquery(
        PrepaymentSettings.objects.for_org(organization)
        .filter(organization_id=OuterRef("organization_id"))
        .values("agreement_enabled")[:1]
    )


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
        .annotate(terms_asked=_terms_asked(organization))
        .order_by("expires_at", "id")
    )
    result: dict[int, list[Payable]] = {}
    for booking in rows:
        result.setdefault(booking.client_id, []).append(
            Payable(
                key="bookings",
                title=booking_title(booking),
                amount=booking.amount,
                pay_url=booking.payment_url,
                due_at=booking.expires_at,
                created_at=booking.created_at,
                ref=str(booking.pk),
                balance_client_id=booking.client_id,
                terms_first=_terms_pending(booking, booking.terms_asked),  # type: ignore[attr-defined]
            )
        )
    return result


def _terms_pending(booking: Booking, asked: bool | None) -> bool:
    return asked is not False and booking.accepted_at is None


@transaction.atomic
def booking_pay_from_cabinet(
    organization: Organization,
    ref: str,
    *,
    card_id: int,
    family_ids: Collection[int],
    actor: Actor,
) -> BalancePaid:
    """The cabinet's "Pay from the balance" (see `payments.payables.BalancePayer`): the card
    client's own booking, still awaiting its prepayment within its deadline and with the
    terms accepted where they are asked, paid by `booking_pay_from_balance` (the staff's
    and the checkout's service) under its locks: the client's, the booking's payment's, the
    booking's."""
    booking = (
        Booking.objects.for_org(organization).filter(pk=int(ref), client_id=card_id).first()
        if ref.isdigit()
        else None
    )
    if booking is None or booking.client_id not in family_ids:
        raise NotFound(_("This booking cannot be paid from this page."))
    # The client's row, the booking's payment, then the booking's row (payments/locks.py):
    # the locks `booking_pay_from_balance` takes, in its order (taken again there: no wait).
    locked = booking_balance_locks(booking)
    title = booking_title(locked)
    if locked.status == Booking.Status.PAID:
        return BalancePaid(title=title, amount=0, balance_client_id=booking.client_id, already=True)
    if locked.status != Booking.Status.PENDING or locked.expires_at <= timezone.now():
        raise Conflict(_("This booking is no longer awaiting payment."))
    if _terms_pending(locked, prepayment_settings_get(organization).agreement_enabled):
        raise Conflict(_("Please accept the terms on the booking's page first."))
    booking_pay_from_balance(booking=locked, actor=actor)
    return BalancePaid(title=title, amount=locked.amount, balance_client_id=booking.client_id)


payables_declare("bookings", open_bookings, pay_from_balance=booking_pay_from_cabinet)


def topup_branch(organization: Organization) -> Branch | None:
    """The branch chosen for the client's own top-ups (B2), one query; None when unset."""
    settings_row = (
        PrepaymentSettings.objects.for_org(organization).select_related("topup_branch").first()
    )
    return settings_row.topup_branch if settings_row is not None else None


topup_branch_declare(topup_branch)
