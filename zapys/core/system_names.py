"""Names of rows the system seeds in every organization, shown in the page's language.

Visit statuses, finance categories, payment types and cancellation-policy presets are rows
the organization owns and may rename, created with a name in the organization's language
("Записано", "Передоплати", "Готівка"). Stored text is data, and data is shown as typed —
but a name nobody typed is not data: an English page showed "Записано" for "Booked".

So each such row keeps its system `code` and the msgid it was named from (the registry is
the seeding code itself: `schedule.services.statuses`, `ledger.hooks`, ...), and its
`display_name` asks `shown_name`: a stored name that is the default in *any* language of
the site is shown as the default in the active language; a renamed row is shown as the
organization wrote it. No migration, no query: rows seeded before this rule are recognised
by their text, and a rename is simply a name that is no longer one of the defaults.

When a default's wording changes (the gender-neutral "Записано" for "Записаний"), rows
stored with the old wording are still unrenamed defaults: the seeding code passes the old
spellings as `also`, so they keep following the page's language.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.utils import translation


def msgid_of(text: Any) -> str:
    """The English msgid of a msgid or a lazy translation (the site's catalogues are
    Ukrainian only: with no language active gettext returns the msgid)."""
    with translation.override(None):
        return str(text)


@functools.cache
def _defaults(msgid: str, also: tuple[str, ...]) -> frozenset[str]:
    """Every way the default may have been stored: its text in each language of the site,
    plus older stored spellings the seeding code used (`also`)."""
    names = {msgid, *also}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names.add(translation.gettext(msgid))
    return frozenset(name.casefold() for name in names)


def is_default_name(stored: str, default: Any, also: tuple[str, ...] = ()) -> bool:
    if default is None or default == "":
        return False
    return stored.strip().casefold() in _defaults(msgid_of(default), also)


def shown_name(stored: str, default: Any, also: tuple[str, ...] = ()) -> str:
    """`default` in the active language when `stored` is that default as seeded in any of
    the site's languages (an unrenamed row); otherwise `stored`, as the organization wrote it.
    `default` is a msgid or a lazy translation; None means the row has no system name."""
    if is_default_name(stored, default, also):
        return translation.gettext(msgid_of(default))
    return stored
