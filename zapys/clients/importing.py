"""Import clients with tags and opening balances from CSV or XLSX (C8).

Three steps, shared by the staff page, the Huey task and `manage.py import_clients`:

1. `read_rows(file, filename)` parses the file into dicts keyed by our column names. A
   file that is too big, not CSV/XLSX, or has no name/phone columns raises
   `ImportFileError` before anything is looked at — nothing is written.
2. `plan_rows(rows)` validates every row with the same rules as the client card and
   decides what would happen: create, update (add tags / fill blank fields of the client
   with that phone), unchanged, or reject (row number + reason). Reads only.
3. `import_execute(plan, ...)` carries the plan out in batches, one transaction per batch,
   through the client services (audit rows included). Matching by phone makes a re-run
   idempotent: a second run finds every client and creates nothing, and an opening
   balance is posted only for a client the import created.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from zapys.accounts.models import Organization
from zapys.clients import integrations
from zapys.clients.models import Client, ClientImport
from zapys.clients.services import (
    _clean_fields,
    _clean_tag_names,
    _require_manager,
    client_create,
    client_update,
)
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.money import MoneyError, parse_money

MAX_FILE_BYTES = 10 * 1024 * 1024
BATCH_SIZE = 200
SYNC_MAX_ROWS = 300  # the page imports up to this many rows at once, larger files in the background
REPORT_MAX_REJECTED = 1000
PREVIEW_ROWS = 50

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
TYPE_WORDS = {
    "individual": Client.Type.INDIVIDUAL,
    "фізична особа": Client.Type.INDIVIDUAL,
    "фізособа": Client.Type.INDIVIDUAL,
    "legal": Client.Type.LEGAL_ENTITY,
    "legal entity": Client.Type.LEGAL_ENTITY,
    "legal_entity": Client.Type.LEGAL_ENTITY,
    "юридична особа": Client.Type.LEGAL_ENTITY,
    "юрособа": Client.Type.LEGAL_ENTITY,
}
STATUS_WORDS = {
    "active": Client.Status.ACTIVE,
    "активний": Client.Status.ACTIVE,
    "inactive": Client.Status.INACTIVE,
    "неактивний": Client.Status.INACTIVE,
    "lead": Client.Status.LEAD,
    "лід": Client.Status.LEAD,
}


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (too big, not CSV/XLSX, malformed)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="file")


# --- 1. Reading ---------------------------------------------------------------------------


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
    iterator = iter(table)
    header: Sequence[Any] | None = None
    for candidate in iterator:
        if any(_cell(c) for c in candidate):
            header = candidate
            break
    if header is None:
        raise ImportFileError(_("The file is empty."))
    keys = [_header_key(h) for h in header]
    if "name" not in keys or "phone" not in keys:
        raise ImportFileError(
            _("The first row must name the columns; “name” and “phone” are required.")
        )
    rows: list[dict[str, Any]] = []
    for number, values in enumerate(iterator, start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        row: dict[str, Any] = {"_row": number}
        for key, value in zip(keys, cells, strict=False):
            if key is not None and key not in row:
                row[key] = value
        rows.append(row)
    return rows


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file must be in UTF-8 or Windows-1251 encoding."))


def _read_csv(raw: bytes) -> list[dict[str, Any]]:
    text = _decode(raw)
    if "\x00" in text:
        raise ImportFileError(_("This does not look like a CSV file."))
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _rows_from_table(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None


def _read_xlsx(raw: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportFileError(_("The XLSX file is damaged or not a spreadsheet.")) from None
    try:
        sheet = workbook.worksheets[0]
        return _rows_from_table(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def read_rows(file: IO[bytes], filename: str, size: int | None = None) -> list[dict[str, Any]]:
    """Parse an uploaded CSV/XLSX file into rows keyed by column (with `_row`, the line)."""
    return parse_bytes(read_limited(file, size), filename)


def read_limited(file: IO[bytes], size: int | None = None) -> bytes:
    """The file's bytes, refusing more than MAX_FILE_BYTES without reading it all."""
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB. Split it into smaller files."))
    raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB. Split it into smaller files."))
    return raw


def parse_bytes(raw: bytes, filename: str) -> list[dict[str, Any]]:
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(raw)
    if name.endswith((".csv", ".txt")):
        return _read_csv(raw)
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


# --- 2. Planning --------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"


@dataclass
class PlannedRow:
    row: int
    action: str
    name: str = ""
    phone: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    balance: int = 0
    reason: str = ""
    client_id: int | None = None


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_count: int = 0
    opening_balances: int = 0  # how many opening-balance entries were (or would be) posted
    dry_run: bool = True
    preview: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < REPORT_MAX_REJECTED:
            self.rejected.append({"row": row, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_count": self.rejected_count,
            "opening_balances": self.opening_balances,
            "dry_run": self.dry_run,
            "preview": self.preview,
        }

    def summary(self) -> str:
        """One line for people, in the active language, each count with its plural form."""
        if self.dry_run:
            created = ngettext(
                "%(n)s client would be created",
                "%(n)s clients would be created",
                self.created,
            )
            updated = ngettext("%(n)s would be updated", "%(n)s would be updated", self.updated)
        else:
            created = ngettext(
                "%(n)s client was created", "%(n)s clients were created", self.created
            )
            updated = ngettext("%(n)s was updated", "%(n)s were updated", self.updated)
        return _("%(rows)s: %(created)s, %(updated)s, %(unchanged)s, %(rejected)s.") % {
            "rows": ngettext("%(n)s row", "%(n)s rows", self.total) % {"n": self.total},
            "created": created % {"n": self.created},
            "updated": updated % {"n": self.updated},
            "unchanged": ngettext("%(n)s unchanged", "%(n)s unchanged", self.unchanged)
            % {"n": self.unchanged},
            "rejected": ngettext("%(n)s row rejected", "%(n)s rows rejected", self.rejected_count)
            % {"n": self.rejected_count},
        }


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y")


def _parse_date(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DomainError(_("Enter the birthday as YYYY-MM-DD or DD.MM.YYYY."), field="birthday")


def _parse_balance(text: str) -> int:
    try:
        return parse_money(text, "uk")
    except MoneyError:
        try:
            # "1,234.56" from an English spreadsheet
            return parse_money(text, "en")
        except MoneyError:
            pass
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is not None and value == value.quantize(Decimal("0.01")):
        return int(value * 100)
    raise DomainError(_("The balance must be an amount like 150.50 or -200."), field="balance")


def _split_tags(text: str) -> list[str]:
    return [part for part in re.split(r"[;,|]", text) if part.strip()]


def _clean_row(raw: dict[str, Any]) -> PlannedRow:
    """One file row validated by the client card's rules; DomainError names the column."""
    fields: dict[str, Any] = {"name": raw.get("name", ""), "phone": raw.get("phone", "")}
    if not str(fields["phone"]).strip():
        raise DomainError(_("The phone is required to import a client."), field="phone")
    for key in ("email", "note"):
        if raw.get(key):
            fields[key] = raw[key]
    if raw.get("birthday"):
        fields["birthday"] = _parse_date(raw["birthday"])
    if raw.get("client_type"):
        word = raw["client_type"].strip().lower()
        fields["client_type"] = TYPE_WORDS.get(word, word)
    if raw.get("status"):
        word = raw["status"].strip().lower()
        fields["status"] = STATUS_WORDS.get(word, word)
    cleaned = _clean_fields(fields)
    tags = _clean_tag_names(_split_tags(raw.get("tags", "")))
    balance = _parse_balance(raw["balance"]) if raw.get("balance") else 0
    return PlannedRow(
        row=raw["_row"],
        action=CREATE,
        name=cleaned["name"],
        phone=cleaned["phone"],
        fields=cleaned,
        tags=tags,
        balance=balance,
    )


def _existing_by_phone(phones: Sequence[str]) -> dict[str, Client]:
    found: dict[str, Client] = {}
    unique = sorted(set(phones))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for client in (
            Client.objects.alive().filter(phone__in=chunk).prefetch_related("tags").order_by("id")
        ):
            found.setdefault(client.phone, client)
    return found


# How a rejected row names the column at fault, in the reader's language.
COLUMN_LABELS = {
    "name": pgettext_lazy("import column", "name"),
    "phone": pgettext_lazy("import column", "phone"),
    "email": pgettext_lazy("import column", "email"),
    "birthday": pgettext_lazy("import column", "birthday"),
    "note": pgettext_lazy("import column", "note"),
    "tags": pgettext_lazy("import column", "tags"),
    "balance": pgettext_lazy("import column", "balance"),
    "client_type": pgettext_lazy("import column", "type"),
    "status": pgettext_lazy("import column", "status"),
}


def _field_label(field_name: str | None) -> str:
    if not field_name:
        return _("row")
    return str(COLUMN_LABELS.get(field_name, field_name))


def _rejection_reason(exc: DomainError) -> str:
    """ "phone: Enter a valid phone number… email: Enter a valid e-mail address." — every
    invalid column of the row, not only the first."""
    problems = exc.errors or [{"field": "", "message": exc.detail}]
    return " ".join(f"{_field_label(p.get('field'))}: {p['message']}" for p in problems)


def plan_rows(rows: Sequence[dict[str, Any]]) -> list[PlannedRow]:
    """Decide, without writing, what importing each row would do."""
    planned: list[PlannedRow] = []
    first_row_of_phone: dict[str, int] = {}
    for raw in rows:
        try:
            row = _clean_row(raw)
        except DomainError as exc:
            planned.append(
                PlannedRow(
                    row=raw["_row"],
                    action=REJECT,
                    name=str(raw.get("name", "")),
                    phone=str(raw.get("phone", "")),
                    reason=_rejection_reason(exc),
                )
            )
            continue
        if row.phone in first_row_of_phone:
            row.action = REJECT
            row.reason = _("phone: the same phone as row %(row)s.") % {
                "row": first_row_of_phone[row.phone]
            }
        else:
            first_row_of_phone[row.phone] = row.row
        planned.append(row)
    existing = _existing_by_phone([r.phone for r in planned if r.action == CREATE])
    for row in planned:
        client = existing.get(row.phone) if row.action == CREATE else None
        if client is None:
            continue
        row.client_id = client.pk
        have = {t.name.lower() for t in client.tags.all()}
        missing_tags = [t for t in row.tags if t.lower() not in have]
        fill = {
            key: value
            for key, value in row.fields.items()
            if key in ("email", "birthday", "note") and value and not getattr(client, key)
        }
        if missing_tags or fill:
            row.action = UPDATE
            row.fields = fill
            row.tags = [t.name for t in client.tags.all()] + missing_tags
        else:
            row.action = UNCHANGED
    return planned


def _report_from_plan(planned: Sequence[PlannedRow], *, dry_run: bool) -> ImportReport:
    report = ImportReport(total=len(planned), dry_run=dry_run)
    for row in planned:
        if row.action == REJECT:
            report.reject(row.row, row.reason)
        elif row.action == CREATE:
            report.created += 1
            report.opening_balances += 1 if row.balance else 0
        elif row.action == UPDATE:
            report.updated += 1
        else:
            report.unchanged += 1
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                {
                    "row": row.row,
                    "action": row.action,
                    "name": row.name,
                    "phone": row.phone,
                    "tags": row.tags,
                    "balance": row.balance if row.action == CREATE else 0,
                    "reason": row.reason,
                }
            )
    return report


def import_dry_run(rows: Sequence[dict[str, Any]]) -> ImportReport:
    """What importing these rows would do; writes nothing."""
    return _report_from_plan(plan_rows(rows), dry_run=True)


# --- 3. Executing -------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def import_execute(
    *,
    organization: Organization,
    rows: Sequence[dict[str, Any]],
    actor: Actor,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import `rows` in batches (one transaction each). Returns the report of what was done.

    The plan is made again here, not taken from an earlier preview, so what is written
    matches the database at the time of writing.
    """
    _require_manager(actor, _("import clients"))
    planned = plan_rows(rows)
    report = _report_from_plan(planned, dry_run=False)
    # Counts are recomputed from what actually happens (a row may still fail to write).
    report.created = report.updated = report.opening_balances = 0
    total = len(planned)
    done = 0
    if progress:
        progress(0, total)
    for start in range(0, total, batch_size):
        batch = planned[start : start + batch_size]
        with transaction.atomic():
            for row in batch:
                _execute_row(row, organization=organization, actor=actor, report=report)
        done += len(batch)
        if progress:
            progress(done, total)
    audit_record(
        organization=organization,
        actor=actor,
        action="client.import",
        changes={
            "total": report.total,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected_count,
        },
    )
    return report


def _execute_row(
    row: PlannedRow, *, organization: Organization, actor: Actor, report: ImportReport
) -> None:
    if row.action in (REJECT, UNCHANGED):
        return
    try:
        with transaction.atomic():  # a savepoint: a failing row leaves the batch intact
            if row.action == CREATE:
                client = client_create(
                    organization=organization, actor=actor, tags=row.tags, **row.fields
                )
                row.client_id = client.pk
                if row.balance:
                    integrations.opening_balance_post(
                        client=client, amount=row.balance, actor=actor
                    )
                    report.opening_balances += 1
                report.created += 1
            else:
                assert row.client_id is not None  # an update row names its client
                client = Client.objects.get(pk=row.client_id)
                client_update(client=client, actor=actor, tags=row.tags, **row.fields)
                report.updated += 1
    except DomainError as exc:
        report.reject(row.row, _rejection_reason(exc))


# --- The staff page: upload → preview → confirm (→ background for large files) --------------


@transaction.atomic
def client_import_upload(
    *,
    organization: Organization,
    file: IO[bytes],
    filename: str,
    actor: Actor,
    size: int | None = None,
) -> ClientImport:
    """Keep the uploaded file with its dry-run report; a bad file raises and keeps nothing."""
    _require_manager(actor, _("import clients"))
    raw = read_limited(file, size)
    rows = parse_bytes(raw, filename)
    report = import_dry_run(rows)
    upload = ClientImport(
        organization=organization,
        original_name=filename[:255],
        total_rows=len(rows),
        preview=report.as_dict(),
        created_by=actor.user,
    )
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    upload.file.save(f"clients{suffix}", ContentFile(raw), save=False)
    upload.save()
    audit_record(organization=organization, actor=actor, action="client.import_upload", obj=upload)
    return upload


def client_import_start(*, upload: ClientImport, actor: Actor) -> ClientImport:
    """Run a previewed import: at once for a small file, in the background for a large one."""
    _require_manager(actor, _("import clients"))
    claimed = ClientImport.objects.filter(
        pk=upload.pk, status=ClientImport.Status.PREVIEWED
    ).update(status=ClientImport.Status.QUEUED)
    if not claimed:
        raise Conflict(_("This import has already been started."))
    upload.refresh_from_db()
    if upload.total_rows <= SYNC_MAX_ROWS:
        client_import_run(upload=upload, actor=actor)
    else:
        from zapys.clients.tasks import client_import_task

        user_id = actor.user.pk if actor.user else None
        transaction.on_commit(lambda: client_import_task(upload.pk, user_id))
    upload.refresh_from_db()
    return upload


def client_import_run(*, upload: ClientImport, actor: Actor) -> ClientImport:
    """Execute an uploaded import, recording progress on the row the page polls."""
    ClientImport.objects.filter(pk=upload.pk).update(
        status=ClientImport.Status.RUNNING, processed_rows=0
    )

    def progress(done: int, total: int) -> None:
        ClientImport.objects.filter(pk=upload.pk).update(processed_rows=done, total_rows=total)

    try:
        with upload.file.open("rb") as fh:
            rows = parse_bytes(fh.read(), upload.original_name)
        report = import_execute(
            organization=upload.organization, rows=rows, actor=actor, progress=progress
        )
    except DomainError as exc:
        ClientImport.objects.filter(pk=upload.pk).update(
            status=ClientImport.Status.FAILED, error=exc.detail, finished_at=timezone.now()
        )
    else:
        ClientImport.objects.filter(pk=upload.pk).update(
            status=ClientImport.Status.DONE, report=report.as_dict(), finished_at=timezone.now()
        )
    upload.refresh_from_db()
    return upload
