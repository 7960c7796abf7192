"""{% load zapys_durations %}{{ service.duration_minutes|duration }}: «1 год 30 хв»
(core/durations.py)."""

from __future__ import annotations

from django import template

from zapys.core.durations import duration_words

register = template.Library()


@register.filter
def duration(minutes: object) -> str:
    """Minutes as words; anything that is not a number of minutes is "—"."""
    try:
        return duration_words(int(minutes))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "—"
