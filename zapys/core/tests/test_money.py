from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zapys.core.money import (
    Money,
    MoneyError,
    format_money,
    from_decimal_string,
    multiply_rate,
    parse_money,
    percent_of,
    to_decimal_string,
)

amounts = st.integers(min_value=-(10**12), max_value=10**12)


@given(amounts)
def test_format_then_parse_round_trips_in_both_languages(amount):
    for language in ("uk", "en"):
        assert parse_money(format_money(amount, "UAH", language), language) == amount


@given(amounts)
def test_provider_decimal_string_round_trips(amount):
    assert from_decimal_string(to_decimal_string(amount)) == amount
    assert from_decimal_string(to_decimal_string(amount, always_two_places=False)) == amount


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=100))
def test_percent_is_exact_half_up(amount, pct):
    expected = (Decimal(amount) * pct / 100).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    assert percent_of(amount, pct) == int(expected)
    assert 0 <= percent_of(amount, pct) <= amount


def test_percent_rounds_half_up_not_bankers():
    assert percent_of(50, 1) == 1  # 0.5 kopeck → 1
    assert percent_of(150, 1) == 2  # 1.5 → 2 (bankers' rounding would give 2 too)
    assert percent_of(250, 1) == 3  # 2.5 → 3 (bankers' would give 2)
    assert percent_of(100000, Decimal("33.333")) == 33333


def test_hourly_rate_times_minutes():
    assert multiply_rate(45000, 90) == 67500
    assert multiply_rate(100, 1) == 2  # 1.666… → 2


@pytest.mark.parametrize(
    ("text", "language", "kopecks"),
    [
        ("1 234,56", "uk", 123456),
        ("1\u00a0234,56\u00a0грн", "uk", 123456),
        ("250", "uk", 25000),
        ("250.5", "uk", 25050),
        ("1,234.56", "en", 123456),
        ("UAH 99.99", "en", 9999),
        ("-10,00", "uk", -1000),
    ],
)
def test_parse_accepts_what_people_type(text, language, kopecks):
    assert parse_money(text, language) == kopecks


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12.345", "1.2.3", "--5"])
def test_parse_rejects_garbage(text):
    with pytest.raises(MoneyError):
        parse_money(text, "uk")


def test_format():
    assert format_money(123456, "UAH", "uk") == "1\u00a0234,56\u00a0грн"
    assert format_money(123456, "UAH", "en") == "UAH\xa01,234.56"
    assert format_money(-5, "UAH", "en") == "-UAH\xa00.05"


def test_money_type_refuses_floats_and_mixed_currencies():
    with pytest.raises(MoneyError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(100, "UAH") + Money(100, "USD")
    with pytest.raises(MoneyError):
        Money(100) * 1.5  # type: ignore[operator]
    assert Money(100) + Money(50) == Money(150)
    assert Money(1000).percent(15) == Money(150)
