"""{% load zapys_dates %}{{ lesson.starts_at|date_inline:"l, j E Y, H:i" }}: see core/dates.py."""

from __future__ import annotations

from django import template

from zapys.core.dates import date_inline as _date_inline

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date_inline(value, arg: str = "j E") -> str:  # type: ignore[no-untyped-def]
    """A date after other words in a line: weekday and month names lowercase in Ukrainian."""
    if value in (None, ""):
        return ""
    return _date_inline(value, arg)
