"""Calendar rules across month ends and daylight saving time (Europe/Kyiv)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from zapys.core.recurrence import Frequency, Recurrence, next_run

KYIV = ZoneInfo("Europe/Kyiv")


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KYIV)


def runs(rule: Recurrence, start: datetime, count: int, tz: ZoneInfo = KYIV) -> list[datetime]:
    out, after = [], start
    for _ in range(count):
        after = next_run(rule, after=after, tz=tz)
        out.append(after)
    return out


def test_daily_fires_at_the_local_time_on_both_sides_of_the_spring_change():
    # 2027-03-28: clocks go 03:00 → 04:00 (UTC+2 → UTC+3).
    rule = Recurrence(frequency=Frequency.DAILY, at=time(9, 0))
    got = runs(rule, kyiv(2027, 3, 27, 9, 0), 2)
    assert [r.astimezone(KYIV).strftime("%d %H:%M %z") for r in got] == [
        "28 09:00 +0300",
        "29 09:00 +0300",
    ]
    # The same wall time is an hour earlier in UTC after the change.
    assert got[0] == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)


def test_a_skipped_wall_time_fires_once_after_the_jump():
    rule = Recurrence(frequency=Frequency.DAILY, at=time(3, 30))
    got = runs(rule, kyiv(2027, 3, 27, 12, 0), 2)
    # 03:30 does not exist on the 28th: one run at 04:30 local (01:30 UTC), none skipped.
    assert got[0] == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert got[0].astimezone(KYIV).strftime("%H:%M") == "04:30"
    assert got[1].astimezone(KYIV).strftime("%d %H:%M") == "29 03:30"


def test_a_repeated_wall_time_fires_only_at_its_first_occurrence():
    # 2027-10-31: clocks go 04:00 → 03:00, so 03:30 happens twice (+03:00, then +02:00).
    rule = Recurrence(frequency=Frequency.DAILY, at=time(3, 30))
    got = runs(rule, kyiv(2027, 10, 30, 12, 0), 2)
    assert got[0] == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # the first 03:30 (+03:00)
    assert got[1].astimezone(KYIV).strftime("%d %H:%M %z") == "01 03:30 +0200"


def test_weekly_on_monday():
    rule = Recurrence(frequency=Frequency.WEEKLY, at=time(10, 0), weekday=0)
    # Thursday 2026-12-03 → Mondays 7th, 14th; across the new year too.
    got = runs(rule, kyiv(2026, 12, 3, 8, 0), 5)
    assert [r.astimezone(KYIV).strftime("%Y-%m-%d %a %H:%M") for r in got] == [
        "2026-12-07 Mon 10:00",
        "2026-12-14 Mon 10:00",
        "2026-12-21 Mon 10:00",
        "2026-12-28 Mon 10:00",
        "2027-01-04 Mon 10:00",
    ]


def test_weekly_fires_today_when_the_time_is_still_ahead():
    rule = Recurrence(frequency=Frequency.WEEKLY, at=time(10, 0), weekday=3)
    assert next_run(rule, after=kyiv(2026, 12, 3, 9, 59), tz=KYIV) == kyiv(2026, 12, 3, 10, 0)
    assert next_run(rule, after=kyiv(2026, 12, 3, 10, 0), tz=KYIV) == kyiv(2026, 12, 10, 10, 0)


def test_monthly_on_the_31st_uses_the_last_day_of_short_months():
    rule = Recurrence(frequency=Frequency.MONTHLY, at=time(9, 0), day_of_month=31)
    got = runs(rule, kyiv(2027, 1, 31, 9, 0), 4)
    assert [r.astimezone(KYIV).date().isoformat() for r in got] == [
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
        "2027-05-31",
    ]
    # A leap year's February.
    assert next_run(rule, after=kyiv(2028, 2, 1, 0, 0), tz=KYIV) == kyiv(2028, 2, 29, 9, 0)


def test_monthly_on_the_1st_across_the_year_end():
    rule = Recurrence(frequency=Frequency.MONTHLY, at=time(9, 0), day_of_month=1)
    got = runs(rule, kyiv(2026, 11, 15, 0, 0), 3)
    assert [r.astimezone(KYIV).date().isoformat() for r in got] == [
        "2026-12-01",
        "2027-01-01",
        "2027-02-01",
    ]


def test_the_organization_zone_decides_not_the_servers():
    rule = Recurrence(frequency=Frequency.DAILY, at=time(9, 0))
    new_york = ZoneInfo("America/New_York")
    after = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)  # 07:00 in New York, 14:00 in Kyiv
    assert next_run(rule, after=after, tz=new_york) == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert next_run(rule, after=after, tz=KYIV) == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": "weekly", "at": time(9, 0)},  # no weekday
        {"frequency": "daily", "at": time(9, 0), "weekday": 1},  # weekday on a daily rule
        {"frequency": "monthly", "at": time(9, 0)},  # no day
        {"frequency": "monthly", "at": time(9, 0), "day_of_month": 32},
        {"frequency": "weekly", "at": time(9, 0), "weekday": 7},
        {"frequency": "hourly", "at": time(9, 0)},
        {"frequency": "daily", "at": time(9, 0, tzinfo=UTC)},
    ],
)
def test_a_rule_that_cannot_fire_or_is_ambiguous_is_refused(kwargs):
    with pytest.raises(ValueError):
        Recurrence(**kwargs)


def test_naive_after_is_refused():
    rule = Recurrence(frequency=Frequency.DAILY, at=time(9, 0))
    with pytest.raises(ValueError):
        next_run(rule, after=datetime(2026, 12, 3, 9, 0), tz=KYIV)


def test_described_in_both_languages():
    weekly = Recurrence(frequency=Frequency.WEEKLY, at=time(10, 0), weekday=2)
    monthly = Recurrence(frequency=Frequency.MONTHLY, at=time(9, 5), day_of_month=1)
    daily = Recurrence(frequency=Frequency.DAILY, at=time(21, 30))
    with translation.override("en"):
        assert weekly.describe() == "Weekly on Wednesday at 10:00"
        assert monthly.describe() == "Monthly on day 1 at 09:05"
        assert daily.describe() == "Daily at 21:30"
    with translation.override("uk"):
        assert weekly.describe() == "Щотижня в середу о 10:00"
        assert monthly.describe() == "Щомісяця 1-го числа о 09:05"
        assert daily.describe() == "Щодня о 21:30"
