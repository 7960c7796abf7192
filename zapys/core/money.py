"""Money as integer minor units (kopecks). Never float.

`Money` is a small immutable value: arithmetic keeps the currency, percentages round
half-up explicitly, and text goes in and out through `parse_money` / `format_money`
for Ukrainian ("1 234,56 грн") and English ("UAH 1,234.56"). Providers get their own
decimal strings at the edge (`to_decimal_string`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language

MINOR_UNITS = 100  # UAH, USD, EUR all have two decimal places
SYMBOLS_UK = {"UAH": "грн", "USD": "$", "EUR": "€"}
NBSP = "\u00a0"


class MoneyError(ValueError):
    """Text or a number that is not a valid amount of money."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units (kopecks)
    currency: str = "UAH"

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise MoneyError(
                f"Money amount must be an integer number of kopecks, got {self.amount!r}"
            )

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"Cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise MoneyError("Multiply money by an integer; use percent() for fractions")
        return Money(self.amount * factor, self.currency)

    def percent(self, percent: Decimal | int | str) -> Money:
        return Money(percent_of(self.amount, percent), self.currency)

    def format(self, language: str = "uk") -> str:
        return format_money(self.amount, self.currency, language)

    def __str__(self) -> str:
        return self.format("uk")


def percent_of(amount: int, percent: Decimal | int | str) -> int:
    """`percent`% of `amount` kopecks, rounded half-up (away from zero) to a whole kopeck."""
    try:
        pct = Decimal(str(percent))
    except InvalidOperation as exc:
        raise MoneyError(f"Not a percentage: {percent!r}") from exc
    value = Decimal(amount) * pct / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share_percent(part: int, whole: int) -> int:
    """`part` of `whole` in whole percent, rounded half up (away from zero): 5 of 8 is 63 %,
    1 of 8 is 13 %, as people count. Python's `round()` rounds half to even (62 %, 12 %), and
    a float may land just under the half; integers are exact. `whole` must not be 0."""
    if whole == 0:
        raise ZeroDivisionError("share_percent of a whole of 0")
    negative = (part < 0) != (whole < 0)
    quotient, remainder = divmod(abs(100 * part), abs(whole))
    if 2 * remainder >= abs(whole):
        quotient += 1
    return -quotient if negative else quotient


def multiply_rate(rate_per_hour: int, minutes: int) -> int:
    """An hourly rate (kopecks) × a duration in minutes, rounded half-up."""
    value = Decimal(rate_per_hour) * Decimal(minutes) / Decimal(60)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY_WORDS = re.compile(r"(грн\.?|uah|₴|\$|€|usd|eur)", re.IGNORECASE)


def parse_money(text: str | int, language: str = "uk") -> int:
    """Parse what a person typed into kopecks.

    Accepts "1 234,56", "1234.5", "1,234.56" (en), "250 грн", "250". More than two
    decimals, letters, or an empty value raise MoneyError; nothing is rounded silently.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        return text * MINOR_UNITS
    if not isinstance(text, str):
        raise MoneyError(f"Not an amount: {text!r}")
    cleaned = _CURRENCY_WORDS.sub("", text)
    cleaned = _SPACES.sub("", cleaned)
    if not cleaned:
        raise MoneyError("Enter an amount.")
    negative = cleaned.startswith("-")
    if cleaned[:1] in "+-":
        cleaned = cleaned[1:]
    if language == "en":
        cleaned = cleaned.replace(",", "")
    else:
        # In Ukrainian the comma is the decimal mark; a dot is accepted too.
        if cleaned.count(",") > 1:
            raise MoneyError(f"Not an amount: {text!r}")
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        raise MoneyError(f"Not an amount: {text!r}")
    whole, _, frac = cleaned.partition(".")
    kopecks = int(whole) * MINOR_UNITS + int((frac + "00")[:2])
    return -kopecks if negative else kopecks


def _group(digits: str, sep: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.append(digits[-3:])
        digits = digits[:-3]
    parts.append(digits)
    return sep.join(reversed(parts))


def format_money(amount: int, currency: str = "UAH", language: str = "uk") -> str:
    """Kopecks as text: uk "1 234,56 грн", en "UAH 1,234.56"; whole amounts keep ",00".
    The spaces are non-breaking, so an amount never wraps across lines."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), MINOR_UNITS)
    if language == "en":
        return f"{sign}{currency}{NBSP}{_group(str(whole), ',')}.{frac:02d}"
    symbol = SYMBOLS_UK.get(currency, currency)
    return f"{sign}{_group(str(whole), NBSP)},{frac:02d}{NBSP}{symbol}"


def to_decimal_string(amount: int, *, always_two_places: bool = True) -> str:
    """Kopecks as a provider's decimal string: 154736 → "1547.36" (or "3" when allowed)."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), MINOR_UNITS)
    if not always_two_places and frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}"


def money_input(amount: int, language: str | None = None) -> str:
    """Kopecks as a form's pre-filled amount in the page's language: uk "300,00", en
    "300.00" — no grouping and no currency, as a person would type it; `parse_money`
    reads either back."""
    text = to_decimal_string(amount)
    if (language or get_language() or "uk")[:2] == "en":
        return text
    return text.replace(".", ",")


def from_decimal_string(text: str | int | float) -> int:
    """A provider's decimal amount back to kopecks exactly (Decimal, half-up)."""
    try:
        value = Decimal(str(text))
    except InvalidOperation as exc:
        raise MoneyError(f"Not an amount: {text!r}") from exc
    return int((value * MINOR_UNITS).quantize(Decimal(1), rounding=ROUND_HALF_UP))
