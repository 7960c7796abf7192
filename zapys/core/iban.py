"""An IBAN as people read and type it: in groups of four ("UA21 3223 1300 0002 6007 2335
6600 1"), as banks print it; stored compact ("UA213223130000026007233566001").

Twenty-nine characters in one run cannot be read out over the phone or checked against a
bank's letter. Pages show the grouped form (templates: `{% load zapys_numbers %}
{{ organization.iban|iban }}`); the settings input takes either, with spaces or without, in
any case, and the organization's record keeps it compact (`accounts.services`), so the API
and exports have one spelling.
"""

from __future__ import annotations

#: The longest IBAN (ISO 13616) and the longest typed form: spaces between its groups.
IBAN_MAX_LENGTH = 34
IBAN_TYPED_MAX_LENGTH = IBAN_MAX_LENGTH + IBAN_MAX_LENGTH // 4


def iban_compact(value: object) -> str:
    """ "ua21 3223 1300…" → "UA213223130…": no spaces of any kind, capital letters."""
    return "".join(str(value or "").split()).upper()


def iban_grouped(value: object) -> str:
    """ "UA213223130000026007233566001" → "UA21 3223 1300 0002 6007 2335 6600 1"."""
    compact = iban_compact(value)
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))
