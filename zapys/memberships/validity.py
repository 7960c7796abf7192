"""How long a membership is valid: date arithmetic only (no database), shared by the sale,
the renewal, the corrections and the freezes."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from zapys.memberships.models import MembershipPlan

MAX_VALIDITY_DAYS = 3660


def add_months(day: date, months: int) -> date:
    """`day` + `months`, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity_end(*, starts_on: date, value: int, unit: str) -> date:
    """The last valid day (inclusive): 1 month from 1 March is valid until 31 March."""
    if unit == MembershipPlan.ValidityUnit.DAYS:
        return starts_on + timedelta(days=value - 1)
    return add_months(starts_on, value) - timedelta(days=1)


def freeze_overlap_days(*, starts_on: date, ends_on: date, first: date, last: date) -> int:
    """How many days of the frozen range [first, last] the membership [starts_on, ends_on]
    was valid on — the only days a freeze may give back (0 for an empty range)."""
    start, end = max(starts_on, first), min(ends_on, last)
    return max((end - start).days + 1, 0)
