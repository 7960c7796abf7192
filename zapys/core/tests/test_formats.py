"""Dates read the same in both languages: d.m.Y and 24-hour time."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, translation


def test_english_uses_day_month_year_and_24_hours():
    moment = datetime(2026, 11, 30, 22, 21)
    for language in ("en", "uk"):
        with translation.override(language):
            assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "30.11.2026 22:21"
