"""Durations in words (core/durations.py): «2 год», «1 год 30 хв», «45 хв»."""

import pytest
from django.template import Context, Template
from django.utils import translation

from zapys.core.durations import duration_words


@pytest.mark.parametrize(
    ("minutes", "english", "ukrainian"),
    [
        (45, "45 min", "45 хв"),
        (60, "1 h", "1 год"),
        (90, "1 h 30 min", "1 год 30 хв"),
        (120, "2 h", "2 год"),
        (125, "2 h 5 min", "2 год 5 хв"),
        (24 * 60, "24 h", "24 год"),
        (1, "1 min", "1 хв"),
    ],
)
def test_minutes_read_as_hours_and_minutes(minutes, english, ukrainian):
    with translation.override("en"):
        assert duration_words(minutes) == english
    with translation.override("uk"):
        assert duration_words(minutes) == ukrainian


def test_nothing_is_a_dash_not_zero_minutes():
    assert duration_words(None) == "—"
    assert duration_words(-5) == "—"


def test_the_template_filter():
    template = Template(
        "{% load zapys_durations %}{{ a|duration }}|{{ b|duration }}|{{ c|duration }}"
    )
    with translation.override("uk"):
        assert template.render(Context({"a": 120, "b": "90", "c": None})) == "2 год|1 год 30 хв|—"
