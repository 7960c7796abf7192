"""Every date format the product shows reads right in Ukrainian and in English.

The formats are read from the source itself (templates' `|date:"..."` and `|date_inline:"..."`,
Python's `date_format(x, "...")`), plus Django's named formats, and each is rendered for a
day of every month and every weekday in both languages. Ukrainian: a day number takes the
genitive month, unpadded ("3 грудня", never "03 грудня" or "3 грудень"); a weekday is in the
nominative ("четвер, 3 грудня"); names are lowercase inside a line (`date_inline`) and only
the first letter of a line may be a capital. English: no Cyrillic, names capitalised ("3 Dec",
not "3 dec"). A new format anywhere is checked the day it is written.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from tests.months import MONTHS

ROOT = Path(settings.BASE_DIR) / "zapys"

_TEMPLATE_FORMAT = re.compile(r"""\|(date|date_inline):(["'])(.*?)\2""")
_PYTHON_FORMAT = re.compile(
    r"""\b(date_format|date_inline)\(\s*[^,()]+(?:\([^()]*\))?,\s*(["'])(.*?)\2"""
)
NAMED = (
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
)

GENITIVE = MONTHS["uk"]
NOMINATIVE = [
    "січень",
    "лютий",
    "березень",
    "квітень",
    "травень",
    "червень",
    "липень",
    "серпень",
    "вересень",
    "жовтень",
    "листопад",
    "грудень",
]
SHORT_MONTHS_UK = [
    "січ",
    "лют",
    "бер",
    "кві",
    "тра",
    "чер",
    "лип",
    "сер",
    "вер",
    "жов",
    "лис",
    "гру",
]
WEEKDAYS_UK = [
    "понеділок",
    "вівторок",
    "середа",
    "четвер",
    "п'ятниця",
    "п’ятниця",
    "субота",
    "неділя",
]
SHORT_WEEKDAYS_UK = ["пн", "вт", "ср", "чт", "пт", "сб", "нд"]
MONTHS_EN = [m.lower() for m in MONTHS["en"]]
SHORT_MONTHS_EN = [m[:3] for m in MONTHS_EN]
# A day of every month, covering every weekday, some days with one digit; 09:05 shows padding.
SAMPLES = [datetime(2026, month, 1, 9, 5) + timedelta(days=month * 2) for month in range(1, 13)]


def used_formats() -> set[tuple[str, str]]:
    """(filter, format) for every date format written in the product (not its tests)."""
    found: set[tuple[str, str]] = {("date", name) for name in NAMED}
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.suffix in (".html", ".txt"):
            text = path.read_text(encoding="utf-8")
            found |= {(kind, fmt) for kind, _, fmt in _TEMPLATE_FORMAT.findall(text)}
            if re.search(r"\|date\s*(\}\}|\|)", text):  # the filter without a format
                found.add(("date", "DATE_FORMAT"))
        elif path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            for function, _, fmt in _PYTHON_FORMAT.findall(text):
                found.add(("date_inline" if function == "date_inline" else "date", fmt))
    return found


def render(kind: str, fmt: str, moment: datetime) -> str:
    template = Template("{% load zapys_dates %}{{ moment|" + kind + ':"' + fmt + '" }}')
    return html.unescape(template.render(Context({"moment": moment})))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w’'.]*", text)


def problems_uk(kind: str, text: str) -> list[str]:
    found = []
    if re.search(r"[A-Za-z]", text):
        found.append("Latin letters")
    if re.search(r"(?<!\d)0\d\s+[^\W\d_]", text):
        found.append("a zero-padded day before a month")
    for number, word in re.findall(r"(?<![\d.])(\d{1,2})\s+([^\W\d_]+)", text):
        if word.lower() not in GENITIVE + SHORT_MONTHS_UK:
            found.append(f"'{number} {word}': a day takes the genitive month")
    for match in re.finditer(r"[^\W\d_]+", text):
        word = match.group().lower()
        before = text[: match.start()]
        if word in GENITIVE and not re.search(r"\d\s+$", before):
            found.append(f"'{word}' (genitive) with no day before it")
        if word in NOMINATIVE and re.search(r"\d\s+$", before):
            found.append(f"'{word}' (nominative) after a day")
    capitals = [m.start() for m in re.finditer(r"[А-ЯІЇЄҐ]", text)]
    if kind == "date_inline" and capitals:
        found.append("a capital inside a line")
    if kind == "date" and any(position > 0 for position in capitals):
        found.append("a capital after the first letter")
    words = [w.lower().rstrip(".") for w in _words(text)]
    known = set(GENITIVE + NOMINATIVE + SHORT_MONTHS_UK + WEEKDAYS_UK + SHORT_WEEKDAYS_UK + ["р"])
    found += [f"unknown word {w!r}" for w in words if w not in known]
    return found


def problems_en(kind: str, text: str) -> list[str]:
    found = []
    if re.search(r"[А-Яа-яІіЇїЄєҐґ]", text):
        found.append("Cyrillic letters")
    if re.search(r"(?<!\d)0\d\s+[^\W\d_]", text):
        found.append("a zero-padded day before a month")
    names = set(MONTHS_EN + SHORT_MONTHS_EN) | {
        d.lower()
        for d in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    }
    names |= {d[:3] for d in names}
    for word in _words(text):
        if word.rstrip(".").lower() in names and not word[0].isupper():
            found.append(f"{word!r} is not capitalised")
    return found


def test_the_scan_finds_the_formats_in_use() -> None:
    """The reader itself is checked: formats known to be in templates and code are found."""
    found = used_formats()
    assert ("date", "l, j E Y") in found  # the calendar's day heading
    assert ("date_inline", "l, j E Y, H:i") in found  # online sales' lessons
    assert ("date", "j E Y, H:i") in found  # bots/selectors.py, a Python date_format
    assert ("date", "DATE_FORMAT") in found


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("date", "03 грудня 2026", "zero-padded"),
        ("date", "3 грудень", "genitive month"),
        ("date", "Грудня 2026", "no day before"),
        ("date_inline", "Четвер, 3 грудня", "capital inside"),
        ("date", "3 Гру", "capital after"),
        ("date", "четвергом, 3 грудня", "unknown word"),
    ],
)
def test_the_ukrainian_checks_can_fail(kind: str, text: str, expected: str) -> None:
    assert any(expected in problem for problem in problems_uk(kind, text)), text


def test_the_english_checks_can_fail() -> None:
    assert problems_en("date", "3 dec")
    assert problems_en("date", "03 December")
    assert problems_en("date", "Четвер")
    assert not problems_en("date", "Thursday, 3 December 2026, 09:05")


def test_every_date_format_reads_right_in_both_languages() -> None:
    bad = []
    for kind, fmt in sorted(used_formats()):
        for language, check in (("uk", problems_uk), ("en", problems_en)):
            with translation.override(language):
                for moment in SAMPLES:
                    text = render(kind, fmt, moment)
                    bad += [f"{kind}:{fmt!r} [{language}] {text!r}: {p}" for p in check(kind, text)]
    assert not bad, "\n".join(sorted(set(bad))[:60])


def test_ukrainian_named_formats() -> None:
    moment = datetime(2026, 12, 3, 9, 5)
    with translation.override("uk"):
        assert formats.date_format(moment, "DATE_FORMAT") == "3 грудня 2026 р."
        assert formats.date_format(moment, "MONTH_DAY_FORMAT") == "3 грудня"
        assert render("date", "l, j E", moment) == "Четвер, 3 грудня"
        assert render("date_inline", "l, j E", moment) == "четвер, 3 грудня"
        assert render("date_inline", "j M", moment) == "3 гру"
    with translation.override("en"):
        assert formats.date_format(moment, "MONTH_DAY_FORMAT") == "3 December"
        assert render("date_inline", "l, j E", moment) == "Thursday, 3 December"
        assert render("date_inline", "j M", moment) == "3 Dec"
