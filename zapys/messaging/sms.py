"""SMS length arithmetic: how many billed parts a text becomes.

Gateways bill per part, and the encoding decides the size of a part: a text made
only of GSM 03.38 characters (3GPP TS 23.038 default alphabet) goes as 7-bit
septets, 160 per single SMS and 153 per part of a concatenated one (the UDH takes
the rest); any other character (every Cyrillic letter) switches the whole text to
UCS-2, 70 / 67 UTF-16 code units. So one "ї" in a Latin text more than halves the
room — the editor shows this before a broadcast is priced.

Details that change the count:
- Extension-table characters (`^ { } \\ [ ~ ] | €` and form feed) cost two septets
  (escape + code).
- Characters outside the Basic Multilingual Plane (emoji) are two UTF-16 units.
- Phones never split an escape pair or a surrogate pair across parts, so parts are
  packed greedily rather than by dividing the length.
- An empty text is 0 parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

#: The default alphabet in code order 0x00–0x7F, without 0x1B (the escape to the
#: extension table). 0x09 is "Ç" as in the standard's table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The default extension table: each is sent as ESC + code, i.e. two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_LIMITS: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SmsInfo:
    """`length` is in septets for GSM-7 and in UTF-16 code units for UCS-2.

    `per_part` is the capacity of each part at this size: 160/70 for a single SMS,
    153/67 once the text is split.
    """

    encoding: Encoding
    length: int
    parts: int
    per_part: int


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def sms_parts(text: str) -> SmsInfo:
    """Encoding, length and part count of `text` as a phone or gateway would send it."""
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    units = _units(text, encoding)
    length = sum(units)
    single, multi = _LIMITS[encoding]
    if length <= single:
        return SmsInfo(encoding, length, 1 if length else 0, single)
    return SmsInfo(encoding, length, _pack(units, multi), multi)


def _units(text: str, encoding: Encoding) -> list[int]:
    """Size of each character in the encoding's units."""
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _pack(units: list[int], capacity: int) -> int:
    """Number of parts when characters are packed greedily without splitting one."""
    parts, used = 1, 0
    for size in units:
        if used + size > capacity:
            parts, used = parts + 1, 0
        used += size
    return parts
