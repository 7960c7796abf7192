"""Receipt line names in the cabinet's language.

A receipt line's name is stored text, written in the organization's language when the
money came in ("Поповнення балансу"), and the ledger never rewrites it. A client reading
the cabinet in English should still not see Ukrainian standard words, so a name that was
generated from one of the standard patterns below is shown translated; names the staff
typed (services, memberships, plans, invoice titles) stay as they are — inside a pattern
too: "Передоплата: Манікюр" becomes "Prepayment: Манікюр".

The patterns are the msgids the senders use (checkout, top-ups, prepayments, the waiting
list, invoices, online sales); a pattern not listed here is shown as stored.
"""

from __future__ import annotations

import functools
import re

from django.utils import translation
from django.utils.translation import gettext_noop

#: msgids of generated line names (the same text the senders pass to gettext).
PATTERNS = (
    gettext_noop("Balance top-up"),
    gettext_noop("Prepayment: %(what)s"),
    gettext_noop("Invoice %(number)s: %(what)s"),
    gettext_noop("Payment service commission"),
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@functools.cache
def _matchers(stored_language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each pattern as the stored text would look in `stored_language`, as a regex with
    one group per placeholder, beside its msgid."""
    out = []
    with translation.override(stored_language):
        for msgid in PATTERNS:
            stored = translation.gettext(msgid)
            regex = ""
            position = 0
            for match in _PLACEHOLDER.finditer(stored):
                regex += re.escape(stored[position : match.start()])
                regex += f"(?P<{match.group(1)}>.+?)"
                position = match.end()
            regex += re.escape(stored[position:])
            out.append((re.compile(f"^{regex}$", re.DOTALL), msgid))
    return tuple(out)


def line_name(name: str, *, stored_language: str) -> str:
    """`name` in the active language when it was generated from a known pattern in
    `stored_language`; otherwise `name` unchanged. No query."""
    active = translation.get_language() or stored_language
    if active == stored_language:
        return name
    for matcher, msgid in _matchers(stored_language):
        found = matcher.match(name)
        if found:
            return translation.gettext(msgid) % found.groupdict()
    return name
