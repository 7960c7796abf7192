"""Writes of the prepayment app: settings, booking types, rules, the booking lifecycle.

Every status change of a booking is a conditional UPDATE (`filter(status__in=...)
.update()`, row count checked): a payment callback and the expiry sweep may race, and
exactly one of them wins. The loser does not lose money: a payment that finds its
booking already expired/cancelled/paid is credited to the client's balance and flagged
(`paid_late` / `extra_payments`) for staff to decide (restore the visit or refund).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from zapys.core.money import format_money, multiply_rate, percent_of
from zapys.core.schema_types import MAX_KOPECKS
from zapys.core.tenancy import organization_zone
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry
from zapys.ledger.money import money_received_record, money_refunded_record
from zapys.ledger.selectors import client_balance
from zapys.messaging.services import message_send, staff_notify
from zapys.payments.services import (
    OPEN_STATUSES,
    PAID_STATUSES,
    payment_create,
    payment_expire,
    payment_refund,
)
from zapys.prepayments import events
from zapys.prepayments.models import (
    Booking,
    BookingType,
    BranchFinance,
    PrepaymentRule,
    PrepaymentSettings,
)
from zapys.schedule.models import Visit as VisitModel
from zapys.schedule.models import VisitStatus
from zapys.schedule.services import (
    visit_booking_state_set,
    visit_status_create,
    visit_status_default,
    visit_status_set,
    visit_statuses_ensure,
)

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization
    from zapys.payments.models import Payment
    from zapys.schedule.models import Visit, VisitStatus

logger = logging.getLogger(__name__)

PURPOSE = "prepayment"
S = Booking.Status
ACTIVE = (S.PENDING, S.PAID)
MAX_LINK_HOURS = 24 * 30
#: Auto-cancel at most a week after the link expired.
MAX_CANCEL_DELAY_MINUTES = 7 * 24 * 60
CHANNELS = ("", "sms", "email", "telegram", "viber")


# --------------------------------------------------------------------------- settings


def prepayment_settings_get(organization: Organization) -> PrepaymentSettings:
    """The organization's settings row (created with defaults on first use)."""
    found = PrepaymentSettings.objects.for_org(organization).first()
    if found is not None:
        return found
    obj, _created = PrepaymentSettings.objects.for_org(organization).get_or_create(
        organization=organization
    )
    return obj


SETTINGS_FIELDS = {
    f.name
    for f in PrepaymentSettings._meta.concrete_fields
    if f.name not in ("id", "organization", "updated_at")
}
FK_SETTINGS = {
    "payment_account": ("payments", "PaymentAccount"),
    "cancel_status": ("schedule", "VisitStatus"),
    "status_after_payment": ("schedule", "VisitStatus"),
    "status_after_create": ("schedule", "VisitStatus"),
    "income_article": ("ledger", "FinanceArticle"),
    "topup_branch": ("accounts", "Branch"),
}


def _check_settings(organization: Organization, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if (
            name in FK_SETTINGS
            and value is not None
            and getattr(value, "organization_id", None) != organization.pk
        ):
            raise NotFound(_("Unknown object."), field=f"{name}_id")
    hours = fields.get("link_lifetime_hours")
    if hours is not None and not 1 <= int(hours) <= MAX_LINK_HOURS:
        raise DomainError(
            _("The link lifetime must be between 1 and %(max)s hours.") % {"max": MAX_LINK_HOURS},
            field="link_lifetime_hours",
        )
    minutes = fields.get("auto_cancel_after_minutes")
    if minutes is not None and not 0 <= int(minutes) <= MAX_CANCEL_DELAY_MINUTES:
        raise DomainError(
            _("The delay must be between 0 and 10080 minutes."), field="auto_cancel_after_minutes"
        )
    # Unbounded, 2147483647 hours was stored and then every booking failed: the reminder time
    # (the link's expiry minus these hours) left the range of a datetime.
    reminder = fields.get("reminder_hours_before")
    if reminder is not None and not 1 <= int(reminder) <= MAX_LINK_HOURS:
        raise DomainError(
            _("The reminder must be between 1 and %(max)s hours before.") % {"max": MAX_LINK_HOURS},
            field="reminder_hours_before",
        )
    status = fields.get("cancel_status")
    if status is not None and not status.is_cancellation:
        raise DomainError(_("Choose a cancellation status."), field="cancel_status_id")
    account = fields.get("payment_account")
    if account is not None and not account.is_active:
        raise DomainError(_("This payment account is switched off."), field="payment_account_id")
    if fields.get("default_channel") not in (None, *CHANNELS):
        raise DomainError(_("Unknown channel."), field="default_channel")
    if fields.get("page_theme") not in (None, *PrepaymentSettings.Theme.values):
        raise DomainError(_("Unknown theme."), field="page_theme")
    if fields.get("page_language") not in (None, "uk", "en"):
        raise DomainError(_("Unknown language."), field="page_language")
    if fields.get("enabled"):
        account = fields.get("payment_account", "unset")
        if account is None:
            raise DomainError(
                _("Choose the payment account before enabling prepayment."),
                field="payment_account_id",
            )


@transaction.atomic
def prepayment_settings_update(
    *, organization: Organization, actor: Actor, **fields: Any
) -> PrepaymentSettings:
    """Change any of the settings (one audit row with what changed)."""
    if actor.user is not None and not actor.user.can_manage_settings():
        raise PermissionDenied(_("Only the owner can change the prepayment settings."))
    unknown = set(fields) - SETTINGS_FIELDS
    if unknown:
        raise DomainError(f"Unknown settings: {', '.join(sorted(unknown))}")
    obj = prepayment_settings_get(organization)
    merged_account = fields.get("payment_account", obj.payment_account)
    _check_settings(
        organization,
        {**fields, "payment_account": merged_account} if fields.get("enabled") else fields,
    )
    before = {k: getattr(obj, k) for k in fields}
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="prepayment_settings.update",
        obj=obj,
        changes=changes_between(
            {k: str(v) for k, v in before.items()}, {k: str(v) for k, v in fields.items()}
        ),
    )
    return obj


@transaction.atomic
def cancel_status_create(*, organization: Organization, actor: Actor) -> VisitStatus:
    """The dedicated system status for unpaid cancellations (administrators cannot set it
    by hand), created once and chosen in the settings."""

    statuses = visit_statuses_ensure(organization=organization)
    status = statuses.get("prepayment_unpaid")
    if status is None:
        status = visit_status_create(
            organization=organization,
            name=_("Cancelled: prepayment not received"),
            actor=Actor.system("prepayments"),
            color="#b02a37",
            order=65,
            is_cancellation=True,
            hidden_in_calendar=True,
            is_system=True,
            code="prepayment_unpaid",
        )
    assert isinstance(status, VisitStatus)
    settings = prepayment_settings_get(organization)
    PrepaymentSettings.objects.for_org(organization).filter(pk=settings.pk).update(
        cancel_status=status
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="prepayment_settings.cancel_status_create",
        obj=settings,
        changes={"cancel_status_id": [settings.cancel_status_id, status.pk]},
    )
    return status


def cancel_status_for(organization: Organization, settings: PrepaymentSettings) -> VisitStatus:
    """The configured cancellation status, else the schedule's system "cancelled_unpaid"."""
    if settings.cancel_status_id:
        assert settings.cancel_status is not None
        return settings.cancel_status

    statuses = visit_statuses_ensure(organization=organization)
    return statuses.get("cancelled_unpaid") or next(
        s for s in statuses.values() if s.is_cancellation
    )


@transaction.atomic
def branch_finance_set(
    *,
    organization: Organization,
    branch: Branch,
    actor: Actor,
    payment_type: Any = None,
    fiscal_register: str = "",
) -> BranchFinance:
    """Payment type and fiscal register (stored only) used for prepayments in a branch."""
    if branch.organization_id != organization.pk:
        raise NotFound(_("Unknown branch."), field="branch_id")
    if payment_type is not None and payment_type.branch_id != branch.pk:
        raise DomainError(
            _("This payment type belongs to another branch."), field="payment_type_id"
        )
    obj, _created = BranchFinance.objects.for_org(organization).get_or_create(
        organization=organization, branch=branch
    )
    before = {"payment_type": obj.payment_type_id, "fiscal_register": obj.fiscal_register}
    obj.payment_type = payment_type
    obj.fiscal_register = fiscal_register.strip()[:100]
    obj.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="prepayment_branch_finance.set",
        obj=obj,
        changes=changes_between(
            before, {"payment_type": obj.payment_type_id, "fiscal_register": obj.fiscal_register}
        ),
    )
    return obj


# --------------------------------------------------------------------------- booking types


def _validate_type(rule: str, value: int) -> None:
    if rule not in BookingType.Rule.values:
        raise DomainError(_("Choose fixed, percent or hourly."), field="rule")
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(_("Enter a whole number."), field="value")
    if rule == BookingType.Rule.FIXED and value <= 0:
        raise DomainError(_("The sum must be greater than zero."), field="value")
    if rule == BookingType.Rule.FIXED and value > MAX_KOPECKS:
        raise DomainError(_("The sum is too large."), field="value")
    if rule == BookingType.Rule.PERCENT and not 1 <= value <= 100:
        raise DomainError(_("The percent must be between 1 and 100."), field="value")
    if rule == BookingType.Rule.HOURLY and not 0 <= value <= 100:
        raise DomainError(
            _("The share of the hourly rate must be between 0 and 100 percent (0 = 100)."),
            field="value",
        )


@transaction.atomic
def booking_type_create(
    *,
    organization: Organization,
    name: str,
    rule: str,
    value: int,
    actor: Actor,
    is_default: bool = False,
) -> BookingType:
    """A booking type: `value` is kopecks (fixed), a percent of the service price
    (percent), or the share of the specialist's hourly rate × duration (hourly; 0 = all)."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    if len(name) > 100:
        raise DomainError(_("The name is too long."), field="name")
    _validate_type(rule, value)
    qs = BookingType.objects.for_org(organization)
    if is_default:
        qs.filter(is_default=True).update(is_default=False)
    elif not qs.filter(is_active=True).exists():
        is_default = True
    booking_type = qs.create(
        organization=organization, name=name, rule=rule, value=value, is_default=is_default
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="booking_type.create",
        obj=booking_type,
        changes={"name": name, "rule": rule, "value": value},
    )
    return booking_type


@transaction.atomic
def booking_type_update(*, booking_type: BookingType, actor: Actor, **fields: Any) -> BookingType:
    allowed = {"name", "rule", "value", "is_active", "is_default"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    rule = fields.get("rule", booking_type.rule)
    value = fields.get("value", booking_type.value)
    _validate_type(rule, value)
    if "name" in fields and not str(fields["name"]).strip():
        raise DomainError(_("Enter a name."), field="name")
    before = {k: getattr(booking_type, k) for k in fields}
    if fields.get("is_default"):
        BookingType.objects.for_org(booking_type.organization).exclude(pk=booking_type.pk).update(
            is_default=False
        )
    for key, val in fields.items():
        setattr(booking_type, key, val)
    booking_type.save()
    audit_record(
        organization=booking_type.organization,
        actor=actor,
        action="booking_type.update",
        obj=booking_type,
        changes=changes_between(before, fields),
    )
    return booking_type


def booking_amount(*, visit: Visit, booking_type: BookingType) -> int:
    """The prepayment for the visit under the type's rule. Refuses 0 and more than the
    visit's price (a prepayment is part of the price, never more)."""
    if booking_type.rule == BookingType.Rule.FIXED:
        amount = booking_type.value
    elif booking_type.rule == BookingType.Rule.PERCENT:
        amount = percent_of(visit.price, booking_type.value)
    else:
        rate = int(getattr(visit.staff, "hourly_rate", 0) or 0)
        amount = multiply_rate(rate, visit.duration_minutes)
        if booking_type.value:
            amount = percent_of(amount, booking_type.value)
    if amount <= 0:
        raise DomainError(
            _("The booking type «%(name)s» gives a prepayment of 0 for this visit.")
            % {"name": booking_type.name},
            field="booking_type_id",
        )
    if amount > visit.price:
        raise DomainError(
            _("The prepayment (%(amount)s) would be more than the visit's price (%(price)s).")
            % {
                "amount": format_money(amount, visit.organization.currency),
                "price": format_money(visit.price, visit.organization.currency),
            },
            field="booking_type_id",
        )
    return amount


# --------------------------------------------------------------------------- rules (B3)


@dataclass(frozen=True)
class Decision:
    """Whether a visit needs a prepayment, and why (shown on the visit card)."""

    required: bool
    reason: str
    rule_id: int | None = None
    booking_type_id: int | None = None


@transaction.atomic
def prepayment_rule_create(
    *,
    organization: Organization,
    action: str,
    actor: Actor,
    service: Any = None,
    tag: Any = None,
    date_from: Any = None,
    date_to: Any = None,
    source: str = "",
    booking_type: BookingType | None = None,
    order: int = 100,
) -> PrepaymentRule:
    if action not in PrepaymentRule.Action.values:
        raise DomainError(_("Choose require or waive."), field="action")
    if source not in PrepaymentRule.Source.values:
        raise DomainError(_("Unknown booking source."), field="source")
    for name, obj in (("service_id", service), ("tag_id", tag), ("booking_type_id", booking_type)):
        if obj is not None and obj.organization_id != organization.pk:
            raise NotFound(_("Unknown object."), field=name)
    if date_from and date_to and date_to < date_from:
        raise DomainError(_("The period must end after it starts."), field="date_to")
    rule = PrepaymentRule.objects.for_org(organization).create(
        organization=organization,
        action=action,
        service=service,
        tag=tag,
        date_from=date_from,
        date_to=date_to,
        source=source,
        booking_type=booking_type,
        order=order,
    )
    audit_record(organization=organization, actor=actor, action="prepayment_rule.create", obj=rule)
    return rule


@transaction.atomic
def prepayment_rule_delete(*, rule: PrepaymentRule, actor: Actor) -> None:
    audit_record(
        organization=rule.organization, actor=actor, action="prepayment_rule.delete", obj=rule
    )
    rule.delete()


def _rule_reason(rule: PrepaymentRule) -> str:
    parts = []
    if rule.service_id:
        parts.append(_("service «%(name)s»") % {"name": rule.service.name if rule.service else ""})
    if rule.tag_id:
        parts.append(_("client tag «%(name)s»") % {"name": rule.tag.name if rule.tag else ""})
    if rule.date_from or rule.date_to:
        parts.append(
            _("period %(start)s – %(end)s")
            % {"start": rule.date_from or "…", "end": rule.date_to or "…"}
        )
    if rule.source == PrepaymentRule.Source.ONLINE:
        parts.append(_("online self-booking"))
    elif rule.source == PrepaymentRule.Source.STAFF:
        parts.append(_("booked by staff"))
    what = ", ".join(parts) or _("every visit")
    if rule.action == PrepaymentRule.Action.WAIVE:
        return _("prepayment waived: %(what)s") % {"what": what}
    return _("prepayment required: %(what)s") % {"what": what}


def prepayment_decision(*, visit: Visit, settings: PrepaymentSettings | None = None) -> Decision:
    """Evaluate the rules for a visit (two queries): first matching active rule wins;
    without one, online self-bookings follow the "require for online" switch."""

    organization = visit.organization
    settings = settings or prepayment_settings_get(organization)
    if not settings.enabled:
        return Decision(False, _("prepayment is switched off"))
    rules = list(
        PrepaymentRule.objects.for_org(organization)
        .filter(is_active=True)
        .select_related("service", "tag")
        .order_by("order", "id")
    )
    tag_ids: set[int] = set()
    if visit.client_id and any(r.tag_id for r in rules):
        tag_ids = set(visit.client.tags.values_list("id", flat=True))  # type: ignore[union-attr]
    day = visit.starts_at.astimezone(organization_zone(organization)).date()
    online = visit.source == "online"
    for rule in rules:
        if rule.service_id and rule.service_id != visit.service_id:
            continue
        if rule.tag_id and rule.tag_id not in tag_ids:
            continue
        if rule.date_from and day < rule.date_from:
            continue
        if rule.date_to and day > rule.date_to:
            continue
        if rule.source == PrepaymentRule.Source.ONLINE and not online:
            continue
        if rule.source == PrepaymentRule.Source.STAFF and online:
            continue
        return Decision(
            rule.action == PrepaymentRule.Action.REQUIRE,
            _rule_reason(rule),
            rule.pk,
            rule.booking_type_id,
        )
    if online and settings.require_for_online:
        return Decision(True, _("prepayment required: online self-booking"))
    if online:
        return Decision(False, _("prepayment not required for online self-booking"))
    return Decision(False, _("no rule requires prepayment"))


# --------------------------------------------------------------------------- messages


def message_variables(booking: Booking) -> dict[str, Any]:
    """The B5 variables for a booking's messages."""

    visit = booking.visit
    local = visit.starts_at.astimezone(organization_zone(booking.organization))
    return {
        "client": booking.client,
        "service": visit.title,
        "specialist": visit.staff.get_full_name() or visit.staff.username,
        "date": local.strftime("%d.%m.%Y"),
        "time": local.strftime("%H:%M"),
        "amount": format_money(booking.amount, booking.currency),
        "link": booking.payment_url,
        "branch": visit.branch.name if visit.branch_id else "",
    }


def _send(booking: Booking, event: str, suffix: str, actor: Actor) -> Any:
    """One message about the booking, once (idempotency key per booking and kind)."""

    try:
        return message_send(
            organization=booking.organization,
            event=event,
            variables=message_variables(booking),
            actor=actor,
            client=booking.client,
            channel=booking.channel or None,
            related=booking,
            idempotency_key=f"booking:{booking.pk}:{suffix}",
        )
    except DomainError:
        logger.warning("prepayments: %s for booking %s could not be queued", event, booking.pk)
        return None


def _notify(booking: Booking, title: str, body: str = "", level: str = "info") -> None:

    staff_notify(
        organization=booking.organization,
        title=title,
        body=body,
        related=booking,
        url=booking.staff_url,
        level=level,
    )


# --------------------------------------------------------------------------- lifecycle


def _locked_visit(visit: Visit) -> Visit:

    return (
        VisitModel.objects.for_org(visit.organization)
        .select_for_update(of=("self",))
        .select_related("organization", "client", "service", "staff", "branch", "status")
        .get(pk=visit.pk)
    )


def _set_clock(visit: Visit, state: str, actor: Actor) -> None:

    visit_booking_state_set(visit=visit, state=state, actor=actor)


def _terms_snapshot(
    booking: Booking, settings: PrepaymentSettings, visit: Visit, booking_type: BookingType
) -> dict[str, Any]:
    """What the client will be shown, frozen at creation (X4 evidence)."""
    return {
        "agreement_enabled": settings.agreement_enabled,
        "agreement_text": settings.agreement_text,
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
        "show_prices": settings.page_show_prices,
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
    active booking already on the visit (409 naming it), an amount of 0 or above the price.
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
        visit = _locked_visit(visit)
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
            from zapys.prepayments.selectors import booking_json

            raise Conflict(
                _("The visit already has an active booking (#%(id)s).") % {"id": found.pk},
                field="visit_id",
                extra={"booking": booking_json(found)},
            )
        if booking_type is None:
            booking_type = (
                BookingType.objects.for_org(organization)
                .filter(is_active=True)
                .order_by("-is_default", "id")
                .first()
            )
            if booking_type is None:
                raise DomainError(
                    _("Create a booking type first (Settings → Prepayment)."),
                    field="booking_type_id",
                )
        amount = booking_amount(visit=visit, booking_type=booking_type)
        decision = prepayment_decision(visit=visit, settings=settings)
        expires_at = min(now + timedelta(hours=settings.link_lifetime_hours), visit.starts_at)
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
            reason=decision.reason[:300],
            expires_at=expires_at,
            auto_cancel_at=(
                expires_at + timedelta(minutes=settings.auto_cancel_after_minutes)
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
            raise Conflict(_("The visit already has an active booking."), field="visit_id") from exc
        booking.payment = _issue_payment(booking, visit, settings, actor)
        booking.save(update_fields=["payment"])
        _set_clock(visit, "pending", actor)
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
                "reason": decision.reason,
            },
        )
        if settings.send_link:
            _send(booking, events.BOOKING_LINK, "link", actor)
    return booking


def _branch_of(booking: Booking) -> Branch | None:
    if booking.branch_id:
        return booking.branch

    return Branch.objects.for_org(booking.organization).order_by("id").first()


def _record_money(booking: Booking, payment: Payment, actor: Actor, *, comment: str) -> None:
    """Money came in for the booking: it lands on the client's balance ("prepayment"), in
    the booking's branch till under the configured article, with a receipt."""
    organization = booking.organization
    settings = prepayment_settings_get(organization)
    branch = _branch_of(booking)
    finance = (
        BranchFinance.objects.for_org(organization).filter(branch=branch).first()
        if branch is not None
        else None
    )
    money_received_record(
        client=booking.client,
        amount=payment.amount,
        purpose=Entry.Purpose.PREPAYMENT,
        article=settings.income_article or "prepayments",
        actor=actor,
        cause=booking,
        comment=comment,
        deposit_line=_("Prepayment: %(what)s") % {"what": booking.visit.title},
        branch=branch,
        payment_type=finance.payment_type if finance and finance.payment_type_id else None,
    )


def _after_paid(booking: Booking, actor: Actor, now: datetime) -> None:
    """The visit side of a payment: configured status, green clock, notifications."""

    settings = prepayment_settings_get(booking.organization)
    visit = _locked_visit(booking.visit)
    status = settings.status_after_payment
    if status is not None and visit.blocks_time and status.pk != visit.status_id:
        try:
            with transaction.atomic():
                visit_status_set(visit=visit, status=status, actor=actor, now=now)
        except DomainError as exc:
            logger.warning("prepayments: status after payment not set on %s: %s", visit.pk, exc)
    _set_clock(visit, "paid", actor)
    amount = format_money(booking.amount, booking.currency)
    _notify(
        booking,
        _("Prepayment received: %(amount)s") % {"amount": amount},
        _("%(client)s prepaid %(what)s.") % {"client": booking.client.name, "what": visit.title},
    )
    if settings.send_paid:
        _send(booking, events.PAYMENT_RECEIVED, "paid", actor)


def booking_payment_succeeded(
    *, payment: Payment, actor: Actor, now: datetime | None = None
) -> str:
    """The provider confirmed a prepayment payment (called by the purpose handler inside
    the payment's transition). Returns what happened: paid / late / duplicate / unknown."""
    now = now or timezone.now()
    organization = payment.organization
    booking = (
        Booking.objects.for_org(organization)
        .select_related("visit", "visit__staff", "visit__branch", "visit__service", "client")
        .filter(pk=payment.purpose_id)
        .first()
        if str(payment.purpose_id).isdigit()
        else None
    )
    if booking is None:
        logger.warning("prepayments: payment %s names no booking", payment.pk)
        return "unknown"
    qs = Booking.objects.for_org(organization).filter(pk=booking.pk)
    with transaction.atomic():
        moved = qs.filter(status=S.PENDING).update(status=S.PAID, paid_at=now, payment=payment)
        if moved == 1:
            booking.status, booking.paid_at, booking.payment = S.PAID, now, payment
            _record_money(
                booking,
                payment,
                actor,
                comment=_("Prepayment for booking #%(b)s, payment #%(p)s")
                % {"b": booking.pk, "p": payment.pk},
            )
            audit_record(
                organization=organization,
                actor=actor,
                action="booking.paid",
                obj=booking,
                changes={"status": [S.PENDING, S.PAID], "payment_id": payment.pk},
            )
            _after_paid(booking, actor, now)
            return "paid"
        # Late or duplicate money: never lost — on the balance, flagged for staff.
        late = qs.filter(status__in=[S.EXPIRED, S.CANCELLED], paid_late=False).update(
            paid_late=True, paid_at=now, payment=payment
        )
        booking.refresh_from_db()
        if late:
            kind = "late"
            title = _("Prepayment paid after the deadline: booking #%(id)s") % {"id": booking.pk}
            body = _(
                "%(amount)s from %(client)s is on the client's balance. Restore the visit "
                "(if the time is free) or refund the payment."
            ) % {
                "amount": format_money(payment.amount, payment.currency),
                "client": booking.client.name,
            }
        else:
            qs.update(extra_payments=F("extra_payments") + 1)
            kind = "duplicate"
            title = _("Booking #%(id)s was paid twice") % {"id": booking.pk}
            body = _(
                "The second payment (%(amount)s) is on %(client)s's balance: keep it or refund."
            ) % {
                "amount": format_money(payment.amount, payment.currency),
                "client": booking.client.name,
            }
        _record_money(
            booking,
            payment,
            actor,
            comment=_("Prepayment received late/twice, booking #%(b)s, payment #%(p)s")
            % {"b": booking.pk, "p": payment.pk},
        )
        audit_record(
            organization=organization,
            actor=actor,
            action=f"booking.paid_{kind}",
            obj=booking,
            changes={"payment_id": payment.pk, "status": booking.status},
        )
        _notify(booking, title, body, level="warning")
        return kind


def booking_payment_refunded(*, payment: Payment, amount: int, actor: Actor) -> None:
    """Money went back through the provider: a ledger CREDIT "refund" and an expense;
    the booking becomes refunded when the whole payment is."""
    organization = payment.organization
    booking = Booking.objects.for_org(organization).filter(pk=payment.purpose_id).first()
    if booking is None:
        return
    comment = _("Refund of prepayment, booking #%(b)s, payment #%(p)s") % {
        "b": booking.pk,
        "p": payment.pk,
    }
    money_refunded_record(
        client=booking.client,
        amount=amount,
        actor=actor,
        cause=booking,
        comment=comment,
        branch=_branch_of(booking),
    )
    if payment.status == "refunded" and booking.payment_id == payment.pk:
        now = timezone.now()
        moved = (
            Booking.objects.for_org(organization)
            .filter(pk=booking.pk, status__in=[S.PAID, S.EXPIRED, S.CANCELLED])
            .update(status=S.REFUNDED, refunded_at=now)
        )
        if moved and booking.late_resolution == "":
            Booking.objects.for_org(organization).filter(pk=booking.pk).update(
                late_resolution=Booking.LateResolution.REFUNDED if booking.paid_late else ""
            )
        if moved and booking.status == S.PAID:
            _set_clock(booking.visit, "", actor)
    audit_record(
        organization=organization,
        actor=actor,
        action="booking.refunded",
        obj=booking,
        changes={"amount": amount, "payment_id": payment.pk},
    )


@transaction.atomic
def booking_pay_from_balance(
    *, booking: Booking, actor: Actor, now: datetime | None = None
) -> Booking:
    """X5: the client's balance already covers the prepayment — mark it paid without the
    provider. The ledger records the earmark as a pair of "prepayment" entries (taken from
    the balance, deposited for the booking), so the balance itself does not change; the
    open provider link is closed."""

    now = now or timezone.now()
    organization = booking.organization
    balance = client_balance(booking.client)
    if balance < booking.amount:
        raise DomainError(
            _("The balance (%(balance)s) does not cover the prepayment (%(amount)s).")
            % {
                "balance": format_money(balance, booking.currency),
                "amount": format_money(booking.amount, booking.currency),
            },
            field="balance",
        )
    moved = (
        Booking.objects.for_org(organization)
        .filter(pk=booking.pk, status=S.PENDING)
        .update(status=S.PAID, paid_at=now, paid_from_balance=True)
    )
    if moved != 1:
        raise Conflict(_("Only a booking awaiting payment can be paid from the balance."))
    booking.refresh_from_db()
    # The client may read this page in English; what is stored (ledger comments, the staff
    # notification) is the organization's, in its language.
    with translation.override(organization.language or None):
        for kind, comment in (
            ("credit", _("Booking #%(id)s: prepayment taken from the balance")),
            ("debit", _("Booking #%(id)s: prepayment deposited from the balance")),
        ):
            ledger.entry_create(
                client=booking.client,
                kind=kind,
                amount=booking.amount,
                purpose="prepayment",
                actor=actor,
                cause=booking,
                comment=comment % {"id": booking.pk},
                branch=booking.branch,
            )
        if booking.payment_id:
            assert booking.payment is not None
            payment_expire(payment=booking.payment, actor=actor)
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.paid_from_balance",
            obj=booking,
            changes={"status": [S.PENDING, S.PAID], "amount": booking.amount},
        )
        _after_paid(booking, actor, now)
    return booking


@transaction.atomic
def booking_accept_terms(
    *, booking: Booking, ip: str | None, user_agent: str, now: datetime | None = None
) -> Booking:
    """The client ticked the agreement on the payment page (X4): recorded once."""
    now = now or timezone.now()
    Booking.objects.for_org(booking.organization).filter(
        pk=booking.pk, accepted_at__isnull=True
    ).update(accepted_at=now, accepted_ip=ip, accepted_user_agent=(user_agent or "")[:400])
    booking.refresh_from_db()
    audit_record(
        organization=booking.organization,
        actor=Actor.client_link(f"booking {booking.pk}"),
        action="booking.terms_accepted",
        obj=booking,
        changes={"ip": ip, "accepted_at": booking.accepted_at},
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


def booking_cancel(*, booking: Booking, actor: Actor, refund: bool = False) -> Booking:
    """Staff cancel a booking. Pending: the link dies. Paid: the prepayment stays on
    the client's balance, or (refund=True) goes back through the provider."""

    organization = booking.organization
    now = timezone.now()
    with transaction.atomic():
        moved = (
            Booking.objects.for_org(organization)
            .filter(pk=booking.pk, status__in=[S.PENDING, S.PAID, S.EXPIRED])
            .update(status=S.CANCELLED, cancelled_at=now)
        )
        if moved != 1:
            raise Conflict(_("This booking cannot be cancelled any more."))
        before = booking.status
        booking.refresh_from_db()
        if before == S.PENDING and booking.payment_id:
            assert booking.payment is not None
            payment_expire(payment=booking.payment, actor=actor)
        _set_clock(booking.visit, "", actor)
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.cancel",
            obj=booking,
            changes={"status": [before, S.CANCELLED], "refund": refund},
        )
    if refund and before == S.PAID and booking.payment_id and not booking.paid_from_balance:
        assert booking.payment is not None
        payment_refund(payment=booking.payment, actor=actor)
        booking.refresh_from_db()
    return booking


def booking_restore(*, booking: Booking, actor: Actor, now: datetime | None = None) -> Booking:
    """One click for late money: put the visit back (if its time is still free) and count
    the booking as paid. The visit's time is checked by the schedule service (409)."""

    now = now or timezone.now()
    organization = booking.organization
    with transaction.atomic():
        if not booking.paid_late or booking.status not in (S.EXPIRED, S.CANCELLED):
            raise Conflict(_("Only a booking paid after its deadline can be restored."))
        settings = prepayment_settings_get(organization)
        visit = _locked_visit(booking.visit)
        if not visit.blocks_time:
            target = settings.status_after_payment or visit_status_default(organization)
            visit_status_set(visit=visit, status=target, actor=Actor.system("prepayments"), now=now)
        try:
            with transaction.atomic():
                moved = (
                    Booking.objects.for_org(organization)
                    .filter(pk=booking.pk, status__in=[S.EXPIRED, S.CANCELLED])
                    .update(status=S.PAID, late_resolution=Booking.LateResolution.RESTORED)
                )
        except IntegrityError as exc:
            raise Conflict(_("The visit already has another active booking.")) from exc
        if moved != 1:
            raise Conflict(_("The booking changed meanwhile; reload the page."))
        booking.refresh_from_db()
        _set_clock(visit, "paid", actor)
        audit_record(
            organization=organization,
            actor=actor,
            action="booking.restore",
            obj=booking,
            changes={"status": [None, S.PAID]},
        )
    return booking


def booking_refund(*, booking: Booking, actor: Actor) -> Booking:
    """Refund the booking's paid payment through the provider (late money or a cancel)."""

    if booking.payment_id is None or booking.paid_from_balance:
        raise Conflict(_("This booking has no online payment to refund."))
    if booking.status not in (S.PAID, S.EXPIRED, S.CANCELLED) or booking.paid_at is None:
        raise Conflict(_("Only a paid booking can be refunded."))
    assert booking.payment is not None
    payment_refund(payment=booking.payment, actor=actor)
    booking.refresh_from_db()
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
