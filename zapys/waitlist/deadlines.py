"""An offer's deadline in words: "today by 19:41", "tomorrow by 00:05", "by 5 December, 19:41".

A time alone ("pay by 19:41") is read as today's; an offer made late in the evening runs
past midnight, and one left open while the sweep was down has a deadline days old, so the
date is said whenever the deadline is not today. The words follow a verb ("pay …",
"confirm …") in both languages: «оплатити сьогодні до 19:41», «до 5 грудня, 19:41».
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.dates import date_inline


def deadline_words(deadline: datetime, now: datetime | None = None) -> str:
    """`deadline` (aware) in the current time zone (the organization's on its pages), in
    the active language, relative to the day of `now` (default: the real now)."""
    local = timezone.localtime(deadline)
    today = timezone.localtime(now or timezone.now()).date()
    days = (local.date() - today).days
    time = date_inline(local, "H:i")
    if days == 0:
        return _("today by %(time)s") % {"time": time}
    if days == 1:
        return _("tomorrow by %(time)s") % {"time": time}
    if local.year == today.year:
        return _("by %(date)s") % {"date": date_inline(local, "j E, H:i")}
    return _("by %(date)s") % {"date": date_inline(local, "j E Y, H:i")}
