"""Names sorted the Ukrainian way, in Python (lists built in memory: choices, labels).

Code-point order puts Є, І, Ї and Ґ after Я (they live outside the basic Cyrillic block), so
"Їжак" sorted after "Яблуко" and "Ґанок" after everything. The key maps each letter to its
place in the Ukrainian alphabet, then Latin, then anything else by code point; case is
ignored first and decides only between otherwise equal names. Database-side ordering of
large lists uses the database collation instead (see docs/architecture.md).
"""

from __future__ import annotations

UKRAINIAN_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_RANK = {letter: index for index, letter in enumerate(UKRAINIAN_ALPHABET)}
# The apostrophe in "п'ять" and soft letters from Russian names sort as the nearest
# Ukrainian ones do in dictionaries: the apostrophe is ignored, ё as е, ъ/ы/э after я.
_IGNORED = {"'", "’", "ʼ"}
_EXTRA = {
    "ё": _RANK["е"],
    "ъ": len(UKRAINIAN_ALPHABET),
    "ы": len(UKRAINIAN_ALPHABET) + 1,
    "э": len(UKRAINIAN_ALPHABET) + 2,
}
_LATIN_BASE = 100
_OTHER_BASE = 1000


def _rank(char: str) -> int:
    if char in _RANK:
        return _RANK[char]
    if char in _EXTRA:
        return _EXTRA[char]
    if "a" <= char <= "z":
        return _LATIN_BASE + ord(char) - ord("a")
    if "0" <= char <= "9":
        return -10 + ord(char) - ord("0")
    if char.isspace():
        return -20
    return _OTHER_BASE + ord(char)


def ukrainian_sort_key(text: str) -> tuple[tuple[int, ...], str]:
    """Sort key: `sorted(names, key=ukrainian_sort_key)`."""
    folded = text.casefold()
    return tuple(_rank(c) for c in folded if c not in _IGNORED), text
