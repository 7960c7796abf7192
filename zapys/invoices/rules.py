"""Automatic invoicing rules (I5) and dunning reminders (X6).

A rule says who gets an invoice (filters), for what (forecast or membership price, on the
base account, per membership or both), for which period (the current or next day / week /
month), how long it may be paid, and how it is sent; it runs on the organization's calendar
(`core.calendar_work`, work "invoices.rule") or by hand. A run never issues two invoices for
one client, account and period: it checks first, and the database's UNIQUE (rule, client,
account, period_start) settles two runs at once. A dry run reports the same without writing.

Dunning levels remind the payer N days from the due date (negative: before it) while the
invoice can still be paid; each level once per invoice (UNIQUE invoice, level), and never
once it is paid.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.catalog.models import LessonType, Subject
from zapys.clients.models import Client
from zapys.core.audit import Actor, audit_record
from zapys.core.calendar_work import calendar_schedule_pause, calendar_schedule_set
from zapys.core.exceptions import DomainError
from zapys.core.models import CalendarSchedule
from zapys.core.recurrence import Frequency, Recurrence
from zapys.core.tenancy import unscoped
from zapys.invoices import events
from zapys.invoices.forecast import forecast_for
from zapys.invoices.models import ClientPayer, DunningLevel, DunningSent, Invoice, InvoiceRule
from zapys.invoices.services import OPEN, invoice_create, invoice_send, local_today
from zapys.ledger.models import Account
from zapys.ledger.selectors import account_balance
from zapys.ledger.services import account_base_for
from zapys.memberships.models import ClientMembership
from zapys.messaging.events import CHANNELS
from zapys.messaging.models import ClientMessenger
from zapys.schedule.models import Attendance

logger = logging.getLogger(__name__)

WORK = "invoices.rule"
FILTER_KEYS = frozenset(
    {
        "client_status",
        "client_type",
        "subject_id",
        "lesson_type_id",
        "lessons_min",
        "lessons_max",
        "money_min",
        "money_max",
        "attended_30_days",
        "lesson_today",
    }
)
EVERY = {"day": Frequency.DAILY, "week": Frequency.WEEKLY, "month": Frequency.MONTHLY}


# --------------------------------------------------------------------------- periods


def rule_period(rule: InvoiceRule, today: date) -> tuple[date, date]:
    """The period a run on `today` invoices: the current or the next day / week / month."""
    if rule.period == InvoiceRule.Period.DAY:
        start = today + timedelta(days=1 if rule.period_type == InvoiceRule.PeriodType.NEXT else 0)
        return start, start
    if rule.period == InvoiceRule.Period.WEEK:
        start = today - timedelta(days=today.weekday())
        if rule.period_type == InvoiceRule.PeriodType.NEXT:
            start += timedelta(days=7)
        return start, start + timedelta(days=6)
    start = today.replace(day=1)
    if rule.period_type == InvoiceRule.PeriodType.NEXT:
        start = (start + timedelta(days=32)).replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def pay_until_for(window: str, today: date) -> date | None:
    """The seed's payment windows, counted from the day the invoice is issued."""
    days = {"3d": 3, "5d": 5, "6d": 6, "1w": 7, "2w": 14}
    if window in days:
        return today + timedelta(days=days[window])
    if window == InvoiceRule.PayWindow.MONTH_END:
        return _month_end(today)
    if window == InvoiceRule.PayWindow.NEXT_MONTH_END:
        return _month_end(_month_end(today) + timedelta(days=1))
    return None


# --------------------------------------------------------------------------- rules CRUD


@dataclass(frozen=True)
class Schedule:
    every: str  # day | week | month
    at: time
    weekday: int | None = None
    day: int | None = None

    def recurrence(self) -> Recurrence:
        try:
            return Recurrence(
                frequency=EVERY[self.every],
                at=self.at,
                weekday=self.weekday if self.every == "week" else None,
                day_of_month=self.day if self.every == "month" else None,
            )
        except (KeyError, ValueError) as exc:
            raise DomainError(
                _(
                    "Choose a day of the week for a weekly rule and a day of the month for a monthly one."
                ),
                field="schedule",
            ) from exc


def _check_filters(filters: dict[str, Any]) -> dict[str, Any]:
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise DomainError(
            _("Unknown filters: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            field="filters",
        )
    # Ids name this organization's catalogue (the scoped managers): a foreign id is unknown.
    for key, model in (("subject_id", Subject), ("lesson_type_id", LessonType)):
        value = filters.get(key)
        if value is not None and not model.objects.filter(pk=value).exists():
            raise DomainError(
                _("Unknown %(name)s.") % {"name": key.removesuffix("_id").replace("_", " ")},
                field=f"filters.{key}",
            )
    for low, high in (("lessons_min", "lessons_max"), ("money_min", "money_max")):
        a, b = filters.get(low), filters.get(high)
        if a is not None and b is not None and a > b:
            raise DomainError(_("The range's start is after its end."), field=f"filters.{low}")
    return {k: v for k, v in filters.items() if v not in (None, "", [])}


RULE_FIELDS = (
    "name",
    "method",
    "account",
    "period_type",
    "period",
    "filters",
    "pay_window",
    "repeatable",
    "reissue_if_unpaid",
    "channel",
    "template",
    "enabled",
)


@transaction.atomic
def rule_save(
    *,
    organization: Any,
    actor: Actor,
    rule: InvoiceRule | None = None,
    schedule: Schedule | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> InvoiceRule:
    """Create or change a rule; its calendar schedule follows (paused while disabled)."""
    now = now or timezone.now()
    created = rule is None
    if rule is None:
        rule = InvoiceRule(organization=organization)
        if schedule is None:
            raise DomainError(_("Set when the rule runs."), field="schedule")
    before = {name: getattr(rule, name) for name in RULE_FIELDS}
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise TypeError(name)
        setattr(rule, name, value)
    rule.name = (rule.name or "").strip()
    if not rule.name:
        raise DomainError(_("Give the rule a name."), field="name")
    if rule.channel and rule.channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    rule.filters = _check_filters(dict(rule.filters or {}))
    recurrence = schedule.recurrence() if schedule is not None else None
    rule.save()
    existing = CalendarSchedule.objects.filter(work=WORK, subject_id=rule.pk).first()
    if recurrence is not None or (existing is not None and rule.enabled):
        rule_recurrence = recurrence or (existing.recurrence if existing else None)
        if rule_recurrence is not None and rule.enabled:
            calendar_schedule_set(
                organization=organization,
                work=WORK,
                subject_id=rule.pk,
                rule=rule_recurrence,
                actor=actor,
                now=now,
            )
        elif rule_recurrence is not None:
            found = calendar_schedule_set(
                organization=organization,
                work=WORK,
                subject_id=rule.pk,
                rule=rule_recurrence,
                actor=actor,
                now=now,
            )
            calendar_schedule_pause(schedule=found, actor=actor)
    elif existing is not None and not rule.enabled:
        calendar_schedule_pause(schedule=existing, actor=actor)
    audit_record(
        organization=organization,
        actor=actor,
        action="invoice_rule.create" if created else "invoice_rule.update",
        obj=rule,
        changes={
            name: [before[name], getattr(rule, name)]
            for name in RULE_FIELDS
            if before[name] != getattr(rule, name)
        },
    )
    return rule


def rule_schedule(rule: InvoiceRule) -> CalendarSchedule | None:
    return CalendarSchedule.objects.filter(work=WORK, subject_id=rule.pk).first()


# --------------------------------------------------------------------------- running


@dataclass
class RunReport:
    issued: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.issued)} issued, {len(self.skipped)} skipped"


def _reachable(client: Client, channel: str, messengers: set[tuple[int, str]]) -> str:
    """Why the rule's channel cannot reach the client ("" when it can)."""
    if channel == "sms" and not client.phone:
        return _("no phone for SMS")
    if channel == "email" and not client.email:
        return _("no e-mail")
    if channel in ("telegram", "viber") and (client.pk, channel) not in messengers:
        return _("not linked to %(channel)s") % {"channel": channel.capitalize()}
    if not channel and not (
        client.phone or client.email or any(c == client.pk for c, _x in messengers)
    ):
        return _("no phone or e-mail")
    return ""


def _candidates(rule: InvoiceRule, today: date) -> list[Client]:
    filters = rule.filters or {}
    qs = Client.objects.alive().order_by("id")
    status = filters.get("client_status")
    if status:
        qs = qs.filter(status__in=status if isinstance(status, list) else [status])
    if filters.get("client_type"):
        qs = qs.filter(client_type=filters["client_type"])
    if filters.get("attended_30_days"):
        qs = qs.filter(
            pk__in=Attendance.objects.filter(
                state=Attendance.State.ATTENDED,
                visit__starts_at__gte=timezone.now() - timedelta(days=30),
            ).values("client_id")
        )
    if filters.get("lesson_today"):
        qs = qs.filter(
            pk__in=Attendance.objects.filter(
                state=Attendance.State.PLANNED, visit__starts_at__date=today
            ).values("client_id")
        )
    if filters.get("subject_id") or filters.get("lesson_type_id"):
        planned = Attendance.objects.filter(state=Attendance.State.PLANNED)
        if filters.get("subject_id"):
            planned = planned.filter(visit__subject_id=filters["subject_id"])
        if filters.get("lesson_type_id"):
            planned = planned.filter(visit__lesson_type_id=filters["lesson_type_id"])
        by_lessons = Q(pk__in=planned.values("client_id"))
        if filters.get("subject_id"):
            by_lessons |= Q(
                pk__in=ClientMembership.objects.filter(
                    status=ClientMembership.Status.ACTIVE, plan__subjects=filters["subject_id"]
                ).values("client_id")
            )
        qs = qs.filter(by_lessons)
    return list(qs)


def _targets(
    rule: InvoiceRule, client: Client, start: date, end: date
) -> list[tuple[Account, ClientMembership | None]]:
    """The accounts a client is invoiced on: the base one, each membership's, or both."""
    memberships = list(
        ClientMembership.objects.filter(
            client=client,
            status=ClientMembership.Status.ACTIVE,
            starts_on__lte=end,
            ends_on__gte=start,
        ).select_related("account", "plan")
    )
    if rule.method == InvoiceRule.Method.MEMBERSHIP:
        subject = (rule.filters or {}).get("subject_id")
        if subject:
            memberships = [m for m in memberships if m.plan.subjects.filter(pk=subject).exists()]
        if rule.account == InvoiceRule.AccountType.BASE:
            memberships = [m for m in memberships if m.account.kind == Account.Kind.BASE]
        elif rule.account == InvoiceRule.AccountType.MEMBERSHIP:
            memberships = [m for m in memberships if m.account.kind == Account.Kind.MEMBERSHIP]
        return [(m.account, m) for m in memberships]
    targets: list[tuple[Account, ClientMembership | None]] = []
    if rule.account in (InvoiceRule.AccountType.BASE, InvoiceRule.AccountType.ALL):
        targets.append((account_base_for(client=client), None))
    if rule.account in (InvoiceRule.AccountType.MEMBERSHIP, InvoiceRule.AccountType.ALL):
        targets += [
            (m.account, m) for m in memberships if m.account.kind == Account.Kind.MEMBERSHIP
        ]
    return targets


def _ranges_hold(rule: InvoiceRule, account: Account, membership: ClientMembership | None) -> str:
    filters = rule.filters or {}
    if filters.get("lessons_min") is not None or filters.get("lessons_max") is not None:
        left = membership.visits_left if membership is not None else None
        if left is None:
            return _("no lessons counter")
        if filters.get("lessons_min") is not None and left < filters["lessons_min"]:
            return _("fewer lessons left than the range")
        if filters.get("lessons_max") is not None and left > filters["lessons_max"]:
            return _("more lessons left than the range")
    if filters.get("money_min") is not None or filters.get("money_max") is not None:
        money = account_balance(account)
        if filters.get("money_min") is not None and money < filters["money_min"]:
            return _("money left outside the range")
        if filters.get("money_max") is not None and money > filters["money_max"]:
            return _("money left outside the range")
    return ""


def rule_run(
    *, rule: InvoiceRule, actor: Actor, dry_run: bool = False, now: datetime | None = None
) -> RunReport:
    """Issue (or, dry, tell who would get) the rule's invoices for its period."""
    now = now or timezone.now()
    organization = rule.organization
    today = local_today(organization, now)
    start, end = rule_period(rule, today)
    report = RunReport()
    clients = _candidates(rule, today)
    ids = [c.pk for c in clients]
    messengers = set(
        ClientMessenger.objects.filter(client_id__in=ids).values_list("client_id", "channel")
    )
    unpaid = set(
        Invoice.objects.filter(client_id__in=ids, status__in=OPEN).values_list(
            "client_id", flat=True
        )
    )
    done = set(
        Invoice.objects.filter(rule=rule, period_start=start).values_list("client_id", "account_id")
    )
    payers = {
        link.client_id: link.payer
        for link in ClientPayer.objects.filter(client_id__in=ids).select_related("payer")
    }
    messengers |= set(
        ClientMessenger.objects.filter(client_id__in=[p.pk for p in payers.values()]).values_list(
            "client_id", "channel"
        )
    )
    for client in clients:
        # the message goes to whoever pays (X6): their phone / e-mail must reach them
        why = _reachable(payers.get(client.pk, client), rule.channel, messengers)
        if not why and client.pk in unpaid and not rule.reissue_if_unpaid:
            why = _("has an unpaid invoice")
        if why:
            report.skipped.append({"client_id": client.pk, "reason": why})
            continue
        targets = _targets(rule, client, start, end)
        if not targets:
            report.skipped.append({"client_id": client.pk, "reason": _("nothing to invoice")})
            continue
        for account, membership in targets:
            reason = _ranges_hold(rule, account, membership)
            if not reason and (client.pk, account.pk) in done:
                reason = _("already issued for this period")
            if not reason and rule.method == InvoiceRule.Method.FORECAST:
                forecast = forecast_for(
                    client=client,
                    account=account,
                    start=start,
                    end=end,
                    balance=account_balance(account),
                )
                if forecast.amount <= 0:
                    reason = _("nothing to pay by the forecast")
            if reason:
                report.skipped.append({"client_id": client.pk, "reason": reason})
                continue
            if dry_run:
                report.issued.append({"client_id": client.pk, "account_id": account.pk})
                continue
            issued = _issue(rule, client, account, membership, start, end, today, actor, now)
            if issued is None:
                report.skipped.append(
                    {"client_id": client.pk, "reason": _("already issued for this period")}
                )
            else:
                report.issued.append(
                    {"client_id": client.pk, "account_id": account.pk, "invoice_id": issued.pk}
                )
    if not dry_run:
        audit_record(
            organization=organization,
            actor=actor,
            action="invoice_rule.run",
            obj=rule,
            changes={"issued": len(report.issued), "skipped": len(report.skipped)},
        )
    return report


def _issue(
    rule: InvoiceRule,
    client: Client,
    account: Account,
    membership: ClientMembership | None,
    start: date,
    end: date,
    today: date,
    actor: Actor,
    now: datetime,
) -> Invoice | None:
    """One invoice and its message; None when a concurrent run issued it first."""
    try:
        with transaction.atomic():
            invoice = invoice_create(
                client=client,
                calculation=(
                    Invoice.Calculation.FORECAST
                    if rule.method == InvoiceRule.Method.FORECAST
                    else Invoice.Calculation.MEMBERSHIP
                ),
                membership=membership,
                period_start=start,
                period_end=end,
                pay_until=pay_until_for(rule.pay_window, today),
                repeatable=rule.repeatable,
                rule=rule,
                actor=actor,
                now=now,
                forecast_start=start,
            )
    except IntegrityError:
        return None
    except DomainError as exc:
        logger.info("invoices: rule %s skipped client %s: %s", rule.pk, client.pk, exc.detail)
        return None
    try:
        invoice_send(
            invoice=invoice,
            actor=actor,
            channel=rule.channel or None,
            text=rule.template or None,
            idempotency_key=f"invoice:{invoice.pk}:issued",
        )
    except DomainError as exc:
        logger.info("invoices: invoice %s not sent: %s", invoice.pk, exc.detail)
    return invoice


def rules_run_scheduled(schedule: CalendarSchedule, scheduled_for: datetime) -> str:
    """The calendar work "invoices.rule": run the rule the schedule belongs to."""
    rule = InvoiceRule.objects.filter(pk=schedule.subject_id, enabled=True).first()
    if rule is None:
        return "no such rule"
    return rule_run(rule=rule, actor=Actor.scheduler(WORK), now=scheduled_for).summary()


# --------------------------------------------------------------------------- dunning


@transaction.atomic
def dunning_level_create(
    *, organization: Any, days_from_due: int, actor: Actor, channel: str = "", template: str = ""
) -> DunningLevel:
    if channel and channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if not -365 <= days_from_due <= 365:
        raise DomainError(_("At most a year before or after."), field="days_from_due")
    if DunningLevel.objects.filter(days_from_due=days_from_due).exists():
        raise DomainError(
            _("A reminder for this day exists already."), field="days_from_due", status=409
        )
    level = DunningLevel.objects.create(
        organization=organization,
        days_from_due=days_from_due,
        channel=channel,
        template=(template or "").strip(),
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="dunning_level.create",
        obj=level,
        changes={"days_from_due": days_from_due, "channel": channel},
    )
    return level


def due_date(invoice: Invoice) -> date:
    """When the money is due: the start of the period paid for, else the end of the window,
    else the day it was issued."""
    return invoice.period_start or invoice.pay_until or invoice.pay_from


def dunning_run(now: datetime) -> int:
    """Send every due reminder once (the job): open invoices whose level day has come, while
    the link still takes money; paid ones are never reminded."""
    sent = 0
    with unscoped():
        levels = list(DunningLevel.objects.filter(is_active=True).select_related("organization"))
    for level in levels:
        organization = level.organization
        today = local_today(organization, now)
        with unscoped():
            candidates = list(
                Invoice.objects.for_org(organization)
                .filter(status__in=OPEN)
                .filter(Q(pay_until__isnull=True) | Q(pay_until__gte=today))
                .exclude(pk__in=DunningSent.objects.filter(level=level).values("invoice_id"))
                .select_related("organization", "client", "payer")
                .order_by("id")[:1000]
            )
        from zapys.core.tenancy import org_scope

        with org_scope(organization):
            for invoice in candidates:
                if due_date(invoice) + timedelta(days=level.days_from_due) > today:
                    continue
                try:
                    with transaction.atomic():
                        DunningSent.objects.create(
                            organization=organization, invoice=invoice, level=level
                        )
                        invoice_send(
                            invoice=invoice,
                            actor=Actor.scheduler("invoices.dunning"),
                            channel=level.channel or None,
                            text=level.template or None,
                            event=events.REMINDER,
                            idempotency_key=f"invoice:{invoice.pk}:dunning:{level.pk}",
                        )
                        sent += 1
                except IntegrityError:
                    continue  # another runner sent it
                except DomainError as exc:
                    logger.info("invoices: reminder for %s not sent: %s", invoice.pk, exc.detail)
                    DunningSent.objects.get_or_create(
                        organization=organization, invoice=invoice, level=level
                    )
    return sent
