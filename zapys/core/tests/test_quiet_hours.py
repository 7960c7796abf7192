"""Quiet hours (`core.dates.quiet_until`): when the night an organization keeps free of
messages ends — the visit reminders and the waiting list's offers both ask it."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from zapys.core.dates import quiet_until

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ((2026, 12, 4, 23, 30), (2026, 12, 5, 8, 0)),  # late evening: the next morning
        ((2026, 12, 5, 2, 10), (2026, 12, 5, 8, 0)),  # after midnight: this morning
        ((2026, 12, 5, 21, 0), (2026, 12, 6, 8, 0)),  # the first quiet minute
        ((2026, 12, 5, 8, 0), None),  # the morning has come
        ((2026, 12, 5, 13, 0), None),
        ((2026, 12, 5, 20, 59), None),
    ],
)
def test_quiet_until_wraps_past_midnight(local, until):
    moment = datetime(*local, tzinfo=KYIV)
    expected = datetime(*until, tzinfo=KYIV) if until else None
    assert quiet_until(moment, KYIV, time(21), time(8)) == expected


def test_quiet_hours_within_one_day_and_none():
    moment = datetime(2026, 12, 5, 14, 30, tzinfo=KYIV)
    assert quiet_until(moment, KYIV, time(14), time(15)) == datetime(
        2026, 12, 5, 15, 0, tzinfo=KYIV
    )
    assert quiet_until(moment, KYIV, time(15), time(16)) is None
    assert quiet_until(moment, KYIV, time(0), time(0)) is None  # no quiet hours
