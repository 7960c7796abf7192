"""Dates inside a line of text.

Django's Ukrainian names are capitalised ("Четвер", "Гру"), right at the start of a line
("Четвер, 3 грудня" as a heading) and wrong inside one: Ukrainian writes weekday and month
names in lowercase there ("Йога · четвер, 3 грудня, 09:00"; "3 гру" under a bar). English
keeps its capitals ("Thursday", "3 Dec"). A date at the start of a line uses Django's `date`
filter as it is; a date after other words uses `date_inline`.

A day or a moment told to a person ("7 грудня о 15:00", "7 December at 15:00"; the year only
when it is not this one): `day_in_words` / `moment_in_words` — messages' placeholders and
stored texts (`core.stored_text.Moment`) both say it with these. A moment of today or
tomorrow shown on a page: `moment_relative` ("завтра о 08:00").

Quiet hours (nothing sent to a client at night): `quiet_until` — the visit reminders and the
waiting list's offers keep the same rule, each with its organization's own hours.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from django.template.defaultfilters import date as date_filter
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext

#: Languages that write weekday and month names in lowercase inside a sentence.
LOWERCASE_NAMES = ("uk",)


def date_inline(value: date | None, format_string: str) -> str:
    """`value` in `format_string` (Django's date format letters; an aware datetime is shown in
    the current time zone, as the `date` filter does) for the middle of a line."""
    text = date_filter(value, format_string)
    if (get_language() or "uk")[:2] in LOWERCASE_NAMES:
        # A date format's output has no proper nouns: only names of days and months
        # (and "р."), all lowercase in running Ukrainian text.
        return text.lower()
    return text


def day_in_words(day: date, *, today: date | None = None) -> str:
    """The day in words in the active language: "5 грудня" / "5 December" ("5 грудня 2027"
    in another year)."""
    today = today or timezone.localdate()
    # "E": the month as a date says it (Ukrainian genitive "грудня", English "December").
    return formats.date_format(day, "j E" if day.year == today.year else "j E Y")


def moment_relative(moment: datetime, *, today: date | None = None) -> str:
    """A moment near enough to say by its day: "сьогодні о 08:00" / "today at 08:00",
    "завтра о 08:00" / "tomorrow at 08:00"; any other day as `moment_in_words` says it
    (`moment` as given: localise it to the organization's zone first). A time alone read
    as today's when it was tomorrow's."""
    today = today or timezone.localdate()
    time = moment.strftime("%H:%M")
    days = (moment.date() - today).days
    if days == 0:
        return gettext("today at %(time)s") % {"time": time}
    if days == 1:
        return gettext("tomorrow at %(time)s") % {"time": time}
    return moment_in_words(moment, today=today)


def moment_in_words(moment: datetime, *, today: date | None = None) -> str:
    """The day in words and the time: "5 грудня о 14:30" / "5 December at 14:30" (`moment`
    as given: localise it to the organization's zone first)."""
    return gettext("%(day)s at %(time)s") % {
        "day": day_in_words(moment.date(), today=today),
        "time": moment.strftime("%H:%M"),
    }


def quiet_until(moment: datetime, tz: tzinfo, quiet_from: time, quiet_to: time) -> datetime | None:
    """When the quiet hours `moment` falls in end (the organization's wall clock, `tz`), or
    None outside them. From 21:00 to 08:00 wraps past midnight; the same time twice is none
    (messages at any hour)."""
    if quiet_from == quiet_to:
        return None
    local = moment.astimezone(tz)
    clock = local.time()
    if quiet_from < quiet_to:
        inside = quiet_from <= clock < quiet_to
    else:
        inside = clock >= quiet_from or clock < quiet_to
    if not inside:
        return None
    day = local.date() if clock < quiet_to else local.date() + timedelta(days=1)
    return datetime.combine(day, quiet_to, tzinfo=tz)
