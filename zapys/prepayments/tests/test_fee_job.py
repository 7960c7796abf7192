"""The no-show fee job is set-based per batch: the whole batch — the ledger's charges
included (one INSERT of entries, one of their audit rows) — costs the same number of
statements for 2 fees as for 5; each fee is charged once, linked to its ledger entry,
audited, and its client told once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message
from zapys.prepayments import services
from zapys.prepayments.models import Fee
from zapys.prepayments.services import fees as fee_job


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _due_fees(org, branch, n: int, now) -> list[Fee]:
    fees = []
    for i in range(n):
        booking = make_booking(org, branch)
        fees.append(
            Fee.objects.for_org(org).create(
                organization=org,
                visit=booking.visit,
                booking=booking,
                client=booking.client,
                kind=Fee.Kind.NO_SHOW,
                amount=5_000 + i,
                currency="UAH",
                charge_at=now - timedelta(minutes=1),
            )
        )
    return fees


def _ledger_write(sql: str) -> bool:
    """A statement of the ledger's writer."""
    return "ledger_" in sql or "ledger.entry_create" in sql


def _run(now) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        charged = fee_job.fees_charge_batch(now)
    ledger = sum(1 for q in ctx.captured_queries if _ledger_write(q["sql"]))
    return charged, len(ctx) - ledger, ledger


def test_the_fee_job_costs_the_same_per_batch_ledger_write_included(org, branch, ready):
    now = timezone.now()
    small = _due_fees(org, branch, 2, now)
    charged, other_small, ledger_small = _run(now)
    assert charged == 2
    large = _due_fees(org, branch, 5, now)
    charged, other_large, ledger_large = _run(now)
    assert charged == 5
    assert other_small == other_large, (other_small, other_large)
    # The ledger's writer too: the accounts read once, every entry in one INSERT, their
    # audit rows in one — the same statements for 2 fees as for 5 (it was 3 per fee).
    assert ledger_small == ledger_large, (ledger_small, ledger_large)

    for fee in small + large:
        fee.refresh_from_db()
        assert fee.state == "charged" and fee.charged_at == now
        entry = Entry.objects.get(pk=fee.entry_id_charged)
        assert (entry.amount, entry.purpose, entry.kind) == (fee.amount, "fee", "credit")
        assert entry.cause_id == str(fee.pk)
        assert client_balance(fee.client) == -fee.amount
        told = Message.objects.filter(client=fee.client, event="prepayments.fee_charged")
        assert told.count() == 1
    assert AuditLog.objects.filter(action="fee.charge").count() == 7

    # Nothing due any more: nothing charged twice.
    entries = Entry.objects.count()
    assert services.fees_charge_due(now + timedelta(days=1)) == 0
    assert Entry.objects.count() == entries


def test_a_waived_or_future_fee_is_not_charged(org, branch, ready):
    now = timezone.now()
    waived, future = _due_fees(org, branch, 2, now)
    services.fee_waive(fee=waived, actor=SYSTEM, reason="came late, talked to the owner")
    Fee.objects.filter(pk=future.pk).update(charge_at=now + timedelta(hours=2))
    assert services.fees_charge_due(now) == 0
    assert not Entry.objects.filter(purpose="fee").exists()
    assert not Message.objects.filter(event="prepayments.fee_charged").exists()
