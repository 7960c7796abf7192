"""Calendar rules: "daily at 09:00", "weekly on Monday at 10:00", "monthly on the 1st at 09:00".

Pure date arithmetic, no database: `next_run` answers "when, after this instant, does the rule
fire next?" in the organization's time zone, and `Recurrence.describe()` says the rule in the
administrator's words.

Wall-clock rules and daylight saving time (Europe/Kyiv moves 03:00 → 04:00 on the last Sunday of
March and 04:00 → 03:00 on the last Sunday of October):
- a time the clocks skip (03:30 on the spring day) fires as if the clock had not jumped, i.e.
  at 04:30 local: the same instant Python's `fold=0` gives, one run that day, never zero;
- a time that happens twice (03:30 on the autumn day) fires at its first occurrence only:
  the next run is always searched strictly after the previous one, and the second 03:30 lies
  on the same calendar date, which is already used.
A monthly rule on a day the month doesn't have (the 31st in April) fires on the month's last
day, so "monthly on the 31st" means "on the last day" and never skips a month.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.formats import time_format
from django.utils.translation import gettext, gettext_noop, pgettext

from zapys.core.stored_text import StoredText


class Frequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def _weekday_name(weekday: int) -> str:
    # "on <weekday>": Ukrainian needs the accusative ("у середу"), hence the context.
    names = (
        pgettext("on weekday", "Monday"),
        pgettext("on weekday", "Tuesday"),
        pgettext("on weekday", "Wednesday"),
        pgettext("on weekday", "Thursday"),
        pgettext("on weekday", "Friday"),
        pgettext("on weekday", "Saturday"),
        pgettext("on weekday", "Sunday"),
    )
    return names[weekday]


@dataclass(frozen=True)
class Recurrence:
    """One calendar rule. Refuses to exist in a shape that never fires or is ambiguous."""

    frequency: Frequency
    at: time
    #: 0 = Monday … 6 = Sunday; weekly rules only.
    weekday: int | None = None
    #: 1 … 31; monthly rules only (clamped to the month's last day).
    day_of_month: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "frequency", Frequency(self.frequency))
        if self.at.tzinfo is not None:
            raise ValueError("A calendar rule's time is a wall-clock time, without a zone.")
        weekly = self.frequency is Frequency.WEEKLY
        monthly = self.frequency is Frequency.MONTHLY
        if weekly != (self.weekday is not None):
            raise ValueError("A weekday is required for a weekly rule and only for it.")
        if monthly != (self.day_of_month is not None):
            raise ValueError("A day of the month is required for a monthly rule and only for it.")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError("The weekday is 0 (Monday) … 6 (Sunday).")
        if self.day_of_month is not None and not 1 <= self.day_of_month <= 31:
            raise ValueError("The day of the month is 1 … 31.")

    def dates_from(self, start: date) -> Iterator[date]:
        """The calendar dates the rule fires on, from `start` on, in order."""
        if self.frequency is Frequency.DAILY:
            day = start
            while True:
                yield day
                day += timedelta(days=1)
        elif self.frequency is Frequency.WEEKLY:
            assert self.weekday is not None
            day = start + timedelta(days=(self.weekday - start.weekday()) % 7)
            while True:
                yield day
                day += timedelta(days=7)
        else:
            assert self.day_of_month is not None
            year, month = start.year, start.month
            while True:
                last = calendar.monthrange(year, month)[1]
                day = date(year, month, min(self.day_of_month, last))
                if day >= start:
                    yield day
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def describe(self) -> str:
        """The rule in the administrator's words: "Every Monday at 10:00"."""
        at = time_format(self.at, "H:i")
        if self.frequency is Frequency.DAILY:
            return gettext("Daily at %(time)s") % {"time": at}
        if self.frequency is Frequency.WEEKLY:
            assert self.weekday is not None
            return gettext("Weekly on %(weekday)s at %(time)s") % {
                "weekday": _weekday_name(self.weekday),
                "time": at,
            }
        return gettext("Monthly on day %(day)s at %(time)s") % {
            "day": self.day_of_month,
            "time": at,
        }

    def stored_text(self) -> StoredText:
        """`describe()` kept for later readers (the audit log), each in their own language."""
        at = time_format(self.at, "H:i")
        if self.frequency is Frequency.DAILY:
            return StoredText(gettext_noop("Daily at %(time)s"), time=at)
        if self.frequency is Frequency.WEEKLY:
            assert self.weekday is not None
            return StoredText(_WEEKLY[self.weekday], time=at)
        assert self.day_of_month is not None
        return StoredText(
            gettext_noop("Monthly on day %(day)s at %(time)s"), day=self.day_of_month, time=at
        )


#: A weekly rule as stored text: one msgid per weekday (a stored text has no context for
#: the weekday's "on <weekday>" form), reading as `describe()` does.
_WEEKLY = (
    gettext_noop("Weekly on Monday at %(time)s"),
    gettext_noop("Weekly on Tuesday at %(time)s"),
    gettext_noop("Weekly on Wednesday at %(time)s"),
    gettext_noop("Weekly on Thursday at %(time)s"),
    gettext_noop("Weekly on Friday at %(time)s"),
    gettext_noop("Weekly on Saturday at %(time)s"),
    gettext_noop("Weekly on Sunday at %(time)s"),
)


def wall_clock_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) a wall clock in `tz` shows `at` on `day`; see the module doc for
    the skipped and repeated hours."""
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def next_run(rule: Recurrence, *, after: datetime, tz: ZoneInfo) -> datetime:
    """The first instant strictly after `after` (aware) at which the rule fires, in UTC."""
    if after.tzinfo is None:
        raise ValueError("`after` must be an aware datetime.")
    # Start a day early: `after`'s local date may be ahead of a run that is still due today
    # in another offset, and a run on the previous date is simply skipped by the comparison.
    start = after.astimezone(tz).date() - timedelta(days=1)
    for day in rule.dates_from(start):
        instant = wall_clock_instant(day, rule.at, tz)
        if instant > after:
            return instant
    raise AssertionError("unreachable: every rule fires again")  # pragma: no cover
