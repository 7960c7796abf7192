"""The audit log names a day off or changed hours in words (fifth tour): «Вихідний 14 грудня
2026 · Коваль Ірина», not "3 2026-12-14 day_off" (the specialist's id, an ISO date, the
kind's key)."""

from __future__ import annotations

from datetime import date, time

from django.utils import translation

from zapys.accounts.models import User
from zapys.schedule.models import HoursException


def _named(exception: HoursException, language: str) -> str:
    with translation.override(language):
        return str(exception)


def test_a_day_off_and_extra_hours_read_in_each_language():
    staff = User(first_name="Ірина", last_name="Коваль")
    day_off = HoursException(staff=staff, date=date(2026, 12, 14), kind="day_off")
    assert _named(day_off, "uk") == f"Вихідний 14 грудня 2026 · {staff}"
    assert _named(day_off, "en") == f"Day off 14 December 2026 · {staff}"
    extra = HoursException(
        staff=staff, date=date(2026, 12, 15), kind="extra", start=time(10), end=time(14)
    )
    assert _named(extra, "uk") == f"Додаткові години 15 грудня 2026, 10:00–14:00 · {staff}"
    assert _named(extra, "en") == f"Extra hours 15 December 2026, 10:00–14:00 · {staff}"
    for text in (_named(day_off, "uk"), _named(extra, "en")):
        assert "day_off" not in text and "extra" not in text and "2026-12" not in text
