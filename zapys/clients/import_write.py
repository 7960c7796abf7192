"""Writing a client import (step 3 of `zapys.clients.importing`): the plan carried out in
batches, one transaction per batch and a savepoint per row, through the client services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.clients import hooks
from zapys.clients.import_plan import (
    CREATE,
    REJECT,
    UNCHANGED,
    ImportReport,
    PlannedRow,
    plan_rows,
    rejection_reason,
    report_from_plan,
)
from zapys.clients.models import Client
from zapys.clients.services import _require_manager, client_create, client_update
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError

BATCH_SIZE = 200


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
    report = report_from_plan(planned, dry_run=False)
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
        report.reject(row.row, rejection_reason(exc))
