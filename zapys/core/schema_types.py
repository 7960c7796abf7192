"""The input types every API schema is built from, so every operation validates the same way.

Bad input must be a 422 with field-level errors, never a 500 from deep inside: an integer the
database cannot hold (bigint, or a 32-bit column), a NUL byte PostgreSQL refuses, a lone
surrogate no encoder can write, a date whose arithmetic overflows Python's `date`, a UTC offset
PostgreSQL does not accept. Each type states its bounds in the OpenAPI schema too, so a client
(and schemathesis) can see them. Bounds are chosen far inside what the storage holds and far
beyond what a salon needs.

Text: one-line fields (names, codes, search terms) have line breaks folded into spaces and the
ends trimmed (`core.text.clean_line`); multi-line fields (notes, comments) keep their line
breaks. Other control characters are refused rather than silently dropped: an API client that
sends them has a bug it should hear about (people typing into forms get them stripped instead,
in the services).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from django.utils.translation import gettext
from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, WithJsonSchema
from pydantic_core import core_schema

from zapys.core.text import clean_line

#: Money is integer kopecks. The ledger refuses more than this in one entry (10 million
#: hryvnias is surely a typo), so no price or amount may exceed it either: a price that passes
#: here must still be chargeable later. It also keeps every sum far below 2^63.
MAX_KOPECKS = 1_000_000_000
#: Counts, orders, capacities and minutes live in 32-bit integer columns.
INT32_MAX = 2**31 - 1
#: Primary keys are bigint.
BIGINT_MAX = 2**63 - 1
#: Dates and datetimes: wide enough for any birthday or booking, narrow enough that adding a
#: membership's validity or a year of weekly lessons never leaves Python's date range.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)
#: PostgreSQL accepts UTC offsets up to ±15:59 (real zones use -12:00 … +14:00).
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)

# C0/C1 controls except tab, LF, CR; DEL; the XML non-characters (as core.text) and surrogates,
# which no UTF-8 encoder (psycopg, openpyxl) can write.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
#: The same rule for OpenAPI readers (surrogates cannot be written in most regex dialects; JSON
#: decoders that produce them are the odd ones out).
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]*$"
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


def _no_control(value: str) -> str:
    if _FORBIDDEN.search(value):
        raise ValueError(gettext("Control characters are not allowed."))
    return value


class _TextRule:
    """Annotated metadata for `str`: validates after cleaning (so what is stored is what is
    measured) and states the same rule in the JSON schema."""

    def __init__(self, *, one_line: bool, min_length: int, max_length: int) -> None:
        self.one_line = one_line
        self.min_length = min_length
        self.max_length = max_length

    def __call__(self, value: str) -> str:
        value = clean_line(_no_control(value)) if self.one_line else _no_control(value)
        if len(value) < self.min_length:
            raise ValueError(gettext("This field cannot be blank."))
        if len(value) > self.max_length:
            raise ValueError(gettext("At most %(count)d characters.") % {"count": self.max_length})
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return core_schema.no_info_after_validator_function(self, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        json_schema = handler(schema)
        json_schema.update(maxLength=self.max_length, pattern=TEXT_PATTERN)
        if self.min_length:
            json_schema["minLength"] = self.min_length
        return json_schema


def Line(max_length: int, *, min_length: int = 0) -> _TextRule:
    """`Annotated[str, Line(200)]`: one-line text up to `max_length` characters (the model
    field's length); line breaks become spaces and the ends are trimmed before measuring."""
    return _TextRule(one_line=True, min_length=min_length, max_length=max_length)


def Text(max_length: int = 5000) -> _TextRule:
    """`Annotated[str, Text()]`: multi-line text (notes, comments, messages), breaks kept."""
    return _TextRule(one_line=False, min_length=0, max_length=max_length)


#: A person's or a thing's name (the models' 200 characters).
Name = Annotated[str, Line(200, min_length=1)]
#: A search term or a one-line filter value.
Search = Annotated[str, Line(200)]
#: A note, a comment, a description.
Note = Annotated[str, Text()]
#: A colour for a tag or a status.
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", examples=["#1a2b3c"])]
#: A colour, or empty for "choose one for me".
ColorOrEmpty = Annotated[str, Field(pattern=r"^(#[0-9a-fA-F]{6})?$", examples=["#1a2b3c"])]


# --- numbers ---------------------------------------------------------------------------------

#: A price or an amount that may be zero (a free service), in kopecks.
Kopecks = Annotated[StrictInt, Field(ge=0, le=MAX_KOPECKS, description="kopecks")]
#: An amount of money moved, in kopecks: more than zero.
PositiveKopecks = Annotated[StrictInt, Field(gt=0, le=MAX_KOPECKS, description="kopecks")]
#: A count, an order, minutes: 0 … 2^31−1.
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
#: A capacity, a quantity: 1 … 2^31−1.
PositiveCount = Annotated[int, Field(ge=1, le=INT32_MAX)]
#: How long a visit or a service lasts: a minute to a day.
DurationMinutes = Annotated[int, Field(ge=1, le=24 * 60, description="minutes")]
#: An object's id (path, query or body).
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
#: Ids in one request: a few hundred at most (SQLite binds at most 32,766 parameters and a
#: bulk action on more is better split anyway).
MAX_IDS = 1000
IdList = Annotated[list[Id], Field(max_length=MAX_IDS)]


# --- dates and times -------------------------------------------------------------------------


def _sane_date(value: date) -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(
            gettext("The date must be between %(min)s and %(max)s.")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
        )
    return value


def _sane_datetime(value: datetime) -> datetime:
    _sane_date(value.date())
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError(gettext("The UTC offset must be between -15:59 and +15:59."))
    return value


def _naive_time(value: Any) -> Any:
    # `time` in OpenAPI (RFC 3339 full-time) carries an offset; a time of day in a schedule
    # has none (it is the branch's wall clock), so only HH:MM or HH:MM:SS is accepted. Not a
    # number either: pydantic reads one as seconds after midnight *in UTC*, an aware time
    # that cannot be compared with the naive ones.
    if isinstance(value, str) and _TIME_OF_DAY.match(value):
        return value
    if isinstance(value, time) and value.tzinfo is None:
        return value
    raise ValueError(gettext("Use HH:MM or HH:MM:SS (a wall-clock time, no offset)."))


Date = Annotated[
    date,
    AfterValidator(_sane_date),
    Field(description=f"YYYY-MM-DD, {MIN_DATE.year}–{MAX_DATE.year}"),
]
#: A moment: with an offset (±15:59 at most), or without one for the organization's time zone.
DateTime = Annotated[
    datetime,
    AfterValidator(_sane_datetime),
    Field(description="ISO 8601; without an offset it is the organization's local time"),
]
#: A wall-clock time of day, without an offset.
TimeOfDay = Annotated[
    time,
    BeforeValidator(_naive_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
            "description": "HH:MM or HH:MM:SS, the branch's wall-clock time (no offset)",
            "example": "09:30",
        }
    ),
]


def omittable(description: str | None = None) -> Any:
    """The default of a PATCH field that may be left out but never set to null: the field's
    type does not admit None, so an explicit null is a 422, while leaving it out keeps the
    current value (`payload.dict(exclude_unset=True)` never sees it). The schema shows no
    `default: null`, which would contradict the type."""
    return Field(default=None, description=description, json_schema_extra=_drop_default)


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
