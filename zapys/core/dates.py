"""Dates inside a line of text.

Django's Ukrainian names are capitalised ("Четвер", "Гру"), right at the start of a line
("Четвер, 3 грудня" as a heading) and wrong inside one: Ukrainian writes weekday and month
names in lowercase there ("Йога · четвер, 3 грудня, 09:00"; "3 гру" under a bar). English
keeps its capitals ("Thursday", "3 Dec"). A date at the start of a line uses Django's `date`
filter as it is; a date after other words uses `date_inline`.
"""

from __future__ import annotations

from datetime import date

from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language

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
