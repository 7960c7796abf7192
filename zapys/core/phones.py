"""Phone numbers: what people type ("067 123 45 67", "+38 (067) ...") → E.164, and E.164 →
what screens show ("+380 67 123 45 67"). In core since the organization's own phone (accounts,
below clients) is typed and shown as a client's is; `clients.phones` re-exports them."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _

from zapys.core.exceptions import DomainError

DEFAULT_REGION = "UA"


def normalize_phone(text: str, *, region: str = DEFAULT_REGION, field: str = "phone") -> str:
    """E.164 for a valid number, "" for a blank one; DomainError naming `field` otherwise."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(_("Enter a valid phone number, e.g. +380 67 123 45 67."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+380671234567 → "+380 67 123 45 67" for screens: the international format, with a
    Ukrainian number's last four digits in pairs, as Ukrainians write them (phonenumbers
    writes "123 4567"). What does not parse is shown as stored; `tel:` links keep E.164."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    head, _space, last = shown.rpartition(" ")
    if number.country_code == 380 and head.count(" ") >= 2 and len(last) == 4 and last.isdigit():
        return f"{head} {last[:2]} {last[2:]}"
    return shown
