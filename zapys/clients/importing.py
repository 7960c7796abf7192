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

The steps live in their own modules: reading in `import_files`, planning (parsing the
cells, matching by phone) in `import_plan`, writing in `import_write`; this module is the
staff page's workflow around them and re-exports the names callers import from here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.clients.import_files import (
    COLUMNS,
    MAX_FILE_BYTES,
    ImportFileError,
    check_upload,
    file_kind,
    read_file,
)
from zapys.clients.import_plan import (
    COLUMN_LABELS,
    CREATE,
    PREVIEW_ROWS,
    PREVIEW_TEXT_CHARS,
    REJECT,
    REPORT_MAX_REJECTED,
    STATUS_WORDS,
    TYPE_WORDS,
    UNCHANGED,
    UPDATE,
    ImportReport,
    PlannedRow,
    import_dry_run,
    plan_rows,
)
from zapys.clients.import_write import BATCH_SIZE, Progress, import_execute
from zapys.clients.models import ClientImport
from zapys.clients.services import _require_manager
from zapys.core.audit import Actor, audit_record, audit_record_many
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.private_storage import private_storage
from zapys.core.tenancy import unscoped

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "COLUMN_LABELS",
    "CREATE",
    "FILE_MAX_AGE",
    "IMPORT_FOLDER",
    "MAX_FILE_BYTES",
    "NUDGE_AFTER",
    "PREVIEW_ROWS",
    "PREVIEW_TEXT_CHARS",
    "REJECT",
    "REPORT_MAX_REJECTED",
    "STATUS_WORDS",
    "TYPE_WORDS",
    "UNCHANGED",
    "UPDATE",
    "FilesSweep",
    "ImportFileError",
    "ImportReport",
    "PlannedRow",
    "Progress",
    "client_import_check",
    "client_import_files_sweep",
    "client_import_run",
    "client_import_start",
    "client_import_upload",
    "import_dry_run",
    "import_execute",
    "plan_rows",
    "read_rows",
]


logger = logging.getLogger(__name__)


def read_rows(file: IO[bytes], filename: str, size: int | None = None) -> list[dict[str, Any]]:
    """Parse a CSV/XLSX file into rows keyed by column (with `_row`, the line), within the
    limits. For the worker and the management command: never call it in a web request."""
    return read_file(file, check_upload(filename=filename, size=size))


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
    # Imported here: `clients.tasks` imports this module for the functions its tasks run.
    from zapys.clients.tasks import client_import_check_task

    try:
        client_import_check_task(import_id, language)
    except Exception:  # the queue is down: the periodic job queues it again
        logger.exception("could not queue the check of client import %s", import_id)


def _enqueue_run(import_id: int, language: str) -> None:
    # Imported here: `clients.tasks` imports this module for the functions its tasks run.
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
