"""Keeping a GSM-7 SMS GSM-7: the unsubscribe line in Latin letters when the body is Latin.

One Cyrillic letter makes the whole SMS UCS-2 (70 characters a part instead of 160,
`messaging.sms`), so a Latin (or transliterated) broadcast with "Відписатися: …" appended
would cost two to three times as much. Such a body gets the same line transliterated by
the Ukrainian national system (Cabinet of Ministers resolution No. 55, 2010): "Vidpysatysia:
…". A body that is UCS-2 anyway keeps the line in the organization's language.
"""

from __future__ import annotations

from zapys.messaging.sms import is_gsm7

#: Letter by letter; "є ї й ю я" at the start of a word are "Ye Yi Y Yu Ya" (the table's
#: own rule), elsewhere "ie i i iu ia". "ь" and the apostrophe are dropped.
_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def transliterate(text: str) -> str:
    """Ukrainian Cyrillic in Latin letters; anything else as it is."""
    out: list[str] = []
    for index, ch in enumerate(text):
        lower = ch.lower()
        at_start = index == 0 or not text[index - 1].isalpha()
        latin = (_INITIAL.get(lower) if at_start else None) or _LETTERS.get(lower)
        if lower == "г" and index and text[index - 1].lower() == "з":
            latin = "gh"  # "зг" is "zgh", not "zh" (Згорани → Zghorany)
        if latin is None:
            out.append(ch)
        elif ch.isupper():
            out.append(latin[:1].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


def sms_footer(body: str, footer: str) -> str:
    """The unsubscribe line as it will be appended to `body` in an SMS: transliterated when
    the body is GSM-7 and the line is not (so the message stays GSM-7)."""
    if is_gsm7(body) and not is_gsm7(footer):
        latin = transliterate(footer)
        if is_gsm7(latin):
            return latin
    return footer
