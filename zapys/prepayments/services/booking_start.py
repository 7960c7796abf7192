"""A booking starts: staff (or an online self-booking's rules) ask the visit's client to
prepay; the client accepts the terms and, after a declined card, tries again."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError, NotFound
from zapys.core.tenancy import organization_zone
from zapys.payments.services import OPEN_STATUSES, PAID_STATUSES, payment_create
from zapys.prepayments import events
from zapys.prepayments.models import Booking, BookingType, PrepaymentSettings
from zapys.prepayments.reasons import reason_text
from zapys.prepayments.selectors import (
    booking_amount,
    booking_json,
    booking_type_default,
    policy_for_visit,
    policy_snapshot,
    prepayment_decision,
)
from zapys.prepayments.services.notices import booking_message_send
from zapys.prepayments.services.prepayment_settings import CHANNELS, prepayment_settings_get
from zapys.prepayments.services.visit_side import visit_clock_set, visit_locked
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_status_set

if TYPE_CHECKING:
    from zapys.payments.models import Payment

logger = logging.getLogger(__name__)

#: Less time than this to pay before the deadline: staff are told and may take the
#: payment at the desk instead (V3).
MIN_MINUTES_TO_PAY = 15

#: The purpose key of a booking's payments (declared in `prepayments/purposes.py`).
PURPOSE = "prepayment"
S = Booking.Status
ACTIVE = (S.PENDING, S.PAID)


def _terms_snapshot(
    booking: Booking, settings: PrepaymentSettings, visit: Visit, booking_type: BookingType
) -> dict[str, Any]:
    """What the client will be shown, frozen at creation (X4 evidence)."""
    return {
        "agreement_enabled": settings.agreement_enabled,
        # both versions: the client may read the page in either language
        "agreement_text": settings.agreement_text,
        "agreement_text_en": settings.agreement_text_en,
        "business_name": settings.page_business_name or booking.organization.name,
        "service": visit.title,
        "service_price": visit.price,
        "amount": booking.amount,
        "currency": booking.currency,
        "booking_type": {
            "name": booking_type.name,
            "rule": booking_type.rule,
            "value": booking_type.value,
        },
        "starts_at": visit.starts_at.isoformat(),
        "expires_at": booking.expires_at.isoformat(),
        "deadline_reason": booking.deadline_reason,
        "show_prices": settings.page_show_prices,
        "policy": policy_snapshot(policy_for_visit(visit, booking)),
    }


def _issue_payment(
    booking: Booking, visit: Visit, settings: PrepaymentSettings, actor: Actor
) -> Payment:
    """The provider payment behind the booking's link, valid until the booking's deadline."""

    return payment_create(
        organization=booking.organization,
        account=settings.payment_account,
        purpose=PURPOSE,
        purpose_object=booking,
        client=visit.client,
        amount=booking.amount,
        currency=booking.currency,
        description=_("Prepayment: %(what)s") % {"what": visit.title},
        actor=actor,
        expires_at=booking.expires_at,
        branch=visit.branch,
    )


def booking_deadline(
    visit: Visit, settings: PrepaymentSettings, now: datetime
) -> tuple[datetime, str]:
    """The earlier of "link lifetime after sending" and "the visit's start minus
    `release_before_start_minutes`", and which of the two it is (V3)."""
    lifetime = now + timedelta(hours=settings.link_lifetime_hours)
    before_start = visit.starts_at - timedelta(minutes=settings.release_before_start_minutes)
    if before_start < lifetime:
        return before_start, Booking.DeadlineReason.BEFORE_START
    return lifetime, Booking.DeadlineReason.LIFETIME


@transaction.atomic
def visit_pay_at_desk(*, visit: Visit, actor: Actor) -> Visit:
    """Staff chose to take the payment at the desk (too little time to pay online): no
    link, no deadline; the choice is recorded on the visit — its card and the calendar say
    "to be paid at the desk" — until a booking is asked for after all."""
    if visit.client_id is None or not visit.blocks_time:
        raise Conflict(_("The visit is cancelled."), field="visit_id")
    if not visit.booking_state:
        visit_clock_set(visit, Visit.BookingState.AT_DESK, actor)
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="booking.pay_at_desk",
        obj=visit,
        changes={"pay_at_desk": [None, True]},
    )
    return visit


#: The machine-readable `code` of the 409 for a visit that has a prepayment already (the
#: API's error body carries it beside the booking; the sentence is for people).
BOOKING_ACTIVE = "booking_active"


def booking_active_error(found: Booking | None) -> Conflict:
    """The visit has an open or paid prepayment already: said in words (staff know no booking
    numbers); the API's body carries `code` and the booking itself (its `id` among the
    fields) for a program, and a page may link to it (`exc.extra["booking"]`)."""
    if found is not None and found.status == S.PAID:
        detail = _("This visit's prepayment is already paid.")
    else:
        detail = _(
            "A prepayment for this visit is already awaiting payment: open it to send the "
            "link again or to take the payment."
        )
    extra: dict[str, Any] = {"code": BOOKING_ACTIVE}
    if found is not None:
        extra["booking"] = booking_json(found)
    return Conflict(detail, field="visit_id", extra=extra)


def booking_create(
    *,
    visit: Visit,
    actor: Actor,
    booking_type: BookingType | None = None,
    channel: str | None = None,
    now: datetime | None = None,
) -> Booking:
    """Ask the visit's client to prepay: the booking, its provider payment, the grey
    clock, optionally the configured visit status, and the link message — one transaction.

    Refuses (nothing written): prepayment off, no client, a cancelled or past visit, an
    active booking already on the visit (409 `booking_active_error`, carrying it), a visit the client's membership
    covers (409: the client would pay twice), an amount of 0 or above the price.
    """

    now = now or timezone.now()
    organization = visit.organization
    settings = prepayment_settings_get(organization)
    if not settings.enabled:
        raise DomainError(_("Prepayment is switched off: enable it in Settings → Prepayment."))
    channel = channel if channel is not None else settings.default_channel
    if channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if booking_type is not None and (
        booking_type.organization_id != organization.pk or not booking_type.is_active
    ):
        raise NotFound(_("Unknown booking type."), field="booking_type_id")
    with transaction.atomic():
        visit = visit_locked(visit)
        if visit.client_id is None or visit.kind != "individual":
            raise DomainError(
                _("Only an appointment with a client can be prepaid."), field="visit_id"
            )
        if not visit.blocks_time:
            raise Conflict(_("The visit is cancelled."), field="visit_id")
        if visit.starts_at <= now:
            raise DomainError(_("The visit has already started or passed."), field="visit_id")
        existing = Booking.objects.for_org(organization).filter(visit=visit, status__in=ACTIVE)
        found = existing.first()
        if found is not None:
            raise booking_active_error(found)
        if booking_type is None:
            booking_type = booking_type_default(organization)
            if booking_type is None:
                raise DomainError(
                    _("Create a booking type first (Settings → Prepayment)."),
                    field="booking_type_id",
                )
        amount = booking_amount(visit=visit, booking_type=booking_type)
        decision = prepayment_decision(visit=visit, settings=settings)
        if decision.why["kind"] == "membership":
            raise Conflict(
                _("The client's membership covers this visit: there is nothing to prepay."),
                field="visit_id",
            )
        # asked for although no rule requires it: say so, with what the rules say
        why = decision.why if decision.required else {"kind": "requested", "rule": decision.why}
        expires_at, deadline_reason = booking_deadline(visit, settings, now)
        if expires_at - now < timedelta(minutes=MIN_MINUTES_TO_PAY):
            local = timezone.localtime(expires_at, organization_zone(organization))
            raise Conflict(
                _(
                    "Too little time to pay online: the link would expire at %(time)s "
                    "(%(minutes)s minutes before the visit). Take the payment at the desk."
                )
                % {
                    "time": local.strftime("%H:%M"),
                    "minutes": settings.release_before_start_minutes,
                },
                field="pay_at_desk",
                extra={"too_late_to_pay": True, "expires_at": expires_at.isoformat()},
            )
        remind_at = None
        if settings.reminder_enabled and settings.reminder_hours_before:
            candidate = expires_at - timedelta(hours=settings.reminder_hours_before)
            remind_at = candidate if candidate > now else None
        booking = Booking(
            organization=organization,
            visit=visit,
            client=visit.client,
            branch=visit.branch,
            booking_type=booking_type,
            amount=amount,
            currency=organization.currency,
            channel=channel,
            source=visit.source,
            reason=reason_text(why)[:300],
            why=why,
            expires_at=expires_at,
            deadline_reason=deadline_reason,
            # Never after the start: the auto-cancel frees the time for someone else.
            auto_cancel_at=(
                min(
                    expires_at + timedelta(minutes=settings.auto_cancel_after_minutes),
                    visit.starts_at,
                )
                if settings.auto_cancel
                else None
            ),
            remind_at=remind_at,
            created_by=actor.label[:200],
        )
        booking.terms_snapshot = _terms_snapshot(booking, settings, visit, booking_type)
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
        except IntegrityError as exc:  # a concurrent booking of the same visit won
            raise booking_active_error(None) from exc
        booking.payment = _issue_payment(booking, visit, settings, actor)
        booking.save(update_fields=["payment"])
        visit_clock_set(visit, "pending", actor)
        if settings.status_after_create_id and settings.status_after_create_id != visit.status_id:
            assert settings.status_after_create is not None
            visit_status_set(visit=visit, status=settings.status_after_create, actor=actor, now=now)
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.create",
            obj=booking,
            changes={
                "visit_id": visit.pk,
                "amount": amount,
                "booking_type_id": booking_type.pk,
                "expires_at": expires_at.isoformat(),
                "channel": channel,
                "reason": reason_text(why),
            },
        )
        if settings.send_link:
            booking_message_send(booking, events.BOOKING_LINK, "link", actor)
    return booking


def online_visit_created(visit: Visit) -> None:
    """Schedule hook: after an online self-booking, start the prepayment if the rules
    require it (silently nothing when off, waived, or not configured)."""
    settings = prepayment_settings_get(visit.organization)
    if not settings.enabled:
        return
    decision = prepayment_decision(visit=visit, settings=settings)
    if not decision.required:
        return
    booking_type = None
    if decision.booking_type_id:
        booking_type = (
            BookingType.objects.for_org(visit.organization)
            .filter(pk=decision.booking_type_id, is_active=True)
            .first()
        )
    try:
        booking_create(visit=visit, actor=Actor.system("online booking"), booking_type=booking_type)
    except DomainError as exc:
        logger.warning("prepayments: online visit %s not prepaid: %s", visit.pk, exc.detail)


@transaction.atomic
def booking_accept_terms(
    *,
    booking: Booking,
    ip: str | None,
    user_agent: str,
    language: str = "",
    now: datetime | None = None,
) -> Booking:
    """The client ticked the agreement on the payment page (X4): recorded once, with the
    page's language — which of the frozen texts they read."""
    now = now or timezone.now()
    Booking.objects.for_org(booking.organization).filter(
        pk=booking.pk, accepted_at__isnull=True
    ).update(
        accepted_at=now,
        accepted_ip=ip,
        accepted_user_agent=(user_agent or "")[:400],
        accepted_language=(language or "")[:2],
    )
    booking.refresh_from_db()
    audit_record(
        organization=booking.organization,
        actor=Actor.client_link(f"booking {booking.pk}"),
        action="booking.terms_accepted",
        obj=booking,
        changes={
            "ip": ip,
            "accepted_at": booking.accepted_at,
            "language": booking.accepted_language,
        },
    )
    return booking


@transaction.atomic
def booking_payment_retry(
    *, booking: Booking, actor: Actor, now: datetime | None = None
) -> Booking:
    """A new provider payment for a booking whose last attempt failed (a declined card):
    the client tries again from the same link until the booking's deadline. The failed
    payment stays as it was, for the record."""

    now = now or timezone.now()
    booking = Booking.objects.for_org(booking.organization).select_for_update().get(pk=booking.pk)
    if booking.status != S.PENDING or booking.expires_at <= now:
        raise Conflict(_("This booking is no longer awaiting payment."))
    previous = booking.payment
    if previous is not None and previous.status in OPEN_STATUSES:
        return booking  # the current attempt is still open: nothing to renew
    if previous is not None and previous.status in PAID_STATUSES:
        raise Conflict(_("This booking is already paid."))
    visit = booking.visit
    payment = _issue_payment(booking, visit, prepayment_settings_get(booking.organization), actor)
    booking.payment = payment
    booking.save(update_fields=["payment"])
    audit_record(
        organization=booking.organization,
        actor=actor,
        action="booking.payment_retry",
        obj=booking,
        changes={"payment_id": [previous.pk if previous else None, payment.pk]},
    )
    return booking
