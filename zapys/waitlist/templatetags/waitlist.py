"""{% load waitlist %}{{ offer.expires_at|deadline_words }}: see waitlist/deadlines.py."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.html import format_html

from zapys.waitlist.deadlines import deadline_words as _deadline_words

register = template.Library()


@register.filter
def deadline_words(value: datetime | None, keep: str = "") -> str:
    """An offer's deadline after a verb: "today by 19:41", "by 5 December, 19:41".
    `|deadline_words:"whole"` keeps it on one line inside a sentence: on a phone the time
    was left alone on the last line («…підтвердите сьогодні до / 21:32.»)."""
    if value is None:
        return ""
    words = _deadline_words(value)
    if keep == "whole":
        return format_html('<span class="text-nowrap">{}</span>', words)
    return words
