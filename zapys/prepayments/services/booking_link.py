"""What staff do with a booking's payment link from the booking's page: send it again, and
give the client more time to pay. Copying the link needs no service (the page copies it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.tenancy import organization_zone
from zapys.prepayments import events
from zapys.prepayments.models import Booking
from zapys.prepayments.services.notices import booking_message_send
from zapys.prepayments.services.prepayment_settings import prepayment_settings_get

#: At most this many hours at once: longer than a month is not a payment link but a debt.
MAX_EXTEND_HOURS = 720


def _locked_payable(booking: Booking, now: datetime) -> Booking:
    booking = Booking.objects.for_org(booking.organization).select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.PENDING or booking.expires_at <= now:
        raise Conflict(_("This booking is no longer awaiting payment."))
    return booking


@transaction.atomic
def booking_link_resend(*, booking: Booking, actor: Actor, now: datetime | None = None) -> Any:
    """Send the payment link message again, on the booking's channel (the organization's
    fallback if the client has none). Each resend is its own message (its own key), with its
    own delivery status on the booking's page. Refused when the booking no longer awaits
    payment. Returns the message (None when it could not be queued)."""
    now = now or timezone.now()
    booking = _locked_payable(booking, now)
    message = booking_message_send(
        booking, events.BOOKING_LINK, f"link-again-{now.timestamp():.0f}", actor
    )
    if message is None:
        raise DomainError(_("The message could not be sent: check the client's contacts."))
    audit_record(
        organization=booking.organization,
        actor=actor,
        action="booking.link_resent",
        obj=booking,
        changes={"channel": message.channel, "message_id": message.pk},
    )
    return message


@transaction.atomic
def booking_extend(
    *, booking: Booking, hours: Any, actor: Actor, now: datetime | None = None
) -> Booking:
    """Give the client `hours` more to pay, counted from the current deadline. The deadline
    stays before the visit (minus the settings' release time); the auto-cancel and the
    reminder move with it. Refused with a field error on `hours`; nothing changes."""
    now = now or timezone.now()
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number of hours."), field="hours") from None
    if not 1 <= hours <= MAX_EXTEND_HOURS:
        raise DomainError(
            _("Enter from 1 to %(max)s hours.") % {"max": MAX_EXTEND_HOURS}, field="hours"
        )
    booking = _locked_payable(booking, now)
    settings = prepayment_settings_get(booking.organization)
    visit = booking.visit
    latest = visit.starts_at - timedelta(minutes=settings.release_before_start_minutes)
    expires_at = booking.expires_at + timedelta(hours=hours)
    if expires_at > latest:
        local = timezone.localtime(latest, organization_zone(booking.organization))
        raise DomainError(
            _("The link can last at most until %(time)s, before the visit.")
            % {"time": formats.date_format(local, "SHORT_DATETIME_FORMAT")},
            field="hours",
        )
    before = booking.expires_at
    booking.expires_at = expires_at
    booking.deadline_reason = (
        Booking.DeadlineReason.BEFORE_START
        if expires_at == latest
        else Booking.DeadlineReason.LIFETIME
    )
    if booking.auto_cancel_at is not None:
        booking.auto_cancel_at = min(
            expires_at + timedelta(minutes=settings.auto_cancel_after_minutes), visit.starts_at
        )
    if settings.reminder_enabled and settings.reminder_hours_before:
        candidate = expires_at - timedelta(hours=settings.reminder_hours_before)
        booking.remind_at = candidate if candidate > now else None
    booking.save(update_fields=["expires_at", "deadline_reason", "auto_cancel_at", "remind_at"])
    audit_record(
        organization=booking.organization,
        actor=actor,
        action="booking.extended",
        obj=booking,
        changes={"expires_at": [before.isoformat(), expires_at.isoformat()], "hours": hours},
    )
    return booking
