"""core.boundedjson: size and nesting refused before `json` recurses."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zapys.core import boundedjson
from zapys.core.boundedjson import JSONLimitError, nesting_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[[{{{{"}', 1),  # brackets in strings do not nest
        (r'{"a": "\"[[[", "b": [[]]}', 3),  # an escaped quote does not end the string
        (r'["\\", [[]]]', 3),  # an escaped backslash does
        ("[[[", 3),  # unclosed openers count: json recurses into them before failing
        ("]][[", 0),  # json stops at a stray closer and never reaches what follows
    ],
)
def test_nesting_depth(text, depth):
    assert nesting_depth(text) == depth
    assert nesting_depth(text.encode()) == depth


def test_limit_is_inclusive():
    at_limit = "[" * 32 + "]" * 32
    assert boundedjson.loads(at_limit) == json.loads(at_limit)
    with pytest.raises(JSONLimitError, match="nested deeper than 32"):
        boundedjson.loads("[" + at_limit + "]")


def test_deep_text_is_refused_where_json_would_recurse():
    deep = "[" * 5000 + "]" * 5000
    with pytest.raises(RecursionError):
        json.loads(deep)
    with pytest.raises(JSONLimitError):
        boundedjson.loads(deep)
    with pytest.raises(JSONLimitError):
        boundedjson.loads(deep.encode())


def test_wide_but_shallow_text_is_accepted():
    """Many brackets side by side are not depth (the fast path counts only openers)."""
    wide = json.dumps([[i] for i in range(10_000)])
    assert boundedjson.loads(wide) == json.loads(wide)


def test_size_is_checked_first():
    with pytest.raises(JSONLimitError, match="longer than 10"):
        boundedjson.loads('"' + "x" * 10 + '"', max_bytes=10)
    assert boundedjson.loads('"xxxxxxxx"', max_bytes=10) == "xxxxxxxx"


def test_is_a_value_error_and_passes_json_options():

    assert issubclass(JSONLimitError, ValueError)
    assert boundedjson.loads('{"a": 1.10}', parse_float=Decimal) == {"a": Decimal("1.10")}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@given(json_values)
def test_depth_matches_the_parsed_structure(value):
    """Any JSON text (strings with quotes, backslashes and brackets included) measures
    exactly as deep as the structure it encodes."""
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        assert nesting_depth(text) == _depth(value)
