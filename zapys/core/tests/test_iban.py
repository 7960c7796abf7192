"""IBANs in groups of four on pages, compact in the record (core/iban.py)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from zapys.core.iban import iban_compact, iban_grouped


@pytest.mark.parametrize(
    ("typed", "compact", "grouped"),
    [
        (
            "UA213223130000026007233566001",
            "UA213223130000026007233566001",
            "UA21 3223 1300 0002 6007 2335 6600 1",
        ),
        (
            " ua21 3223 1300 0002 6007 2335 6600 1 ",
            "UA213223130000026007233566001",
            "UA21 3223 1300 0002 6007 2335 6600 1",
        ),
        ("UA21\u00a03223\t1300", "UA2132231300", "UA21 3223 1300"),  # a bank site's spaces
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_an_iban_is_kept_compact_and_shown_in_fours(typed, compact, grouped):
    assert iban_compact(typed) == compact
    assert iban_grouped(typed) == grouped


def test_the_template_filter_groups_it():
    rendered = Template("{% load zapys_numbers %}{{ value|iban }}").render(
        Context({"value": "UA213223130000026007233566001"})
    )
    assert rendered == "UA21 3223 1300 0002 6007 2335 6600 1"
