"""Specialists' working hours: the weekly pattern per branch and its exceptions (a day off,
extra hours)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, Organization, User
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError, NotFound
from zapys.core.text import clean_line
from zapys.schedule.models import HoursException, WorkingHours


def _check_staff_branch(staff: User, branch: Branch, organization: Organization) -> None:
    if staff.organization_id != organization.pk or not staff.is_active:
        raise NotFound(_("Unknown specialist."), field="staff_id")
    if branch.organization_id != organization.pk:
        raise NotFound(_("Unknown branch."), field="branch_id")


def _check_intervals(intervals: list[tuple[time, time]], field: str) -> None:
    ordered = sorted(intervals)
    for start, end in ordered:
        if end <= start:
            raise DomainError(_("The end must be after the start."), field=field)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(ordered):
        if s2 < e1:
            raise DomainError(_("Working intervals of one day overlap."), field=field)


@transaction.atomic
def staff_hours_set(
    *,
    staff: User,
    branch: Branch,
    intervals: Iterable[tuple[int, time, time]],
    actor: Actor,
) -> list[WorkingHours]:
    """Replace the specialist's weekly hours in the branch with `intervals`
    ((weekday 0=Mon, start, end), several per day allowed)."""
    organization = branch.organization
    _check_staff_branch(staff, branch, organization)
    items = list(intervals)
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in items:
        if not 0 <= weekday <= 6:
            raise DomainError(_("The weekday must be 0 (Monday) to 6 (Sunday)."), field="weekday")
        by_day.setdefault(weekday, []).append((start, end))
    for day_intervals in by_day.values():
        _check_intervals(day_intervals, "intervals")
    qs = WorkingHours.objects.for_org(organization).filter(staff=staff, branch=branch)
    before = [f"{h.weekday} {h.start:%H:%M}-{h.end:%H:%M}" for h in qs]
    qs.delete()
    rows = WorkingHours.objects.for_org(organization).bulk_create(
        [
            WorkingHours(
                organization=organization,
                staff=staff,
                branch=branch,
                weekday=weekday,
                start=start,
                end=end,
            )
            for weekday, start, end in sorted(items)
        ]
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="staff_hours.set",
        obj=staff,
        changes={
            "branch_id": branch.pk,
            "hours": [before, [f"{w} {s:%H:%M}-{e:%H:%M}" for w, s, e in sorted(items)]],
        },
    )
    return rows


@transaction.atomic
def hours_exception_create(
    *,
    staff: User,
    branch: Branch,
    on_date: date,
    kind: str,
    actor: Actor,
    start: time | None = None,
    end: time | None = None,
    note: str = "",
) -> HoursException:
    organization = branch.organization
    _check_staff_branch(staff, branch, organization)
    if kind not in HoursException.Kind.values:
        raise DomainError(_("Unknown exception kind."), field="kind")
    if kind == HoursException.Kind.EXTRA:
        if start is None or end is None:
            raise DomainError(_("Enter the extra hours."), field="start")
        _check_intervals([(start, end)], "end")
    else:
        start = end = None
    exc = HoursException.objects.for_org(organization).create(
        organization=organization,
        staff=staff,
        branch=branch,
        date=on_date,
        kind=kind,
        start=start,
        end=end,
        note=clean_line(note),
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="staff_hours.exception_create",
        obj=exc,
        changes={"date": on_date, "kind": kind, "start": start, "end": end},
    )
    return exc


@transaction.atomic
def hours_exception_delete(*, exception: HoursException, actor: Actor) -> None:
    audit_record(
        organization=exception.organization,
        actor=actor,
        action="staff_hours.exception_delete",
        obj=exception,
        changes={"date": exception.date, "kind": exception.kind},
    )
    exception.delete()
