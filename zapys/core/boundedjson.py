"""JSON from strangers, parsed within bounds.

Python's `json` recurses once per nesting level, so about a thousand `[` (a 1 KB body)
raise RecursionError — a 500 before anything else was checked, from anyone who can
reach the URL. Every parser of JSON that arrives unauthenticated (provider callbacks,
the sandbox's checkout and API) goes through `loads()` here, which refuses a text that
is longer than `max_bytes` or nested deeper than `max_depth` before `json` sees it.

The check is O(n) in C (`bytes.count`, one regex, `translate`, `accumulate` over an
`array`); the usual message, with fewer brackets than the depth limit, costs two
`count`s. No Django here: the providers' protocol layer uses it too.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate
from typing import Any

#: Provider messages are flat objects with the odd list (depth 2-3); 32 leaves room.
DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_BYTES = 1024 * 1024

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# Openers become +1 and closers -1 as signed bytes, so the running sum is the depth.
_TO_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class JSONLimitError(ValueError):
    """The text is too long or too deeply nested to be parsed safely.

    A ValueError, like `json`'s own decode errors, so a caller's `except ValueError`
    treats it as what it is: input that is not acceptable JSON."""


def nesting_depth(text: bytes | str) -> int:
    """How deep arrays and objects nest, brackets inside string literals not counted:
    the highest running count of openers minus closers, which bounds how deep `json`
    recurses (it reads left to right and stops at the first stray closer).

    An unterminated string's brackets are counted: that over-estimates the depth of
    text that is not JSON anyway, never under-estimates it for text that is.
    """
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    steps = _STRING.sub(b"", raw).translate(_TO_STEPS, _NOT_BRACKETS)
    if not steps:
        return 0
    return max(0, max(accumulate(array("b", steps))))


def check(
    text: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH, max_bytes: int = DEFAULT_MAX_BYTES
) -> None:
    """Raise JSONLimitError unless `text` is within both bounds. `max_bytes` counts
    characters for a str (a str is at most 4 bytes per character in UTF-8; the callers
    bound their bodies in bytes before decoding)."""
    if len(text) > max_bytes:
        raise JSONLimitError(f"JSON text longer than {max_bytes} bytes")
    if isinstance(text, str):
        openers = text.count("[") + text.count("{")
    else:
        openers = text.count(b"[") + text.count(b"{")
    if openers <= max_depth:
        return  # cannot nest deeper than it has brackets: the common case, two counts
    if nesting_depth(text) > max_depth:
        raise JSONLimitError(f"JSON nested deeper than {max_depth} levels")


def loads(
    text: bytes | str,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_bytes: int = DEFAULT_MAX_BYTES,
    **kwargs: Any,
) -> Any:
    """`json.loads` after `check`; `kwargs` go to `json.loads` (`parse_float`, ...)."""
    check(text, max_depth=max_depth, max_bytes=max_bytes)
    return json.loads(text, **kwargs)
