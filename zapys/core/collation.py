"""Names sorted the Ukrainian way, in Python (lists built in memory: choices, labels).

Code-point order puts Є, І, Ї and Ґ after Я (they live outside the basic Cyrillic block), so
"Їжак" sorted after "Яблуко" and "Ґанок" after everything. The key maps each letter to its
place in the Ukrainian alphabet, then Latin, then anything else by code point; case is
ignored first and decides only between otherwise equal names. Database-side ordering of
large lists uses the database collation instead: a name column declared with
`db_collation=UKRAINIAN` sorts the Ukrainian way in the database, so `order_by("name")`
and the index on it need nothing more. On PostgreSQL "zapys_uk" is an ICU collation for
Ukrainian, created by clients' migration 0007 (`POSTGRESQL_CREATE`); SQLite gets a
collation of the same name from `register_sqlite_collation`, connected to every new
connection in `CoreConfig.ready` (the same name on both: SQLite's DDL does not quote it).
"""

from __future__ import annotations

import functools
from typing import Any

UKRAINIAN = "zapys_uk"
POSTGRESQL_CREATE = f"CREATE COLLATION IF NOT EXISTS {UKRAINIAN} (provider = icu, locale = 'uk-UA')"

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


@functools.lru_cache(maxsize=4096)
def _cached_key(text: str) -> tuple[tuple[int, ...], str]:
    return ukrainian_sort_key(text)


def _sqlite_compare(left: str, right: str) -> int:
    a, b = _cached_key(left), _cached_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: the Ukrainian collation on a new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(UKRAINIAN, _sqlite_compare)
