"""What every report page shares: the period it covers (with the one before it, for the
comparison) and bars by day that a person reads at a glance.

Pages of any app use it (the reports app's own and those of purpose apps declared through
`core.reports_registry`), so it lives here, below them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zapys.core.forms import StyledForm
from zapys.core.money import share_percent

#: The longest period a report shows by day (a year and a day: a leap year fits).
MAX_DAYS = 367

PRESETS = (
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("last_7", _("Last 7 days")),
    ("last_30", _("Last 30 days")),
    ("today", _("Today")),
    ("custom", _("Chosen dates")),
)


@dataclass(frozen=True)
class Period:
    """Days `start`..`end`, both included, in the organization's time zone."""

    start: date
    end: date
    preset: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[from, to) as aware datetimes of the current (the organization's) time zone."""
        zone = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(self.start, time.min), zone)
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), zone)
        return start, end

    def previous(self) -> Period:
        """The period to compare with: the previous month for a whole month (also when this
        month is not over yet: its first days against the same days of the last one), else
        as many days just before."""
        if self.start.day == 1 and self.preset in ("this_month", "last_month"):
            last_start = (self.start - timedelta(days=1)).replace(day=1)
            month_end = self.start - timedelta(days=1)
            end = min(month_end, last_start + timedelta(days=self.days - 1))
            if self.preset == "last_month":
                end = month_end
            return Period(last_start, end)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def each_day(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


def period_of(preset: str, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return Period(end.replace(day=1), end, preset)
    if preset == "last_7":
        return Period(today - timedelta(days=6), today, preset)
    if preset == "last_30":
        return Period(today - timedelta(days=29), today, preset)
    if preset == "today":
        return Period(today, today, preset)
    return Period(today.replace(day=1), today, "this_month")


class PeriodForm(StyledForm):
    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    # A date input takes ISO dates only, whatever the page's language.
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date"}))  # fmt: skip
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date"}))  # fmt: skip

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if data.get("period") == "custom" or ((start or end) and not data.get("period")):
            if not start:
                self.add_error("date_from", _("Choose the first day."))
            if not end:
                self.add_error("date_to", _("Choose the last day."))
            if start and end and end < start:
                self.add_error("date_to", _("The last day is before the first."))
            elif start and end and (end - start).days + 1 > MAX_DAYS:
                self.add_error("date_to", _("A report covers at most a year."))
        return data

    def chosen_period(self, default: str = "this_month") -> Period:
        """The chosen period; the default one while the form is unbound or invalid (the page
        shows the errors next to the fields and the default period's numbers)."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            preset = data.get("period") or ("custom" if data.get("date_from") else default)
            if preset == "custom":
                return Period(data["date_from"], data["date_to"], "custom")
            return period_of(preset)
        return period_of(default)


def period_form(
    params: Any, default: str = "this_month", form_class: type[PeriodForm] = PeriodForm
) -> tuple[PeriodForm, Period]:
    """The page's filter form (bound when the query names any of its fields) and the period
    it chose; an unbound form shows the default period's dates."""
    bound = any(params.get(name) for name in form_class.base_fields)
    form = form_class(params if bound else None)
    period = form.chosen_period(default)
    if not bound:
        form = form_class(
            initial={"period": period.preset, "date_from": period.start, "date_to": period.end}
        )
    return form, period


@dataclass(frozen=True)
class Bar:
    day: date
    value: int
    percent: int  # of the tallest bar, for the CSS height


def bars(period: Period, values: dict[date, int]) -> list[Bar]:
    """One bar per day of the period (days without a value are 0, shown as a gap)."""
    peak = max(values.values(), default=0) or 1
    return [
        Bar(day, values.get(day, 0), round(100 * values.get(day, 0) / peak))
        for day in period.each_day()
    ]


def change_percent(now: int, before: int) -> int | None:
    """How much `now` differs from `before`, in whole percent (None when before was 0)."""
    if not before:
        return None
    return share_percent(now - before, before)


def sum_by(rows: Iterable[dict], key: str, value: str) -> dict:
    out: dict = {}
    for row in rows:
        out[row[key]] = out.get(row[key], 0) + (row[value] or 0)
    return out
