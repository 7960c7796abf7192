"""Text that people type, cleaned once at the edge.

Control characters have no meaning in a name, a note or a tag, and they break things far from
where they were typed: a NUL is refused by PostgreSQL (a 500 on save or on a search), and a
vertical tab or an escape character makes openpyxl refuse the whole workbook, so one client
booked online with such a name broke every XLSX export of the organization. Anything a person
can type, an anonymous client included, goes through these functions before it is stored or
used in a query.
"""

from __future__ import annotations

import re

#: C0 controls except tab, line feed and carriage return; DEL; C1 controls; and the two
#: non-characters XML 1.0 forbids. These are exactly what XLSX (XML) cannot hold, plus NUL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: Line breaks and tabs: allowed in multi-line text (notes, comments), not in one-line fields.
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def strip_control(text: str) -> str:
    """Multi-line text (notes, comments): control characters removed, line breaks kept."""
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """One-line text (names, tags, titles, search terms): control characters removed, tabs and
    line breaks become one space, and the ends trimmed."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", text)).strip()


def has_control(text: str) -> bool:
    """True when the text holds a character `strip_control` would remove."""
    return _CONTROL.search(text) is not None
