"""The payment forecast (I1 "по прогнозу оплаты"): what a client will owe for a period.

Lessons planned for the client in the period, each at its price, unless a membership valid
that day (with visits left, covering the lesson's subject) takes it; then the account's
balance is taken into account (money already there lowers the amount, down to nothing; a
debt is added to it, as its own "debt" line).
Reads only; the lines are stored on the invoice so the amount can be explained later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.core.stored_text import StoredText
from zapys.core.tenancy import organization_zone
from zapys.ledger.models import Account
from zapys.memberships.models import ClientMembership
from zapys.schedule.models import Attendance


@dataclass
class Forecast:
    amount: int
    lines: list[dict[str, Any]] = field(default_factory=list)
    #: "Lessons 01.12–31.12.2026", in each reader's language (a StoredText: an invoice
    #: issued by a Ukrainian organization read "Заняття …" on the English page).
    title: str | StoredText = ""
    subjects: str = ""


@dataclass
class _Cover:
    membership: ClientMembership
    left: int | None  # None: unlimited
    subject_ids: set[int]

    def takes(self, day: date, subject_id: int | None) -> bool:
        m = self.membership
        if not (m.starts_on <= day <= m.ends_on):
            return False
        if self.left is not None and self.left <= 0:
            return False
        return m.plan.covers_everything or subject_id in self.subject_ids


def forecast_for(
    *, client: Any, account: Account, start: date, end: date, balance: int
) -> Forecast:
    """The forecast of `client` for [start, end] on `account` (3 queries)."""
    zone = organization_zone(client.organization)
    planned = planned_lessons([client.pk], start, end, zone).get(client.pk, [])
    memberships = ClientMembership.objects.filter(
        client_id=client.pk,
        status=ClientMembership.Status.ACTIVE,
        starts_on__lte=end,
        ends_on__gte=start,
    )
    if account.kind == Account.Kind.MEMBERSHIP:
        memberships = memberships.filter(account=account)
    return forecast_compute(
        planned=planned,
        memberships=list(memberships.select_related("plan").prefetch_related("plan__subjects")),
        zone=zone,
        start=start,
        end=end,
        balance=balance,
    )


def planned_lessons(
    client_ids: list[int], start: date, end: date, zone: Any
) -> dict[int, list[Attendance]]:
    """The lessons planned for each client in [start, end] (the organization's days), with
    their visits, in time order: one query for any number of clients (a rule's batch)."""
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    planned: dict[int, list[Attendance]] = {}
    for attendance in (
        Attendance.objects.filter(
            client_id__in=client_ids,
            state=Attendance.State.PLANNED,
            visit__starts_at__gte=since,
            visit__starts_at__lt=until,
            visit__blocks_time=True,
        )
        .select_related("visit", "visit__subject", "visit__group", "visit__service")
        .order_by("visit__starts_at", "id")
    ):
        planned.setdefault(attendance.client_id, []).append(attendance)
    return planned


def forecast_compute(
    *,
    planned: list[Attendance],
    memberships: list[ClientMembership],
    zone: Any,
    start: date,
    end: date,
    balance: int,
) -> Forecast:
    """The forecast from what is already loaded (no queries): each planned lesson at its
    price unless a membership valid that day takes it; then the balance. `memberships`:
    the active ones overlapping the period, on the invoiced account, with their plans'
    subjects prefetched."""
    covers = [_Cover(m, m.visits_left, {s.pk for s in m.plan.subjects.all()}) for m in memberships]
    lines: list[dict[str, Any]] = []
    total = 0
    subjects: dict[str, None] = {}
    for attendance in planned:
        visit = attendance.visit
        day = visit.starts_at.astimezone(zone).date()
        title = visit.title
        subjects.setdefault(str(visit.subject) if visit.subject_id else title, None)
        cover = next((c for c in covers if c.takes(day, visit.subject_id)), None)
        if cover is not None:
            if cover.left is not None:
                cover.left -= 1
            lines.append(
                {
                    "kind": "lesson",
                    "date": day.isoformat(),
                    "title": title,
                    "price": visit.price,
                    "amount": 0,
                    "covered": cover.membership.name,
                }
            )
            continue
        total += visit.price
        lines.append(
            {
                "kind": "lesson",
                "date": day.isoformat(),
                "title": title,
                "price": visit.price,
                "amount": visit.price,
                "covered": "",
            }
        )
    if balance > 0:
        # Money already on the account lowers the amount, down to nothing: the line is the
        # part of it used, so the lines add up to the amount ("on_balance" is all of it).
        used = min(balance, total)
        lines.append(
            {
                "kind": "balance",
                "title": _("Money on the balance"),
                "amount": -used,
                "on_balance": balance,
            }
        )
    elif balance < 0:
        # A debt is added to what is paid, and says so: it was shown as a positive
        # "balance taken into account", which read as money the client has.
        lines.append({"kind": "debt", "title": _("Debt on the balance"), "amount": -balance})
    amount = max(total - balance, 0)
    titles = ", ".join(subjects)
    return Forecast(
        amount=amount,
        lines=lines,
        title=StoredText(
            gettext_noop("Lessons %(start)s–%(end)s"),
            start=f"{start:%d.%m}",
            end=f"{end:%d.%m.%Y}",
        ),
        subjects=titles,
    )
