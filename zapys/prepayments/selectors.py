"""Reads of the prepayment app: what a booking would cost and whether a visit needs one,
the message variables, the booking JSON, the report (B7) and its totals. Nothing here
writes (the settings row is created by `services.prepayment_settings_get`; a read uses
`prepayment_settings_or_default`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from zapys.accounts.models import Branch
from zapys.core.exceptions import DomainError
from zapys.core.money import format_money, multiply_rate, percent_of, share_percent
from zapys.core.prepared import PreparedQuery
from zapys.core.tenancy import current_org, organization_zone, unscoped
from zapys.memberships.selectors import clients_with_covering_membership
from zapys.messaging.models import Message
from zapys.prepayments.models import (
    Booking,
    BookingType,
    CancellationPolicy,
    Fee,
    PrepaymentRule,
    PrepaymentSettings,
)
from zapys.prepayments.reasons import reason_text
from zapys.schedule.models import Attendance

if TYPE_CHECKING:
    from zapys.accounts.models import Organization
    from zapys.schedule.models import Visit


def prepayment_settings_or_default(organization: Organization) -> PrepaymentSettings:
    """The organization's settings row, or the defaults (unsaved) when it has none yet:
    for reads that must not write (prepayment is then off)."""
    found = PrepaymentSettings.objects.for_org(organization).first()
    return found if found is not None else PrepaymentSettings(organization=organization)


# --------------------------------------------------------------------------- amounts


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
            _("The booking type “%(name)s” gives a prepayment of 0 for this visit.")
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
    #: Why, as data (`reason_text` says it in the reader's language); a booking keeps it,
    #: so its page explains itself in English too, not in the language it was made in.
    why: dict[str, Any]
    rule_id: int | None = None
    booking_type_id: int | None = None

    @property
    def reason(self) -> str:
        return reason_text(self.why)


def _rule_why(rule: PrepaymentRule) -> dict[str, Any]:
    parts: list[list[str]] = []
    if rule.service_id:
        parts.append(["service", rule.service.name if rule.service else ""])
    if rule.tag_id:
        parts.append(["tag", rule.tag.name if rule.tag else ""])
    if rule.date_from or rule.date_to:
        parts.append(
            [
                "period",
                rule.date_from.isoformat() if rule.date_from else "",
                rule.date_to.isoformat() if rule.date_to else "",
            ]
        )
    if rule.source == PrepaymentRule.Source.ONLINE:
        parts.append(["online"])
    elif rule.source == PrepaymentRule.Source.STAFF:
        parts.append(["staff"])
    action = "waive" if rule.action == PrepaymentRule.Action.WAIVE else "require"
    return {"kind": "rule", "action": action, "parts": parts}


def _membership_covers(visit: Visit, day: date) -> bool:
    """Whether the client's membership pays for this appointment (one query, the rule the
    checkout uses to draw a membership visit)."""
    if visit.client_id is None or visit.kind != "individual" or visit.service_id is None:
        return False
    return bool(
        clients_with_covering_membership(
            organization=visit.organization,
            client_ids=[visit.client_id],
            on_date=day,
            service=visit.service_id,
        )
    )


def prepayment_decision(*, visit: Visit, settings: PrepaymentSettings | None = None) -> Decision:
    """Evaluate the rules for a visit (three queries): a membership that covers the visit
    waives it before any rule; else the first matching active rule wins; without one,
    online self-bookings follow the "require for online" switch."""

    organization = visit.organization
    settings = settings or prepayment_settings_or_default(organization)
    if not settings.enabled:
        return Decision(False, {"kind": "switched_off"})
    day = visit.starts_at.astimezone(organization_zone(organization)).date()
    if _membership_covers(visit, day):
        # the client has paid for this visit already: a prepayment would ask twice, and
        # no rule (nor staff) can make it otherwise (`booking_create` refuses)
        return Decision(False, {"kind": "membership"})
    rules = list(
        PrepaymentRule.objects.for_org(organization)
        .filter(is_active=True)
        .select_related("service", "tag")
        .order_by("order", "id")
    )
    tag_ids: set[int] = set()
    if visit.client_id and any(r.tag_id for r in rules):
        tag_ids = set(visit.client.tags.values_list("id", flat=True))  # type: ignore[union-attr]
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
            _rule_why(rule),
            rule.pk,
            rule.booking_type_id,
        )
    if online and settings.require_for_online:
        return Decision(True, {"kind": "online_required"})
    if online:
        return Decision(False, {"kind": "online_free"})
    return Decision(False, {"kind": "no_rule"})


def booking_type_default(organization: Organization) -> BookingType | None:
    """The type a booking gets when none is chosen: the default one, else the oldest active."""
    return (
        BookingType.objects.for_org(organization)
        .filter(is_active=True)
        .order_by("-is_default", "id")
        .first()
    )


# --------------------------------------------------------------------------- bookings


def booking_branch(booking: Booking) -> Branch | None:
    """The branch whose till a booking's money lands in: the booking's, else the
    organization's first."""
    if booking.branch_id:
        return booking.branch
    return Branch.objects.for_org(booking.organization).order_by("id").first()


def message_variables(booking: Booking) -> dict[str, Any]:
    """The B5 variables for a booking's messages."""

    visit = booking.visit
    local = visit.starts_at.astimezone(organization_zone(booking.organization))
    return {
        "client": booking.client,
        "service": visit.title,
        "specialist": visit.staff.get_full_name() or visit.staff.username,
        "date": local.date(),  # words in the message's language (messaging.rendering)
        "time": local.strftime("%H:%M"),
        "amount": format_money(booking.amount, booking.currency),
        "link": booking.payment_url,
        "branch": visit.branch.name if visit.branch_id else "",
        "policy": (booking.terms_snapshot.get("policy") or {})
        .get("text", {})
        .get(booking.organization.language or "uk", ""),
        "cancel_link": booking.payment_url + "cancel/",
        "fee": "",
        "money": "",
    }


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
        "deadline_reason": booking.deadline_reason,
        "auto_cancel_at": booking.auto_cancel_at.isoformat() if booking.auto_cancel_at else None,
        "paid_at": booking.paid_at.isoformat() if booking.paid_at else None,
        "payment_id": booking.payment_id,
    }


def bookings_for_visits(visits: list[Visit]) -> dict[int, dict]:
    """Schedule hook: the latest booking of each visit, one query for the whole list."""
    ids = [v.pk for v in visits]
    if not ids:
        return {}
    found: dict[int, dict] = {}
    org = current_org()
    if len(ids) == 1 and org is not None:  # one visit's (a checkout): compiled once
        bookings = _BOOKINGS_OF_VISIT.objects(org=org.pk, visit=ids[0])
    else:
        bookings = list(Booking.objects.filter(visit_id__in=ids).order_by("visit_id", "-id"))
    for booking in bookings:
        found.setdefault(booking.visit_id, booking_json(booking))
    return found


_BOOKINGS_OF_VISIT: PreparedQuery[Booking] = PreparedQuery(
    lambda s: (
        Booking.objects.for_org(s.org())
        .filter(visit_id=s.number("visit"))
        .order_by("visit_id", "-id")
    )
)


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
    # by current status: these five add up to `issued`
    pending: int = 0
    paid: int = 0
    expired: int = 0
    cancelled: int = 0
    refunded: int = 0
    # across the statuses ("of the issued")
    received: int = 0  # money came, whatever the status now
    received_amount: int = 0
    paid_late: int = 0  # of `received`: after the deadline
    ran_out: int = 0  # the link ran out unpaid
    conversion: int = 0  # percent of issued that money came for
    chart: dict[str, list[Any]] = field(default_factory=dict)


def _start(day: date) -> datetime:
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
    """Totals and the money-vs-ran-out chart by day: two aggregate queries.

    The status cards count each booking once, by its current status — the badge the table
    shows — so awaiting + paid + expired + cancelled + refunded = issued. Two counts cut
    across them and are shown apart, as "of the issued": `received` is every booking money
    came for (`paid_at`: on time, late, or later refunded or cancelled with the money kept;
    `paid_late` of them after the deadline), and `ran_out` every link that ran out unpaid
    (`expired_at` without `paid_at`, whether or not the visit was then auto-cancelled) — what
    the chart draws by day and the payment-links report counts as expired.
    """
    S = Booking.Status
    ever_paid = Q(paid_at__isnull=False)
    ran_out = Q(expired_at__isnull=False, paid_at__isnull=True)
    row = qs.order_by().aggregate(
        issued=Count("id"),
        issued_amount=Sum("amount"),
        pending=Count("id", filter=Q(status=S.PENDING)),
        paid=Count("id", filter=Q(status=S.PAID)),
        expired=Count("id", filter=Q(status=S.EXPIRED)),
        cancelled=Count("id", filter=Q(status=S.CANCELLED)),
        refunded=Count("id", filter=Q(status=S.REFUNDED)),
        received=Count("id", filter=ever_paid),
        received_amount=Sum("amount", filter=ever_paid),
        paid_late=Count("id", filter=Q(paid_late=True)),
        ran_out=Count("id", filter=ran_out),
    )
    totals = ReportTotals(**{k: int(v or 0) for k, v in row.items()})  # type: ignore[arg-type]
    totals.conversion = share_percent(totals.received, totals.issued) if totals.issued else 0
    by_day: dict[date | None, dict[str, int]] = defaultdict(lambda: {"received": 0, "ran_out": 0})
    days = (
        qs.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(received=Count("id", filter=ever_paid), ran_out=Count("id", filter=ran_out))
        .order_by("day")
    )
    for d in days:
        by_day[d["day"]]["received"] += d["received"]
        by_day[d["day"]]["ran_out"] += d["ran_out"]
    keys = sorted(by_day, key=lambda day: day or date.min)
    totals.chart = {
        # The axis says a day as the page's dates do (04.12.2026), not ISO 2026-12-04.
        "labels": [formats.date_format(k, "SHORT_DATE_FORMAT") if k else "" for k in keys],
        "received": [by_day[k]["received"] for k in keys],
        "ran_out": [by_day[k]["ran_out"] for k in keys],
    }
    return totals


def booking_messages(booking: Booking) -> QuerySet:
    """Every message sent about the booking (X4 evidence: the delivery log)."""

    return Message.objects.filter(
        related_type=Booking._meta.label_lower, related_id=str(booking.pk)
    ).order_by("created_at", "id")


# --------------------------------------------------------------------------- cancellation (X3)


def policy_for_visit(visit: Visit, booking: Booking | None = None) -> CancellationPolicy | None:
    """The policy a visit falls under: its booking type's, else its service's, else the
    organization's default (prepayment settings). None: no policy (nothing is charged)."""
    org = visit.organization
    if booking is not None and booking.booking_type_id:
        assert booking.booking_type is not None
        if booking.booking_type.cancellation_policy_id:
            return booking.booking_type.cancellation_policy
    active = CancellationPolicy.objects.for_org(org).filter(is_active=True)
    if visit.service_id:
        found = active.filter(services=visit.service_id).order_by("id").first()
        if found is not None:
            return found
    settings = prepayment_settings_or_default(org)
    if settings.cancellation_policy_id:
        return active.filter(pk=settings.cancellation_policy_id).first()
    return None


def _hours(n: int) -> str:
    return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}


def policy_text(policy: CancellationPolicy, language: str) -> str:
    """The policy as the client reads it, generated from its settings."""
    with override(language):
        base = (
            _("of the prepayment")
            if policy.fee_base == CancellationPolicy.FeeBase.PREPAYMENT
            else _("of the price")
        )
        parts = []
        if policy.free_cancel_hours:
            parts.append(
                _("Free cancellation up to %(hours)s before the visit.")
                % {"hours": _hours(policy.free_cancel_hours)}
            )
        else:
            parts.append(_("Cancellation is free until the visit starts."))
        if policy.late_cancel_fee_percent and policy.free_cancel_hours:
            parts.append(
                _("A later cancellation costs %(percent)s%% %(base)s.")
                % {"percent": policy.late_cancel_fee_percent, "base": base}
            )
        rest = {
            CancellationPolicy.Rest.BALANCE: _(
                "The rest of the prepayment stays on your balance for the next visit."
            ),
            CancellationPolicy.Rest.REFUND: _(
                "The rest of the prepayment is refunded to your card."
            ),
            CancellationPolicy.Rest.STAFF: _(
                "The rest of the prepayment stays on your balance or is refunded to your card."
            ),
        }[CancellationPolicy.Rest(policy.late_cancel_rest)]
        parts.append(rest)
        if policy.no_show_fee_percent:
            parts.append(
                _("Not coming without cancelling costs %(percent)s%% %(base)s.")
                % {"percent": policy.no_show_fee_percent, "base": base}
            )
        return " ".join(parts)


def policy_snapshot(policy: CancellationPolicy | None) -> dict[str, Any]:
    """What the booking's evidence keeps of the policy: its settings and both texts."""
    if policy is None:
        return {}
    return {
        "id": policy.pk,
        "name": policy.name,
        "preset": policy.preset,  # an unrenamed preset is named in the page's language
        "free_cancel_hours": policy.free_cancel_hours,
        "late_cancel_fee_percent": policy.late_cancel_fee_percent,
        "no_show_fee_percent": policy.no_show_fee_percent,
        "fee_base": policy.fee_base,
        "late_cancel_rest": policy.late_cancel_rest,
        "review_hours": policy.review_hours,
        "exempt_tags": sorted(policy.exempt_tags.values_list("name", flat=True)),
        "text": {"uk": policy_text(policy, "uk"), "en": policy_text(policy, "en")},
    }


@dataclass(frozen=True)
class CancelTerms:
    """What cancelling a visit now would do with the money it holds (shown before it is
    done, and what the service then does)."""

    held: int  # the paid prepayment on the booking (0: nothing held)
    inside_window: bool
    exempt: bool
    fee: int  # the late-cancellation fee by the policy (before a waiver)
    kept: int  # the part of the held money the fee keeps
    rest: int  # held − kept
    rest_to: str  # "balance" | "refund" | "staff": who decides
    can_refund: bool  # the money came through a provider (not from the balance)
    started: bool  # the visit has started: too late to cancel it from a client's link
    policy: CancellationPolicy | None


def _exempt(policy: CancellationPolicy | None, visit: Visit) -> bool:
    """The client has one of the policy's exempt tags."""
    if policy is None or visit.client is None:
        return False
    exempt = set(policy.exempt_tags.values_list("id", flat=True))
    return bool(exempt and exempt & set(visit.client.tags.values_list("id", flat=True)))


def cancel_terms(visit: Visit, booking: Booking | None, now: datetime) -> CancelTerms:
    policy = policy_for_visit(visit, booking)
    paid = booking is not None and booking.status == Booking.Status.PAID
    held = booking.amount if paid and booking is not None else 0
    inside = policy is None or visit.starts_at - now >= timedelta(hours=policy.free_cancel_hours)
    exempt = _exempt(policy, visit)
    fee = 0
    if held and policy is not None and not inside and not exempt:
        base = held if policy.fee_base == CancellationPolicy.FeeBase.PREPAYMENT else visit.price
        fee = percent_of(base, policy.late_cancel_fee_percent)
    kept = min(fee, held)
    return CancelTerms(
        held=held,
        inside_window=inside,
        exempt=exempt,
        fee=fee,
        kept=kept,
        rest=held - kept,
        rest_to=policy.late_cancel_rest if policy is not None else CancellationPolicy.Rest.BALANCE,
        can_refund=bool(
            booking is not None and booking.payment_id and not booking.paid_from_balance
        ),
        started=visit.starts_at <= now,
        policy=policy,
    )


def no_show_fee_amount(
    visit: Visit, booking: Booking | None, policy: CancellationPolicy | None
) -> int:
    """The no-show fee: a percent of the paid prepayment, or of the price."""
    if policy is None or not policy.no_show_fee_percent or not visit.client_id:
        return 0
    if _exempt(policy, visit):
        return 0
    if policy.fee_base == CancellationPolicy.FeeBase.PRICE:
        return percent_of(visit.price, policy.no_show_fee_percent)
    if booking is not None and booking.paid_at is not None:
        return percent_of(booking.amount, policy.no_show_fee_percent)
    return 0


def fee_json(fee: Fee) -> dict[str, Any]:
    return {
        "id": fee.pk,
        "visit_id": fee.visit_id,
        "client_id": fee.client_id,
        "kind": fee.kind,
        "state": fee.state,
        "amount": fee.amount,
        "currency": fee.currency,
        "charge_at": fee.charge_at.isoformat() if fee.charge_at else None,
        "charged_at": fee.charged_at.isoformat() if fee.charged_at else None,
        "waived_at": fee.waived_at.isoformat() if fee.waived_at else None,
        "waive_reason": fee.waive_reason,
    }


def policy_json(policy: CancellationPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk,
        "name": policy.name,
        "preset": policy.preset,
        "free_cancel_hours": policy.free_cancel_hours,
        "late_cancel_fee_percent": policy.late_cancel_fee_percent,
        "no_show_fee_percent": policy.no_show_fee_percent,
        "fee_base": policy.fee_base,
        "late_cancel_rest": policy.late_cancel_rest,
        "review_hours": policy.review_hours,
        "exempt_tags": [t.name for t in policy.exempt_tags.all()],
        "service_ids": [s.pk for s in policy.services.all()],
        "is_active": policy.is_active,
    }


# --------------------------------------------------------------------------- cancellations report

GROUPS = {
    "client": ("client_id", "client__name"),
    "service": ("visit__service_id", "visit__service__name"),
    "staff": ("visit__staff_id", "visit__staff__last_name"),
}


@dataclass
class CancellationRow:
    key: int | None
    name: str
    cancelled: int = 0
    late: int = 0
    no_shows: int = 0
    charged: int = 0
    waived: int = 0
    refunded: int = 0
    to_balance: int = 0


def cancellations_report(
    *, group: str, date_from: date | None, date_to: date | None
) -> list[CancellationRow]:
    """Cancellations and no-shows by client, service or specialist (by the visit's date):
    visits cancelled while holding a booking, fees charged and waived, money refunded and
    left on balances. Two aggregate queries whatever the number of rows."""
    key, name = GROUPS.get(group, GROUPS["client"])
    period = Q()
    if date_from:
        period &= Q(visit__starts_at__gte=_start(date_from))
    if date_to:
        period &= Q(visit__starts_at__lt=_start(date_to + timedelta(days=1)))
    rows: dict[Any, CancellationRow] = {}
    # Money paid after the booking was cancelled (a link paid late, after the auto-cancel)
    # went to the balance with nothing recorded on the cancellation: counted here where it
    # is now (kept on the balance, or refunded), so the row does not say 0 for it.
    paid_after = Q(paid_at__isnull=False, cancelled_at__isnull=False, paid_at__gt=F("cancelled_at"))
    late_kept = paid_after & Q(
        late_resolution__in=[Booking.LateResolution.NONE, Booking.LateResolution.KEPT]
    )
    late_refunded = paid_after & Q(late_resolution=Booking.LateResolution.REFUNDED)
    first_name = "visit__staff__first_name"
    booking_values = [key, name] + ([first_name] if group == "staff" else [])
    for r in (
        Booking.objects.filter(period)
        .exclude(cancelled_by="")
        .values(*booking_values)
        .annotate(
            n=Count("id"),
            refunded=Sum("cancel_refunded"),
            to_balance=Sum("cancel_to_balance"),
            late_kept=Sum("amount", filter=late_kept),
            late_refunded=Sum("amount", filter=late_refunded),
        )
        .order_by()
    ):
        label = " ".join(x for x in (r.get(first_name), r[name]) if x) or "—"
        row = rows.setdefault(r[key], CancellationRow(r[key], label))
        row.cancelled += r["n"]
        row.refunded += int(r["refunded"] or 0) + int(r["late_refunded"] or 0)
        row.to_balance += int(r["to_balance"] or 0) + int(r["late_kept"] or 0)
    for r in (
        Fee.objects.filter(period)
        .values(*booking_values)
        .annotate(
            late=Count("id", filter=Q(kind=Fee.Kind.LATE_CANCEL)),
            no_shows=Count("id", filter=Q(kind=Fee.Kind.NO_SHOW)),
            charged=Sum("amount", filter=Q(state=Fee.State.CHARGED)),
            waived=Sum("amount", filter=Q(state=Fee.State.WAIVED)),
        )
        .order_by()
    ):
        label = " ".join(x for x in (r.get(first_name), r[name]) if x) or "—"
        row = rows.setdefault(r[key], CancellationRow(r[key], label))
        row.late += r["late"]
        row.no_shows += r["no_shows"]
        row.charged += int(r["charged"] or 0)
        row.waived += int(r["waived"] or 0)
    return sorted(rows.values(), key=lambda row: (-row.charged, row.name))


@dataclass(frozen=True)
class BalanceOffer:
    """What the client's balance means for an awaited prepayment: `balance` the whole of
    it, `held` the part their other paid prepayments stand behind, `free` the rest."""

    amount: int
    balance: int
    held: int

    @property
    def free(self) -> int:
        return max(self.balance - self.held, 0)

    @property
    def covers(self) -> bool:
        """«Сплатити з балансу» is offered: the free balance covers the whole prepayment
        (the rule `booking_pay_from_balance` checks again under the client's lock)."""
        return self.free >= self.amount


def booking_balance_offer(booking: Booking) -> BalanceOffer | None:
    """The balance against an awaited prepayment (None: the booking awaits nothing), for
    every page that offers «Сплатити з балансу» — the visit card, the visit's prepayment
    page, the prepayment's own page — so none offers what the service then refuses: the
    *free* balance must cover it. The held part is read only when the whole balance would
    cover it (a query less otherwise: nothing to offer either way)."""
    if booking.status != Booking.Status.PENDING:
        return None
    from zapys.ledger.selectors import client_balance

    balance = client_balance(booking.client)
    held = balance_held_by_bookings(booking) if balance >= booking.amount else 0
    return BalanceOffer(booking.amount, balance, held)


def balance_held_by_bookings(booking: Booking) -> int:
    """Kopecks of the client's balance already standing behind their other paid bookings.

    A prepayment paid from the balance is a pair of entries that leaves the balance as it was
    (the money stays there until the visit's checkout takes it), and so does a card-paid one
    once its money lands. Until that visit is settled the money is promised to it: another
    booking may be paid only from what is left. Settled means the client's attendance is
    marked (arrived, charged, absent or cancelled), after which the checkout or the policy
    has dealt with the money."""
    held = _held_by_paid_bookings(booking.organization, [booking.client_id]).exclude(pk=booking.pk)
    return held.aggregate(total=Sum("amount"))["total"] or 0


def balance_held_for_visit(visit: Visit, client_ids: list[int]) -> dict[int, int]:
    """Schedule hook (`hooks.balance_held`): {client_id: kopecks} of each client's balance
    that paid bookings of their visits other than `visit` hold (the same rule as
    `balance_held_by_bookings`), one query for all the clients. The checkout of `visit`
    spends only the rest, so closing one visit never spends another visit's prepayment."""
    if not client_ids:
        return {}
    rows = (
        _held_by_paid_bookings(visit.organization, client_ids)
        .exclude(visit_id=visit.pk)
        .values("client_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {r["client_id"]: int(r["total"] or 0) for r in rows}


def balances_held_by_visits(organization: Any, client_ids: list[int]) -> dict[int, dict[int, int]]:
    """Schedule hook (`hooks.balances_held`): {client_id: {visit_id: kopecks}} that paid
    bookings hold of each client's balance (the rule of `balance_held_by_bookings`), one
    query for all the clients. A list of many visits (the unpaid list, the dashboard) lets
    each visit spend only what the client's other visits do not hold, as its checkout does
    (`balance_held_for_visit`)."""
    if not client_ids:
        return {}
    rows = (
        _held_by_paid_bookings(organization, client_ids)
        .values("client_id", "visit_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    held: dict[int, dict[int, int]] = {}
    for r in rows:
        held.setdefault(r["client_id"], {})[r["visit_id"]] = int(r["total"] or 0)
    return held


def _held_by_paid_bookings(organization: Any, client_ids: list[int]) -> QuerySet[Booking]:
    """Paid bookings of the clients whose visit still waits for them (their attendance is
    planned): the money on the balance promised to those visits."""
    return Booking.objects.for_org(organization).filter(
        client_id__in=client_ids,
        status=Booking.Status.PAID,
        visit__attendances__client_id=F("client_id"),
        visit__attendances__state=Attendance.State.PLANNED,
    )


def booking_by_link_token(token: str) -> Booking | None:
    """The booking a client's link names (any organization: the token is the whole
    credential), with its organization; None for a token too long to be one or unknown.
    The cancel and move pages both start here."""
    if len(token) > 64:
        return None
    with unscoped():
        return Booking.objects.select_related("organization").filter(token=token).first()
