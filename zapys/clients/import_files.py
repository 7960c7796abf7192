"""Reading a client import file without letting the file decide what it costs (C8, issue 10).

An XLSX file is a zip of XML: 84 KB of it can unpack to 36 MB of shared strings (15 s and
200 MB to load), and a 110 KB sheet can hold 300,000 rows. So:

- the web request only calls `check_upload` (the name and the size, nothing is opened);
- the worker calls `read_file`, which refuses before parsing anything that breaks a limit it
  can see up front (`MAX_FILE_BYTES`; for XLSX the zip's member count, unpacked sizes and
  compression ratios, read from its directory), then streams the rows (openpyxl's read-only
  mode, which parses its XML with defusedxml when that is installed — it is, and
  `test_import_limits` checks it) and stops at the first row or column over the limits.

Python's zipfile never inflates a member beyond the size its directory declares (a member
that lies is cut there and fails its CRC), so checking the declared sizes bounds the work.

Every refusal is an `ImportFileError` with a sentence for the person who uploaded the file;
nothing is imported from a refused file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import openpyxl
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zapys.core.exceptions import DomainError

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
#: Rows after the header, blank ones included (a sheet's blank rows cost work too).
MAX_ROWS = 20_000
#: Columns with anything in them; the known columns are nine.
MAX_COLUMNS = 50
#: An XLSX written by Excel, LibreOffice or openpyxl has about ten members.
XLSX_MAX_MEMBERS = 200
#: All members unpacked. A 20,000-row sheet of nine text columns is about 13 MB of XML.
XLSX_MAX_UNPACKED_BYTES = 32 * 1024 * 1024
#: Spreadsheet XML compresses 5 to 20 times; a bomb compresses hundreds of times.
XLSX_MAX_RATIO = 100
#: Small members may compress well without costing anything.
XLSX_RATIO_FLOOR_BYTES = 1024 * 1024
#: openpyxl loads the whole shared-strings table before the first row, and its cost is per
#: string (1.7 million three-letter strings, 32 MB: 45 s). Ten per client row is plenty.
XLSX_MAX_SHARED_STRINGS = 200_000
#: openpyxl parses every cell of a row it reads, also those past the last column it returns,
#: and a sheet without a <dimension> is parsed twice (once to size it): a million cells cost
#: 47 s. 20,000 rows of 20 columns; a 20,000-row file of the nine known columns has 180,000.
XLSX_MAX_CELLS = 400_000
#: A shared string's or a cell's start tag, with or without a namespace prefix.
_COUNTED_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?(si|c)[\s/>]")
_SCAN_CHUNK = 1024 * 1024

CSV, XLSX = "csv", "xlsx"

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "client", "піб", "ім'я", "імʼя", "ім’я", "клієнт", "фио", "имя"),
    "phone": ("phone", "phone number", "mobile", "телефон", "тел", "мобільний"),
    "email": ("email", "e-mail", "mail", "пошта", "електронна пошта"),
    "birthday": ("birthday", "birth date", "date of birth", "дата народження", "день народження"),
    "note": ("note", "notes", "comment", "примітка", "нотатка", "коментар"),
    "tags": ("tags", "tag", "теги", "тег", "мітки"),
    "balance": ("balance", "opening balance", "баланс", "залишок", "початковий баланс"),
    "client_type": ("type", "client type", "client_type", "тип", "тип клієнта"),
    "status": ("status", "статус"),
}
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in (key, *aliases)}


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (too big, not CSV/XLSX, malformed, over a
    limit). Raised before anything is written."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="file")


def too_big_message() -> str:
    return _("The file is larger than %(size)s MB. Split it into smaller files.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }


def _too_big() -> ImportFileError:
    return ImportFileError(too_big_message())


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        ngettext(
            "The file has more than %(max)s row under the header. Split it into smaller files.",
            "The file has more than %(max)s rows under the header. Split it into smaller files.",
            MAX_ROWS,
        )
        % {"max": number_format(MAX_ROWS, force_grouping=True)}
    )


def _too_many_columns(row: int) -> ImportFileError:
    return ImportFileError(
        _("Row %(row)s has more than %(max)s columns. Remove the extra columns and try again.")
        % {"row": row, "max": MAX_COLUMNS}
    )


def _unpacks_too_big() -> ImportFileError:
    return ImportFileError(
        _(
            "The XLSX file unpacks to more than %(size)s MB, more than a client list needs. "
            "Save it as CSV or split it into smaller files."
        )
        % {"size": XLSX_MAX_UNPACKED_BYTES // (1024 * 1024)}
    )


def _too_many_cells() -> ImportFileError:
    return ImportFileError(
        _(
            "The XLSX file has more than %(max)s cells, more than a client list needs. "
            "Delete the columns you do not import or split it into smaller files."
        )
        % {"max": number_format(XLSX_MAX_CELLS, force_grouping=True)}
    )


def _too_many_texts() -> ImportFileError:
    return ImportFileError(
        _(
            "The XLSX file holds more than %(max)s separate texts, more than a client list "
            "needs. Save it as CSV or split it into smaller files."
        )
        % {"max": number_format(XLSX_MAX_SHARED_STRINGS, force_grouping=True)}
    )


def _damaged() -> ImportFileError:
    return ImportFileError(_("The XLSX file is damaged or not a spreadsheet."))


# --- In the web request: name and size only ------------------------------------------------


def file_kind(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return XLSX
    if name.endswith((".csv", ".txt")):
        return CSV
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def check_upload(*, filename: str, size: int | None) -> str:
    """What the web request may check: the kind by name and the size. Opens nothing."""
    kind = file_kind(filename)
    if size is not None and size > MAX_FILE_BYTES:
        raise _too_big()
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    return kind


# --- In the worker (or the management command): the rows -----------------------------------


def _header_key(text: Any) -> str | None:
    cleaned = " ".join(str(text or "").strip().lower().replace("_", " ").split())
    return _ALIASES.get(cleaned) or _ALIASES.get(cleaned.replace(" ", "_"))


def _cell(value: Any) -> str:
    """A spreadsheet value as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return (
            format(Decimal(repr(value)).normalize(), "f")
            if value != int(value)
            else str(int(value))
        )
    return str(value).strip()


def _rows_from_table(table: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows keyed by column name (with `_row`, the line number), within the limits.

    `table` may be longer than allowed (it is read lazily): reading stops at the first line
    past MAX_ROWS + 1 (the header and MAX_ROWS rows, blank lines counted) or with something
    past MAX_COLUMNS.
    """
    keys: list[str | None] | None = None
    rows: list[dict[str, Any]] = []
    for number, values in enumerate(table, start=1):
        if number > MAX_ROWS + 1:  # the header and MAX_ROWS rows (blank ones count)
            raise _too_many_rows()
        if any(v is not None and v != "" for v in values[MAX_COLUMNS:]):
            raise _too_many_columns(number)
        cells = [_cell(v) for v in values[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if keys is None:
            keys = [_header_key(h) for h in cells]
            if "name" not in keys or "phone" not in keys:
                raise ImportFileError(
                    _("The first row must name the columns; “name” and “phone” are required.")
                )
            continue
        row: dict[str, Any] = {"_row": number}
        for key, value in zip(keys, cells, strict=False):
            if key is not None and key not in row:
                row[key] = value
        rows.append(row)
    if keys is None:
        raise ImportFileError(_("The file is empty."))
    return rows


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file must be in UTF-8 or Windows-1251 encoding."))


def _read_csv(fh: IO[bytes]) -> list[dict[str, Any]]:
    raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _too_big()
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    text = _decode(raw)
    if "\x00" in text:
        raise ImportFileError(_("This does not look like a CSV file."))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _rows_from_table(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None


def _count_strings_and_cells(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: tuple[int, int]
) -> tuple[int, int]:
    """How many shared strings and cells the member holds, counted in its inflated bytes
    chunk by chunk (a tag across two chunks is counted once); stops past the budget."""
    strings = cells = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            data = tail + chunk
            for match in _COUNTED_TAG.finditer(data):
                if match.end() <= len(tail):  # counted with the previous chunk
                    continue
                if match.group(1) == b"si":
                    strings += 1
                else:
                    cells += 1
            tail = data[-64:]
            if strings > budget[0] or cells > budget[1]:
                break
    return strings, cells


def check_xlsx_archive(fh: IO[bytes]) -> None:
    """Refuse a zip that promises more work than a client list needs, before openpyxl
    opens it: first from its central directory alone (member count, declared unpacked sizes,
    compression ratios), then by inflating the members — now known to be bounded — to count
    the shared strings openpyxl would load at once and the cells it would parse (whatever
    the members are called)."""
    fh.seek(0, io.SEEK_END)
    if fh.tell() > MAX_FILE_BYTES:
        raise _too_big()
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            members = archive.infolist()
            _check_directory(members)
            strings = cells = 0
            for member in members:
                budget = (XLSX_MAX_SHARED_STRINGS - strings, XLSX_MAX_CELLS - cells)
                more_strings, more_cells = _count_strings_and_cells(archive, member, budget)
                strings += more_strings
                cells += more_cells
                if strings > XLSX_MAX_SHARED_STRINGS:
                    raise _too_many_texts()
                if cells > XLSX_MAX_CELLS:
                    raise _too_many_cells()
    except ImportFileError:
        raise
    except Exception:  # BadZipFile, a CRC or zlib error, encryption, an unknown method...
        logger.info("XLSX import refused: not a readable zip", exc_info=True)
        raise _damaged() from None
    fh.seek(0)


def _check_directory(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > XLSX_MAX_MEMBERS:
        raise _damaged()
    unpacked = 0
    for member in members:
        unpacked += member.file_size
        ratio_too_high = (
            member.file_size > XLSX_RATIO_FLOOR_BYTES
            and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1)
        )
        if ratio_too_high or unpacked > XLSX_MAX_UNPACKED_BYTES:
            logger.info(
                "XLSX import refused: %s unpacks to %s bytes from %s (%s bytes so far)",
                member.filename,
                member.file_size,
                member.compress_size,
                unpacked,
            )
            raise _unpacks_too_big()


def _read_xlsx(fh: IO[bytes]) -> list[dict[str, Any]]:
    check_xlsx_archive(fh)
    try:
        workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception:  # anything an untrusted file makes the parser raise: damaged
        logger.info("XLSX import refused: openpyxl could not open it", exc_info=True)
        raise _damaged() from None
    try:
        sheet = workbook.worksheets[0]
        # Explicit bounds: without them a read-only sheet pads every row to the width its
        # <dimension> claims (up to 16,384 columns) and yields blank rows up to its height.
        table = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1, values_only=True)
        return _rows_from_table(table)
    except ImportFileError:
        raise
    except Exception:
        logger.info("XLSX import refused: a sheet could not be read", exc_info=True)
        raise _damaged() from None
    finally:
        workbook.close()


def read_file(fh: IO[bytes], kind: str) -> list[dict[str, Any]]:
    """Parse a CSV/XLSX file into rows keyed by column (with `_row`, the line), within the
    limits. Runs in the worker and the management command, never in a web request."""
    if kind == XLSX:
        return _read_xlsx(fh)
    return _read_csv(fh)
