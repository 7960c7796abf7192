"""Import clients with tags and opening balances from CSV or XLSX (C8).

Three steps, shared by the staff page (through the worker) and `manage.py import_clients`:

1. `read_rows(file, filename)` parses the file into dicts keyed by our column names, within
   the limits of `zapys.clients.import_files` (size, rows, columns, unpacked XLSX size). A
   file that breaks one, is not CSV/XLSX, or has no name/phone columns raises
   `ImportFileError` before anything is looked at — nothing is written.
2. `plan_rows(rows)` validates every row with the same rules as the client card and
   decides what would happen: create, update (add tags / fill blank fields of the client
   with that phone), unchanged, or reject (row number + reason). Reads only.
3. `import_execute(plan, ...)` carries the plan out in batches, one transaction per batch,
   through the client services (audit rows included). Matching by phone makes a re-run
   idempotent: a second run finds every client and creates nothing, and an opening
   balance is posted only for a client the import created.

The staff page never parses a file in the web request (issue 10: an 84 KB XLSX used to
cost a web worker 13 s and 190 MB). The upload is stored in the private storage and the
worker checks it and makes the dry-run report; the confirmation queues the import for the
worker too. The page polls the `ClientImport` row meanwhile.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from zapys.accounts.models import Organization
from zapys.clients import hooks
from zapys.clients.import_files import (
    COLUMNS,
    MAX_FILE_BYTES,
    ImportFileError,
    check_upload,
    file_kind,
    read_file,
)
from zapys.clients.models import Client, ClientImport
from zapys.clients.services import (
    _clean_fields,
    _clean_tag_names,
    _require_manager,
    client_create,
    client_update,
)
from zapys.core.audit import Actor, audit_record, audit_record_many
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.money import MoneyError, parse_money
from zapys.core.private_storage import private_storage
from zapys.core.tenancy import unscoped

__all__ = ["COLUMNS", "MAX_FILE_BYTES", "ImportFileError", "read_rows"]

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
REPORT_MAX_REJECTED = 1000
PREVIEW_ROWS = 50
#: how much of a rejected row's name and phone the preview keeps
PREVIEW_TEXT_CHARS = 200

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


# --- 1. Reading ---------------------------------------------------------------------------


def read_rows(file: IO[bytes], filename: str, size: int | None = None) -> list[dict[str, Any]]:
    """Parse a CSV/XLSX file into rows keyed by column (with `_row`, the line), within the
    limits. For the worker and the management command: never call it in a web request."""
    return read_file(file, check_upload(filename=filename, size=size))


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
                    "name": row.name[:PREVIEW_TEXT_CHARS],
                    "phone": row.phone[:PREVIEW_TEXT_CHARS],
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
                    hooks.opening_balance_post(client=client, amount=row.balance, actor=actor)
                    report.opening_balances += 1
                report.created += 1
            else:
                assert row.client_id is not None  # an update row names its client
                client = Client.objects.get(pk=row.client_id)
                client_update(client=client, actor=actor, tags=row.tags, **row.fields)
                report.updated += 1
    except DomainError as exc:
        report.reject(row.row, _rejection_reason(exc))


# --- The staff page: upload → (worker) check + dry run → confirm → (worker) import ------------

#: the safety net: an import file older than this is deleted whatever its import's state
FILE_MAX_AGE = timedelta(days=1)
#: a check or an import queued this long ago and not started is queued again (the queue
#: was down, or a worker died holding the task)
NUDGE_AFTER = timedelta(minutes=10)
IMPORT_FOLDER = "client-imports"
_UNFINISHED = (
    ClientImport.Status.CHECKING,
    ClientImport.Status.PREVIEWED,
    ClientImport.Status.QUEUED,
    ClientImport.Status.RUNNING,
)


def _short_name(filename: str) -> str:
    """The uploaded name for people, at most 255 characters, its extension kept."""
    name = PurePath(filename).name or filename
    if len(name) <= 255:
        return name
    suffix = PurePath(name).suffix[:16]
    return name[: 255 - len(suffix) - 1] + "…" + suffix


def _enqueue_check(import_id: int, language: str) -> None:
    from zapys.clients.tasks import client_import_check_task

    try:
        client_import_check_task(import_id, language)
    except Exception:  # the queue is down: the periodic job queues it again
        logger.exception("could not queue the check of client import %s", import_id)


def _enqueue_run(import_id: int, language: str) -> None:
    from zapys.clients.tasks import client_import_task

    try:
        client_import_task(import_id, language)
    except Exception:  # the queue is down: the periodic job queues it again
        logger.exception("could not queue client import %s", import_id)


def client_import_upload(
    *,
    organization: Organization,
    file: IO[bytes],
    filename: str,
    actor: Actor,
    size: int | None = None,
) -> ClientImport:
    """Keep the uploaded file in the private storage and queue the worker's check.

    Nothing here opens the file: the kind is known from its name and the size from the
    upload, so a spreadsheet bomb costs the web request no more than its bytes.
    """
    _require_manager(actor, _("import clients"))
    if size is None:
        size = file.seek(0, 2)
        file.seek(0)
    check_upload(filename=filename, size=size)
    language = translation.get_language() or organization.language
    with transaction.atomic():
        upload = ClientImport(
            organization=organization,
            original_name=_short_name(filename),
            status=ClientImport.Status.CHECKING,
            created_by=actor.user,
        )
        # The name passed here is ignored: `client_import_file_name` makes an opaque one.
        # If the transaction fails after this, the file is an orphan the job deletes.
        upload.file.save("upload", File(file), save=False)
        upload.save()
        audit_record(
            organization=organization, actor=actor, action="client.import_upload", obj=upload
        )
        import_id = upload.pk
        transaction.on_commit(lambda: _enqueue_check(import_id, language))
    return upload


def _read_upload(upload: ClientImport) -> list[dict[str, Any]]:
    gone = ImportFileError(_("The uploaded file is no longer kept. Upload it again."))
    if not upload.file.name:
        raise gone
    try:
        with private_storage.open(upload.file.name, "rb") as fh:
            return read_file(fh, file_kind(upload.original_name))
    except FileNotFoundError:
        raise gone from None


def _delete_file(upload: ClientImport) -> None:
    """Delete the import's file now that nothing needs it (the import finished or failed)."""
    name = upload.file.name
    if name:
        private_storage.delete(name)  # a file already gone is no error
    ClientImport.objects.filter(pk=upload.pk).update(file="")


def client_import_check(*, upload: ClientImport, actor: Actor) -> ClientImport:
    """Worker: read the uploaded file within the limits and make its dry-run report.

    A refused file is deleted at once and the page shows why; a readable one waits for the
    confirmation (or the job deletes it after a day). Runs once per upload: the status
    moves from checking with a conditional update, so a second delivery of the task does
    nothing.
    """
    if upload.status != ClientImport.Status.CHECKING:
        return upload
    try:
        rows = _read_upload(upload)
        report = import_dry_run(rows)
    except ImportFileError as exc:
        with transaction.atomic():
            moved = ClientImport.objects.filter(
                pk=upload.pk, status=ClientImport.Status.CHECKING
            ).update(
                status=ClientImport.Status.REFUSED, error=exc.detail, finished_at=timezone.now()
            )
            if moved:
                audit_record(
                    organization=upload.organization,
                    actor=actor,
                    action="client.import_refuse",
                    obj=upload,
                    changes={"error": exc.detail},
                )
        if moved:
            _delete_file(upload)
    else:
        with transaction.atomic():
            moved = ClientImport.objects.filter(
                pk=upload.pk, status=ClientImport.Status.CHECKING
            ).update(
                status=ClientImport.Status.PREVIEWED, total_rows=len(rows), preview=report.as_dict()
            )
            if moved:
                audit_record(
                    organization=upload.organization,
                    actor=actor,
                    action="client.import_preview",
                    obj=upload,
                    changes={"rows": len(rows)},
                )
    upload.refresh_from_db()
    return upload


def client_import_start(*, upload: ClientImport, actor: Actor) -> ClientImport:
    """Confirm a previewed import: the worker carries it out, the page shows the progress."""
    _require_manager(actor, _("import clients"))
    language = translation.get_language() or upload.organization.language
    with transaction.atomic():
        claimed = ClientImport.objects.filter(
            pk=upload.pk, status=ClientImport.Status.PREVIEWED
        ).update(
            status=ClientImport.Status.QUEUED, started_at=timezone.now(), started_by=actor.user
        )
        if not claimed:
            raise Conflict(_("This import has already been started."))
        audit_record(
            organization=upload.organization, actor=actor, action="client.import_start", obj=upload
        )
        import_id = upload.pk
        transaction.on_commit(lambda: _enqueue_run(import_id, language))
    upload.refresh_from_db()
    return upload


def client_import_run(*, upload: ClientImport, actor: Actor) -> ClientImport:
    """Worker: execute a confirmed import, recording progress on the row the page polls.
    The file is deleted when it ends, whatever the outcome."""
    claimed = ClientImport.objects.filter(pk=upload.pk, status=ClientImport.Status.QUEUED).update(
        status=ClientImport.Status.RUNNING, processed_rows=0
    )
    if not claimed:  # another delivery of the task got it, or it is no longer queued
        upload.refresh_from_db()
        return upload

    def progress(done: int, total: int) -> None:
        ClientImport.objects.filter(pk=upload.pk).update(processed_rows=done, total_rows=total)

    try:
        rows = _read_upload(upload)
        report = import_execute(
            organization=upload.organization, rows=rows, actor=actor, progress=progress
        )
    except DomainError as exc:
        ClientImport.objects.filter(pk=upload.pk).update(
            status=ClientImport.Status.FAILED, error=exc.detail, finished_at=timezone.now()
        )
    except Exception:
        ClientImport.objects.filter(pk=upload.pk).update(
            status=ClientImport.Status.FAILED,
            error=_(
                "The import stopped because of an error. Clients imported so far are kept; "
                "upload the file again to import the rest (nobody is added twice)."
            ),
            finished_at=timezone.now(),
        )
        raise
    else:
        ClientImport.objects.filter(pk=upload.pk).update(
            status=ClientImport.Status.DONE, report=report.as_dict(), finished_at=timezone.now()
        )
    finally:
        _delete_file(upload)
    upload.refresh_from_db()
    return upload


@dataclass
class FilesSweep:
    deleted: int = 0
    expired: int = 0
    requeued: int = 0

    def summary(self) -> str:
        return (
            f"deleted {self.deleted} import files older than a day, expired {self.expired} "
            f"imports, queued {self.requeued} again"
        )


def _stale_files(cutoff: datetime) -> list[str]:
    try:
        _folders, names = private_storage.listdir(IMPORT_FOLDER)
    except FileNotFoundError:
        return []
    stale = []
    for name in names:
        path = f"{IMPORT_FOLDER}/{name}"
        try:
            if private_storage.get_modified_time(path) < cutoff:
                stale.append(path)
        except FileNotFoundError:  # deleted meanwhile by a finishing import
            continue
    return stale


def client_import_files_sweep(*, now: datetime, batch_size: int = 500) -> FilesSweep:
    """The periodic safety net (job `clients.import_files`).

    1. Deletes every import file older than a day — a finished import has already deleted
       its own, so these belong to imports never confirmed, interrupted, or to uploads whose
       transaction failed — and expires the imports that still waited for them.
    2. Queues again the checks and imports whose task was lost (the queue was down, or a
       worker died holding it); the conditional status moves make a duplicate harmless.
    """
    result = FilesSweep()
    cutoff = now - FILE_MAX_AGE
    stale = _stale_files(cutoff)
    scheduler = Actor.scheduler("clients.import_files")
    with unscoped():
        for start in range(0, len(stale), batch_size):
            names = stale[start : start + batch_size]
            for name in names:
                private_storage.delete(name)
            result.deleted += len(names)
            with transaction.atomic():
                rows = ClientImport.objects.filter(file__in=names)
                expired = list(rows.filter(status__in=_UNFINISHED).values_list("pk", flat=True))
                rows.update(file="")
                if expired:
                    ClientImport.objects.filter(pk__in=expired).update(
                        status=ClientImport.Status.EXPIRED, finished_at=now
                    )
                    audit_record_many(
                        model=ClientImport,
                        ids=expired,
                        actor=scheduler,
                        action="client.import_expire",
                    )
                result.expired += len(expired)
        lost = (
            ClientImport.objects.filter(
                Q(status=ClientImport.Status.CHECKING, created_at__lt=now - NUDGE_AFTER)
                | Q(status=ClientImport.Status.QUEUED, started_at__lt=now - NUDGE_AFTER),
                created_at__gte=cutoff,
            )
            .exclude(file="")
            .values_list("pk", "status", "organization__language")[:batch_size]
        )
        for import_id, status, language in lost:
            if status == ClientImport.Status.CHECKING:
                _enqueue_check(import_id, language)
            else:
                _enqueue_run(import_id, language)
            result.requeued += 1
    return result
