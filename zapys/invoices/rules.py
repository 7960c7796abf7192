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
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from zapys.catalog.models import LessonType, Subject
from zapys.clients.models import Client
from zapys.core.audit import Actor, audit_record, audit_record_many
from zapys.core.calendar_work import calendar_schedule_pause, calendar_schedule_set
from zapys.core.exceptions import DomainError, NotFound
from zapys.core.models import CalendarSchedule
from zapys.core.money import format_money
from zapys.core.recurrence import Frequency, Recurrence
from zapys.core.tenancy import organization_zone, unscoped
from zapys.core.vocabulary import current_words
from zapys.invoices import events
from zapys.invoices.forecast import forecast_compute, planned_lessons
from zapys.invoices.models import ClientPayer, DunningLevel, DunningSent, Invoice, InvoiceRule
from zapys.invoices.services import (
    MAX_AMOUNT,
    OPEN,
    Issued,
    check_tags,
    invoice_send,
    local_today,
    message_variables,
    next_numbers,
    render_tags,
    title_columns,
)
from zapys.ledger.models import Account
from zapys.ledger.selectors import account_balances_for
from zapys.ledger.services import account_base_for, accounts_base_for_many
from zapys.memberships.models import ClientMembership
from zapys.messaging.events import CHANNELS
from zapys.messaging.models import ClientMessenger
from zapys.messaging.services import Outgoing, message_send_many
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


#: A rule's period in one phrase ("Next month", not "Next · Month").
PERIOD_LABELS = {
    ("current", "day"): gettext_lazy("Current day"),
    ("next", "day"): gettext_lazy("Next day"),
    ("current", "week"): gettext_lazy("Current week"),
    ("next", "week"): gettext_lazy("Next week"),
    ("current", "month"): gettext_lazy("Current month"),
    ("next", "month"): gettext_lazy("Next month"),
}


def period_label(rule: InvoiceRule) -> str:
    label = PERIOD_LABELS.get((rule.period_type, rule.period))
    if label is None:
        return f"{rule.get_period_type_display()} · {rule.get_period_display()}"
    return str(label)


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
    check_tags(rule.template or "", field="template")
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
    changes = {
        name: [before[name], getattr(rule, name)]
        for name in RULE_FIELDS
        if before[name] != getattr(rule, name)
    }
    if "filters" in changes:
        # the filters are a dict of keys and ids: the audit keeps them as words
        changes["filters"] = [filters_text(before["filters"] or {}), filters_text(rule.filters)]
    audit_record(
        organization=organization,
        actor=actor,
        action="invoice_rule.create" if created else "invoice_rule.update",
        obj=rule,
        changes=changes,
    )
    return rule


def filter_value_names(filters: list[dict[str, Any]]) -> dict[str, dict[Any, str]]:
    """The names `filters_text` shows for the ids and codes in these rules' filters: one
    query per catalogue any of them uses, so a list of rules costs the same as one."""
    used = {key for one in filters for key in one}
    return {
        "subject_id": dict(Subject.objects.values_list("id", "name"))
        if "subject_id" in used
        else {},
        "lesson_type_id": dict(LessonType.objects.values_list("id", "name"))
        if "lesson_type_id" in used
        else {},
        "client_status": {k: str(v) for k, v in Client.Status.choices},
        "client_type": {k: str(v) for k, v in Client.Type.choices},
    }


def filters_text(filters: dict[str, Any], names: dict[str, dict[Any, str]] | None = None) -> str:
    """A rule's filters as the administrator reads them ("Client status: Active, Lead;
    Money left from: 0,00 грн"), in the active language; empty when there are none.
    `names`: from `filter_value_names`, when a list shows many rules."""
    if names is None:
        names = filter_value_names([filters])
    words = current_words()  # the organization's («Предмет» at a school, «Напрям» in a salon)
    labels = {
        "client_status": _("Client status"),
        "client_type": _("Client type"),
        "subject_id": words.subject,
        "lesson_type_id": words.lesson_type,
        "lessons_min": words.lessons_left_from,
        "lessons_max": words.lessons_left_to,
        "money_min": _("Money left from"),
        "money_max": _("Money left to"),
        "attended_30_days": _("Only if attended classes in the last 30 days"),
        "lesson_today": _("Only if there is a class that day"),
    }
    language = (get_language() or "uk")[:2]
    parts = []
    for key in labels:
        if key not in filters:
            continue
        value = filters[key]
        if value is True:
            parts.append(str(labels[key]))
            continue
        if key in ("money_min", "money_max"):
            shown = format_money(int(value), "UAH", language)
        elif key in names:
            values = value if isinstance(value, list) else [value]
            shown = ", ".join(names[key].get(v, "—") for v in values)
        else:
            shown = str(value)
        parts.append(f"{labels[key]}: {shown}")
    return "; ".join(parts)


def audience_text(filters: dict[str, Any], names: dict[str, dict[Any, str]]) -> str:
    """Whom a rule invoices, for the rules page: its client statuses, "any" in words when
    none is ticked (the rule then takes every status, and an empty cell said nothing), then
    its other filters."""
    others = filters_text({k: v for k, v in filters.items() if k != "client_status"}, names)
    if filters.get("client_status"):
        statuses = filters_text({"client_status": filters["client_status"]}, names)
    else:
        statuses = str(_("Client status: any"))
    return "; ".join(part for part in (statuses, others) if part)


def rule_schedule(rule: InvoiceRule) -> CalendarSchedule | None:
    return CalendarSchedule.objects.filter(work=WORK, subject_id=rule.pk).first()


def rule_schedule_form_values(found: CalendarSchedule | None) -> dict[str, Any]:
    """The rule's schedule as the rule form shows it ("every", "at", "weekday", "day")."""
    if found is None:
        return {}
    every = {str(frequency): name for name, frequency in EVERY.items()}
    return {
        "every": every.get(found.frequency, "month"),
        "at": found.time_of_day,
        "weekday": found.weekday,
        "day": found.day_of_month,
    }


@transaction.atomic
def rule_delete(*, rule: InvoiceRule, actor: Actor, now: datetime | None = None) -> int:
    """Delete a rule: it never runs again (its calendar schedule goes) and it leaves the
    rules page and the API, but its row stays, marked deleted, so the invoices it issued
    still name it and the invoice list's rule filter still finds them. (It was a hard
    delete: the invoices lost their rule and the filter could no longer find them.) Returns
    how many invoices it had issued (the confirmation and the audit say so)."""
    organization = rule.organization
    locked = (
        InvoiceRule.objects.for_org(organization)
        .select_for_update()
        .filter(pk=rule.pk, deleted_at__isnull=True)
        .first()
    )
    if locked is None:
        raise NotFound(_("Rule not found."))
    kept = Invoice.objects.for_org(organization).filter(rule=locked).count()
    # The schedule row belongs to this rule alone (work, subject): gone with it, so the
    # calendar never wakes for a rule that no longer exists.
    CalendarSchedule.objects.for_org(organization).filter(work=WORK, subject_id=locked.pk).delete()
    audit_record(
        organization=organization,
        actor=actor,
        action="invoice_rule.delete",
        obj=locked,
        changes={"name": [locked.name, None], "invoices_kept": kept},
    )
    locked.deleted_at, locked.enabled = now or timezone.now(), False
    locked.save(update_fields=["deleted_at", "enabled"])
    return kept


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


def _candidate_ids(rule: InvoiceRule, today: date) -> list[int]:
    """The ids of the clients the rule's filters select (one query; ranges are checked per
    account later, from the batch's balances and memberships)."""
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
    return list(qs.values_list("id", flat=True))


def _targets(
    rule: InvoiceRule,
    client: Client,
    memberships: list[ClientMembership],
    base: Account | None,
) -> list[tuple[Account, ClientMembership | None]]:
    """The accounts a client is invoiced on: the base one, each membership's, or both.
    `memberships`: the client's active ones overlapping the period (plans' subjects
    prefetched); `base`: the base account if it exists (made here on first use)."""
    if rule.method == InvoiceRule.Method.MEMBERSHIP:
        subject = (rule.filters or {}).get("subject_id")
        if subject:
            memberships = [
                m for m in memberships if any(s.pk == subject for s in m.plan.subjects.all())
            ]
        if rule.account == InvoiceRule.AccountType.BASE:
            memberships = [m for m in memberships if m.account.kind == Account.Kind.BASE]
        elif rule.account == InvoiceRule.AccountType.MEMBERSHIP:
            memberships = [m for m in memberships if m.account.kind == Account.Kind.MEMBERSHIP]
        return [(m.account, m) for m in memberships]
    targets: list[tuple[Account, ClientMembership | None]] = []
    if rule.account in (InvoiceRule.AccountType.BASE, InvoiceRule.AccountType.ALL):
        targets.append((base or account_base_for(client=client), None))
    if rule.account in (InvoiceRule.AccountType.MEMBERSHIP, InvoiceRule.AccountType.ALL):
        targets += [
            (m.account, m) for m in memberships if m.account.kind == Account.Kind.MEMBERSHIP
        ]
    return targets


def _ranges_hold(rule: InvoiceRule, membership: ClientMembership | None, money: int) -> str:
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
        if filters.get("money_min") is not None and money < filters["money_min"]:
            return _("money left outside the range")
        if filters.get("money_max") is not None and money > filters["money_max"]:
            return _("money left outside the range")
    return ""


#: Clients per batch: each batch costs the same number of queries whatever its size.
RUN_BATCH = 500


def rule_run(
    *,
    rule: InvoiceRule,
    actor: Actor,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = RUN_BATCH,
) -> RunReport:
    """Issue (or, dry, tell who would get) the rule's invoices for its period.

    Set-based, batch by batch of clients: the batch's payers, messengers, open invoices,
    memberships, accounts, balances and planned lessons are read in a fixed number of
    queries, the invoices numbered in one move of the counter and written with one INSERT,
    their audit rows with one more, and their messages queued with `message_send_many`.
    Each batch is one transaction holding the rule's row: two runs of one rule at once
    take turns batch by batch, and the second sees what the first issued (the UNIQUE
    (rule, client, account, period_start) is the backstop)."""
    now = now or timezone.now()
    organization = rule.organization
    today = local_today(organization, now)
    start, end = rule_period(rule, today)
    report = RunReport()
    ids = _candidate_ids(rule, today)
    for offset in range(0, len(ids), batch_size):
        batch = _Batch(rule, ids[offset : offset + batch_size], start, end, today, now)
        if dry_run:
            batch.decide(report, issue=False)
            continue
        with transaction.atomic():
            InvoiceRule.objects.select_for_update().filter(pk=rule.pk).values_list("pk").first()
            batch.issue(report, actor)
    if not dry_run:
        audit_record(
            organization=organization,
            actor=actor,
            action="invoice_rule.run",
            obj=rule,
            changes={"issued": len(report.issued), "skipped": len(report.skipped)},
        )
    return report


@dataclass
class _Planned:
    client: Client
    account: Account
    membership: ClientMembership | None
    issued: Issued


class _Batch:
    """One batch of a rule run: what it reads once, what it decides per client, and what
    it writes at once."""

    def __init__(
        self,
        rule: InvoiceRule,
        client_ids: list[int],
        start: date,
        end: date,
        today: date,
        now: datetime,
    ) -> None:
        self.rule, self.start, self.end, self.today, self.now = rule, start, end, today, now
        self.client_ids = client_ids
        self.zone = organization_zone(rule.organization)

    def _read(self, *, writes: bool) -> None:
        ids = self.client_ids
        self.clients = list(Client.objects.filter(pk__in=ids).order_by("id"))
        # the message goes to whoever pays (X6): their phone / e-mail must reach them
        self.payers = {
            link.client_id: link.payer
            for link in ClientPayer.objects.filter(client_id__in=ids).select_related("payer")
        }
        reached = [*ids, *(p.pk for p in self.payers.values())]
        self.messengers = set(
            ClientMessenger.objects.filter(client_id__in=reached).values_list(
                "client_id", "channel"
            )
        )
        self.unpaid = set(
            Invoice.objects.filter(client_id__in=ids, status__in=OPEN).values_list(
                "client_id", flat=True
            )
        )
        self.done = set(
            Invoice.objects.filter(
                rule=self.rule, period_start=self.start, client_id__in=ids
            ).values_list("client_id", "account_id")
        )
        self.memberships: dict[int, list[ClientMembership]] = {}
        for membership in (
            ClientMembership.objects.filter(
                client_id__in=ids,
                status=ClientMembership.Status.ACTIVE,
                starts_on__lte=self.end,
                ends_on__gte=self.start,
            )
            .select_related("account", "plan")
            .prefetch_related("plan__subjects")
            .order_by("id")
        ):
            self.memberships.setdefault(membership.client_id, []).append(membership)
        # The base account is invoiced for a forecast or "all": made now for whoever has
        # none yet (a client with no money history), all at once; a dry run writes nothing
        # and counts such a client's account as a new, empty one.
        if self.rule.method == InvoiceRule.Method.FORECAST and self.rule.account in (
            InvoiceRule.AccountType.BASE,
            InvoiceRule.AccountType.ALL,
        ):
            org_id = self.rule.organization_id
            if writes:
                self.bases = accounts_base_for_many(organization_id=org_id, client_ids=ids)
            else:
                self.bases = {
                    account.client_id: account
                    for account in Account.objects.filter(client_id__in=ids, kind="base")
                }
                for pk in set(ids) - set(self.bases):
                    self.bases[pk] = Account(organization_id=org_id, client_id=pk, kind="base")
        else:
            self.bases = {
                account.client_id: account
                for account in Account.objects.filter(client_id__in=ids, kind=Account.Kind.BASE)
            }
        accounts = [a.pk for a in self.bases.values() if a.pk is not None]
        accounts += [m.account_id for ms in self.memberships.values() for m in ms]
        self.balances = account_balances_for(accounts)
        self.planned = (
            planned_lessons(ids, self.start, self.end, self.zone)
            if self.rule.method == InvoiceRule.Method.FORECAST
            else {}
        )

    def decide(self, report: RunReport, *, issue: bool) -> list[_Planned]:
        """Who gets what (the dry run's answer); skipped clients go to the report with the
        reason. `issue=False` also reports the would-be invoices as issued."""
        self._read(writes=issue)
        rule = self.rule
        planned: list[_Planned] = []
        for client in self.clients:
            why = _reachable(self.payers.get(client.pk, client), rule.channel, self.messengers)
            if not why and client.pk in self.unpaid and not rule.reissue_if_unpaid:
                why = _("has an unpaid invoice")
            if why:
                report.skipped.append({"client_id": client.pk, "reason": why})
                continue
            memberships = self.memberships.get(client.pk, [])
            targets = _targets(rule, client, memberships, self.bases.get(client.pk))
            if not targets:
                report.skipped.append({"client_id": client.pk, "reason": _("nothing to invoice")})
                continue
            for account, membership in targets:
                reason, issued = self._invoice_of(client, account, membership, memberships)
                if reason:
                    report.skipped.append({"client_id": client.pk, "reason": reason})
                elif issued is not None:
                    planned.append(_Planned(client, account, membership, issued))
                    # One invoice per client, account and period: two memberships on one
                    # account (the base one) make one invoice, like a second run would.
                    self.done.add((client.pk, account.pk))
                    if not issue:
                        report.issued.append({"client_id": client.pk, "account_id": account.pk})
        return planned

    def _invoice_of(
        self,
        client: Client,
        account: Account,
        membership: ClientMembership | None,
        memberships: list[ClientMembership],
    ) -> tuple[str, Issued | None]:
        rule = self.rule
        balance = self.balances.get(account.pk, 0)
        reason = _ranges_hold(rule, membership, balance)
        if not reason and (client.pk, account.pk) in self.done:
            reason = _("already issued for this period")
        if reason:
            return reason, None
        if rule.method == InvoiceRule.Method.FORECAST:
            on_account = (
                [m for m in memberships if m.account_id == account.pk]
                if account.kind == Account.Kind.MEMBERSHIP
                else memberships
            )
            forecast = forecast_compute(
                planned=self.planned.get(client.pk, []),
                memberships=on_account,
                zone=self.zone,
                start=self.start,
                end=self.end,
                balance=balance,
            )
            if forecast.amount <= 0:
                return _("nothing to pay by the forecast"), None
            amount, title, subjects = forecast.amount, forecast.title, forecast.subjects
            breakdown = forecast.lines
            period = (self.start, self.end)
        else:
            assert membership is not None
            amount, title = membership.price, membership.name
            subjects = ", ".join(s.name for s in membership.plan.subjects.all())
            breakdown = [{"kind": "membership", "title": title, "amount": amount}]
            period = (self.start, self.end)
        if amount <= 0 or amount > MAX_AMOUNT:
            return _("the amount cannot be invoiced"), None
        return "", Issued(
            amount=amount,
            title=title,
            subjects=subjects[:300],
            breakdown=breakdown,
            period_start=period[0],
            period_end=period[1],
        )

    def issue(self, report: RunReport, actor: Actor) -> None:
        planned = self.decide(report, issue=True)
        if not planned:
            return
        rule, organization = self.rule, self.rule.organization
        numbers = next_numbers(organization, self.today.year, len(planned))
        pay_until = pay_until_for(rule.pay_window, self.today)
        calculation = (
            Invoice.Calculation.FORECAST
            if rule.method == InvoiceRule.Method.FORECAST
            else Invoice.Calculation.MEMBERSHIP
        )
        invoices = Invoice.objects.bulk_create(
            [
                Invoice(
                    organization=organization,
                    number=number,
                    client=item.client,
                    payer=self.payers.get(item.client.pk),
                    account=item.account,
                    membership=item.membership,
                    calculation=calculation,
                    amount=item.issued.amount,
                    currency=organization.currency or "UAH",
                    period_start=item.issued.period_start,
                    period_end=item.issued.period_end,
                    pay_from=self.today,
                    pay_until=pay_until,
                    repeatable=rule.repeatable,
                    breakdown=item.issued.breakdown,
                    **title_columns(item.issued.title),
                    subjects=item.issued.subjects,
                    rule=rule,
                )
                for number, item in zip(numbers, planned, strict=True)
            ]
        )
        audit_record_many(
            model=Invoice,
            ids=[invoice.pk for invoice in invoices],
            actor=actor,
            action="invoice.create",
            changes={"rule": rule.pk, "calculation": calculation},
        )
        self._send(invoices)
        for invoice in invoices:
            report.issued.append(
                {
                    "client_id": invoice.client_id,
                    "account_id": invoice.account_id,
                    "invoice_id": invoice.pk,
                }
            )

    def _send(self, invoices: list[Invoice]) -> None:
        """The invoices' links to whoever pays, queued at once (`message_send_many`): the
        rule's text with the I6 tags, else the organization's template."""
        rule, organization = self.rule, self.rule.organization
        language = organization.language or "uk"
        customers = {c.pk: c for c in self.clients} | {p.pk: p for p in self.payers.values()}
        open_of: dict[int, list[Invoice]] = {}
        for invoice in Invoice.objects.filter(
            Q(client_id__in=customers) | Q(payer_id__in=customers), status__in=OPEN
        ).order_by("created_at", "id"):
            open_of.setdefault(invoice.recipient_id, []).append(invoice)
        outgoing = []
        for invoice in invoices:
            customer = customers[invoice.payer_id or invoice.client_id]
            variables = message_variables(invoice, customer, open_of.get(customer.pk, []), language)
            if rule.template:
                variables = {"text": render_tags(rule.template.strip(), variables)}
            outgoing.append(
                Outgoing(
                    client=customer,
                    variables=variables,
                    idempotency_key=f"invoice:{invoice.pk}:issued",
                    related=invoice,
                    channel=rule.channel,
                )
            )
        message_send_many(
            organization=organization,
            event=events.INVOICE_LINK_TYPED if rule.template else events.INVOICE_LINK,
            messages=outgoing,
            now=self.now,
        )


def rules_run_scheduled(schedule: CalendarSchedule, scheduled_for: datetime) -> str:
    """The calendar work "invoices.rule": run the rule the schedule belongs to."""
    rule = InvoiceRule.objects.filter(
        pk=schedule.subject_id, enabled=True, deleted_at__isnull=True
    ).first()
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
    check_tags(template or "", field="template")
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


@transaction.atomic
def dunning_level_update(
    *, level: DunningLevel, days_from_due: int, actor: Actor, channel: str = "", template: str = ""
) -> DunningLevel:
    """Change a reminder's day, channel or text. Invoices it already reminded are not
    reminded again (its "sent" marks stay)."""
    if channel and channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if not -365 <= days_from_due <= 365:
        raise DomainError(_("At most a year before or after."), field="days_from_due")
    check_tags(template or "", field="template")
    if DunningLevel.objects.filter(days_from_due=days_from_due).exclude(pk=level.pk).exists():
        raise DomainError(
            _("A reminder for this day exists already."), field="days_from_due", status=409
        )
    before = {"days_from_due": level.days_from_due, "channel": level.channel}
    level.days_from_due = days_from_due
    level.channel = channel
    level.template = (template or "").strip()
    level.save(update_fields=["days_from_due", "channel", "template"])
    after = {"days_from_due": days_from_due, "channel": channel}
    audit_record(
        organization=level.organization,
        actor=actor,
        action="dunning_level.update",
        obj=level,
        changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
    )
    return level


@transaction.atomic
def dunning_level_delete(*, level: DunningLevel, actor: Actor) -> None:
    """Remove a reminder: no more messages on its day (the ones sent stay in the log)."""
    audit_record(
        organization=level.organization,
        actor=actor,
        action="dunning_level.delete",
        obj=level,
        changes={"days_from_due": level.days_from_due},
    )
    level.delete()


def due_date(invoice: Invoice) -> date:
    """When the money is due: the invoice's one due date (`Invoice.due_on`), the date its
    pages say «Сплатити до»."""
    return invoice.due_on


def reminders_due(
    invoice: Invoice, levels: list[DunningLevel], dealt: set[int], today: date
) -> tuple[DunningLevel | None, list[DunningLevel]]:
    """Which reminder goes now and which are skipped for good. Of the levels whose day has
    come and that were neither sent nor skipped, only the latest goes: an invoice issued
    late, or a job that did not run for days, must not send "in 2 days" and "3 days late"
    in one minute. A "before the due date" reminder whose due date has come is not sent
    at all (it would say the day is still ahead)."""
    due = due_date(invoice)
    come = [
        level
        for level in levels
        if level.pk not in dealt and due + timedelta(days=level.days_from_due) <= today
    ]
    if not come:
        return None, []
    latest = max(come, key=lambda level: level.days_from_due)
    if latest.days_from_due < 0 and today >= due:
        return None, come
    return latest, [level for level in come if level is not latest]


def _still_to_remind(invoice: Invoice, today: date) -> Invoice | None:
    """The invoice's row, locked, while it still awaits money within its window; None once
    it is paid, archived or expired (the reminder job's candidates are read in advance)."""
    current = (
        Invoice.objects.for_org(invoice.organization)
        .select_for_update(of=("self",))
        .select_related("organization", "client", "payer")
        .get(pk=invoice.pk)
    )
    if current.status not in OPEN:
        return None
    if current.pay_until is not None and current.pay_until < today:
        return None
    return current


def dunning_run(now: datetime) -> int:
    """Send the due reminders (the job): for each open invoice whose link still takes money,
    the latest reminder whose day has come, once (`reminders_due`; the earlier ones it
    overtook are recorded as skipped and never go); paid ones are never reminded."""
    sent = 0
    with unscoped():
        active = list(
            DunningLevel.objects.filter(is_active=True)
            .select_related("organization")
            .order_by("organization_id", "days_from_due")
        )
    by_org: dict[int, list[DunningLevel]] = {}
    for level in active:
        by_org.setdefault(level.organization_id, []).append(level)
    for levels in by_org.values():
        sent += _dunning_run_org(levels, now)
    return sent


def _dunning_run_org(levels: list[DunningLevel], now: datetime) -> int:
    from zapys.core.tenancy import org_scope

    organization = levels[0].organization
    today = local_today(organization, now)
    sent = 0
    after = 0
    while True:
        with unscoped():
            batch = list(
                Invoice.objects.for_org(organization)
                .filter(status__in=OPEN, pk__gt=after)
                .filter(Q(pay_until__isnull=True) | Q(pay_until__gte=today))
                .select_related("organization", "client", "payer")
                .order_by("id")[:500]
            )
            if not batch:
                return sent
            after = batch[-1].pk
            dealt: dict[int, set[int]] = {}
            for invoice_id, level_id in DunningSent.objects.filter(
                invoice_id__in=[invoice.pk for invoice in batch]
            ).values_list("invoice_id", "level_id"):
                dealt.setdefault(invoice_id, set()).add(level_id)
        with org_scope(organization):
            for invoice in batch:
                level, skipped = reminders_due(invoice, levels, dealt.get(invoice.pk, set()), today)
                if level is None and not skipped:
                    continue
                sent += _remind(invoice, level, skipped, today)


def _remind(
    invoice: Invoice, level: DunningLevel | None, skipped: list[DunningLevel], today: date
) -> int:
    """Record the skipped levels and send `level`'s reminder, in one transaction; 1 if sent."""
    organization = invoice.organization
    try:
        with transaction.atomic():
            # The list was read before this send: a payment or an archive may have come
            # since. Decide from the row as it is now, locked.
            current = _still_to_remind(invoice, today)
            if current is None:
                return 0
            DunningSent.objects.bulk_create(
                [
                    DunningSent(
                        organization=organization, invoice=current, level=each, skipped=True
                    )
                    for each in skipped
                ]
            )
            if level is None:
                return 0
            DunningSent.objects.create(organization=organization, invoice=current, level=level)
            invoice_send(
                invoice=current,
                actor=Actor.scheduler("invoices.dunning"),
                channel=level.channel or None,
                text=level.template or None,
                event=events.REMINDER,
                idempotency_key=f"invoice:{invoice.pk}:dunning:{level.pk}",
                check_text=False,  # checked when saved (`dunning_level_*`)
            )
            return 1
    except IntegrityError:
        return 0  # another runner dealt with it
    except DomainError as exc:
        assert level is not None
        logger.info("invoices: reminder for %s not sent: %s", invoice.pk, exc.detail)
        with transaction.atomic():
            for each in [*skipped, level]:
                DunningSent.objects.get_or_create(
                    organization=organization,
                    invoice=invoice,
                    level=each,
                    defaults={"skipped": each is not level},
                )
        return 0
