"""How long something takes, in words: «2 год», «1 год 30 хв», «45 хв» ("2 h", "1 h 30 min",
"45 min").

A service of 120 minutes read «120 хв» on the catalogue and the booking page; people count
long visits in hours. Pure text (no models), so every app may use it: the catalogue, the
public booking page (`{% load zapys_durations %}{{ service.duration_minutes|duration }}`) and
the reports' time to pay. Ukrainian abbreviations do not change with the number («1 год»,
«5 год»), so one text per shape is enough, no plural forms.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def duration_words(minutes: int | None) -> str:
    """Whole minutes as hours and minutes: 120 → "2 h", 90 → "1 h 30 min", 45 → "45 min".
    Hours are not folded into days (a 24-hour service is "24 h"); nothing or a negative
    number is "—", never "0 min" that reads as if something took no time."""
    if minutes is None or minutes < 0:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
