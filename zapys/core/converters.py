"""URL converters.

`<id:...>` is a database id: 1 to 18 digits, so it always fits a bigint. Django's `<int:...>`
takes any number of digits, and a 20-digit id in a staff page's address reached the database
as an out-of-range integer: a 500 instead of the 404 every other unknown id gets.
"""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)
