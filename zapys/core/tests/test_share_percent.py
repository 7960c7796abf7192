"""Shares in whole percent round half up, as people count (issue 17: 5 of 8 showed «62%»)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zapys.core.money import share_percent
from zapys.core.report_period import change_percent
from zapys.reports.funnel import Stage


def test_a_half_rounds_up_not_to_even():
    assert share_percent(5, 8) == 63  # 62.5: round() gave 62
    assert share_percent(1, 8) == 13  # 12.5: round() gave 12
    assert share_percent(3, 8) == 38  # 37.5: round() gave 38 already
    assert share_percent(1, 3) == 33
    assert share_percent(2, 3) == 67
    assert share_percent(0, 7) == 0
    assert share_percent(7, 7) == 100


def test_a_negative_half_rounds_away_from_zero():
    assert share_percent(-5, 8) == -63
    assert share_percent(5, -8) == -63
    assert change_percent(75, 200) == -63  # −62.5 %
    assert change_percent(225, 200) == 13  # +12.5 %
    assert change_percent(5, 0) is None


def test_a_whole_of_zero_is_refused():
    with pytest.raises(ZeroDivisionError):
        share_percent(1, 0)


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**9))
def test_matches_exact_half_up(part, whole):
    exact = Fraction(100 * abs(part), whole)
    expected = int(exact + Fraction(1, 2))  # floor(x + ½) for x ≥ 0
    assert share_percent(part, whole) == (-expected if part < 0 else expected)


def test_the_funnel_shares_round_half_up():
    stage = Stage("all", links=8, paid=5, opened=1, expired=3)
    assert (stage.paid_share, stage.opened_share, stage.expired_share) == (63, 13, 38)
    assert Stage("none").paid_share is None
