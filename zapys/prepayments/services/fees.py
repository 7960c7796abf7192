"""The no-show fee job (X3): fees past their review window and not waived are charged.

Set-based per batch: the due fees are claimed (FOR UPDATE SKIP LOCKED on PostgreSQL) and
moved pending → charged by one conditional UPDATE, so two ticks never charge one fee twice;
the clients, organizations and bookings the messages need are read once per batch; the
fees' charges are written by the ledger's writer (`ledger.services.LedgerWrite`): the
clients' accounts read in one query, every entry in one INSERT and their audit rows in
one; the fees are linked to their entries by one UPDATE; the fees' audit rows are one
INSERT ... SELECT; the clients' messages one outbox write per organization. The whole
batch costs the same number of statements whatever its size (`tests/test_fee_job.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_noop, override

from zapys.accounts.models import Organization
from zapys.core.audit import Actor, audit_record_many
from zapys.core.money import format_money
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import org_scope, unscoped
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry
from zapys.messaging.services import Outgoing, message_send_many
from zapys.prepayments import events
from zapys.prepayments.models import Fee
from zapys.prepayments.selectors import message_variables
from zapys.prepayments.texts import VISIT_NAMED_BY, visit_named

BATCH_SIZE = 500
ACTOR = Actor.scheduler("prepayments.fees")

#: the fee's ledger comment, per kind (a msgid: read in each reader's language), naming the
#: visit by what it is and when (`texts.visit_named`), never by its number
_FEE_COMMENTS: dict[str, str] = {
    Fee.Kind.LATE_CANCEL: gettext_noop("Late cancellation fee: %(visit)s"),
    Fee.Kind.NO_SHOW: gettext_noop("No-show fee: %(visit)s"),
}


def fee_entry_create(fee: Fee, actor: Actor) -> Entry:
    """The fee as a charge on the client's balance (where the prepayment sits): one writer for the staff's charge and the due-fee job
    (`fee_entries_queue`, many at once)."""
    write = ledger.LedgerWrite(organization=fee.organization, actor=actor)
    (entry,) = fee_entries_queue([fee], write)
    with transaction.atomic(savepoint=False):
        write.save()
    return entry


def fee_entries_queue(
    fees: Sequence[Fee], write: ledger.LedgerWrite, accounts: dict[int, Any] | None = None
) -> list[Entry]:
    """The fees' charges queued in `write` (written by its `save()`, all in one INSERT):
    `accounts` ({client_id: base account}) when the caller read them for the batch."""
    entries = []
    for fee in fees:
        # read in each reader's language; the text kept beside it (the API's, the searches')
        # in the organization's
        with override(fee.organization.language or "uk"):
            entries.append(
                write.entry(
                    client=fee.client,
                    kind=Entry.Kind.CREDIT,
                    amount=fee.amount,
                    purpose=Entry.Purpose.FEE,
                    account=accounts.get(fee.client_id) if accounts is not None else None,
                    cause=fee,
                    # the visit's branch, as the visit's other money rows have it: an empty
                    # branch left the fee out of that branch's reports (sixth tour)
                    branch=fee.visit.branch,
                    comment=StoredText(
                        _FEE_COMMENTS[fee.kind], visit=visit_named(fee.visit, fee.organization)
                    ),
                )
            )
    return entries


def _claim(now: datetime, size: int) -> list[int]:
    qs = Fee.objects.filter(state=Fee.State.PENDING, charge_at__lte=now).order_by("charge_at", "id")
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.values_list("id", flat=True)[:size])


def fees_charge_batch(now: datetime, *, size: int = BATCH_SIZE) -> int:
    """Charge one batch of due fees; returns how many (0: nothing was due)."""
    from zapys.prepayments.sweeps import _load  # the sweep's batch loader of bookings

    with unscoped(), transaction.atomic():
        ids = _claim(now, size)
        if not ids:
            return 0
        moved = Fee.objects.filter(pk__in=ids, state=Fee.State.PENDING).update(
            state=Fee.State.CHARGED, charged_at=now
        )
        if moved != len(ids):  # pragma: no cover - the rows are locked/serialised
            raise RuntimeError("prepayments: fee batch lost rows it had claimed")
        fees = list(
            Fee.objects.filter(pk__in=ids)
            .select_related("client", "visit__branch", *VISIT_NAMED_BY)
            .order_by("id")
        )
        orgs = Organization.objects.in_bulk({f.organization_id for f in fees})
        for fee in fees:
            org = orgs[fee.organization_id]
            fee.organization = org
            fee.client.organization = org
        # every organization's charges in one write: entries in one INSERT, audit in one
        write = ledger.LedgerWrite(organization=None, actor=ACTOR)
        accounts = ledger.accounts_base_for_clients([f.client for f in fees])
        written = fee_entries_queue(fees, write, accounts)
        write.save()
        entries = {fee.pk: entry.pk for fee, entry in zip(fees, written, strict=True)}
        Fee.objects.filter(pk__in=ids).update(
            entry_id_charged=Case(
                *[When(pk=pk, then=Value(entry_id)) for pk, entry_id in entries.items()],
                output_field=BigIntegerField(),
            )
        )
        audit_record_many(
            model=Fee,
            ids=ids,
            actor=ACTOR,
            action="fee.charge",
            changes={"state": [Fee.State.PENDING, Fee.State.CHARGED]},
        )
        bookings = {b.pk: b for b in _load([f.booking_id for f in fees if f.booking_id])}
        by_org: dict[int, list[Outgoing]] = defaultdict(list)
        for fee in fees:
            booking = bookings.get(fee.booking_id) if fee.booking_id else None
            if booking is None:
                continue
            with override(orgs[fee.organization_id].language or "uk"):
                variables = {
                    **message_variables(booking),
                    "fee": format_money(fee.amount, fee.currency),
                }
            by_org[fee.organization_id].append(
                Outgoing(
                    client=booking.client,
                    variables=variables,
                    idempotency_key=f"booking:{booking.pk}:fee-charged",
                    related=booking,
                    channel=booking.channel,
                )
            )
        for org_id, outgoing in by_org.items():
            org = orgs[org_id]
            with org_scope(org), override(org.language or "uk"):
                message_send_many(
                    organization=org, event=events.FEE_CHARGED, messages=outgoing, now=now
                )
    return len(ids)


def fees_charge_due(now: datetime | None = None, *, max_batches: int = 100) -> int:
    """No-show fees past their review window and not waived: charged, the clients told."""
    now = now or timezone.now()
    charged = 0
    for _i in range(max_batches):
        n = fees_charge_batch(now)
        charged += n
        if n < BATCH_SIZE:
            break
    return charged
