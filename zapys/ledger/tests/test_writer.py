"""The ledger's statement-level writer (`ledger.services.LedgerWrite`): the money service's
rows in one INSERT per table inside the caller's transaction, never a savepoint; a refusal
raised before anything is written, so the caller's transaction stays usable; all audit rows
in one INSERT, as informative as one by one."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_ledger import make_client
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope, unscoped
from zapys.ledger import services
from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt
from zapys.ledger.money import Received, SoldLine, money_received_many, money_received_record

pytestmark = pytest.mark.django_db


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def test_money_inside_a_transaction_opens_no_savepoint_and_audits_in_one_insert(org, branch):
    client = make_client(org)
    for method in ("cash", "card"):  # the article and payment types, created on first use
        money_received_record(
            client=client, amount=100, purpose="top_up", article="services", actor=SYSTEM,
            cause=None, comment="first", deposit_line="Top-up", branch=branch, method=method,
        )  # fmt: skip
    audit_before = AuditLog.objects.count()
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        recorded = money_received_many(
            client=client,
            received=[Received(30_000, "cash"), Received(15_000, "card")],
            purpose=Entry.Purpose.PAYMENT,
            article="services",
            actor=SYSTEM,
            cause=None,
            comment="Visit",
            sold=[SoldLine("Haircut", 45_000)],
            branch=branch,
        )
    sql = _statements(ctx)
    assert not [s for s in sql if "SAVEPOINT" in s.upper()], sql
    for table in ("ledger_entry", "ledger_financialoperation", "ledger_salesreceipt"):
        assert sum(1 for s in sql if s.startswith(f'INSERT INTO "{table}"')) == 1, table
    assert sum(1 for s in sql if s.startswith('INSERT INTO "core_auditlog"')) == 1
    # the objects carry their ids (nothing read back) and are linked
    receipt = recorded[0].receipt
    assert receipt is not None and receipt.pk and recorded[1].receipt is receipt
    for money in recorded:
        assert money.operation is not None and money.operation.entry_id == money.entry.pk
    assert SalesReceipt.objects.get(pk=receipt.pk).paid == 45_000
    assert sorted(
        p.entry_id for p in SalesReceipt.objects.get(pk=receipt.pk).payments.all()
    ) == sorted(m.entry.pk for m in recorded)
    # one audit row per row, as before: entries, operations, the receipt
    rows = list(AuditLog.objects.order_by("id")[audit_before:])
    assert [r.action for r in rows] == [
        "ledger.entry_create",
        "ledger.operation_create",
        "ledger.entry_create",
        "ledger.operation_create",
        "ledger.receipt_create",
    ]
    assert rows[0].object_id == str(recorded[0].entry.pk)
    assert rows[0].changes["amount"] == [None, 30_000]
    assert rows[1].changes["entry"] == [None, recorded[0].entry.pk]
    assert rows[4].object_repr == str(receipt) and "#" not in rows[4].object_repr
    assert {r.organization_id for r in rows} == {org.pk}


def test_a_refusal_writes_nothing_and_leaves_the_callers_transaction_usable(org, branch):
    client = make_client(org)
    entries, audit = Entry.objects.count(), AuditLog.objects.count()
    with transaction.atomic():
        with pytest.raises(DomainError):
            money_received_record(
                client=client, amount=100, purpose="top_up", article="services",
                actor=SYSTEM, cause=None, comment="x" * 501, deposit_line="Top-up",
                branch=branch,
            )  # fmt: skip
        with pytest.raises(DomainError):
            services.financial_operation_create(
                organization=org, branch=branch, kind="expense", amount=100, actor=SYSTEM,
                article=services.finance_article_for(organization=org, code="services"),
            )  # fmt: skip
        # no savepoint was needed: the transaction goes on
        assert Entry.objects.count() == entries
        assert FinancialOperation.objects.count() == 0
        entry = services.entry_create(
            client=client, kind="debit", amount=500, purpose="top_up", actor=SYSTEM
        )
    assert Entry.objects.count() == entries + 1 and entry.pk
    assert AuditLog.objects.count() == audit + 1


def test_a_write_is_saved_inside_a_transaction_only_once(org):
    client = make_client(org)
    write = services.LedgerWrite(organization=org, actor=SYSTEM)
    write.entry(client=client, kind="debit", amount=100, purpose="top_up")
    with transaction.atomic():
        write.save()
        with pytest.raises(AssertionError):
            write.save()


def test_a_batch_over_organizations_audits_each_row_in_its_own(org):
    other = make_org("Other")
    with org_scope(other):
        make_branch(other)
        theirs = make_client(other)
    mine = make_client(org)
    with unscoped():
        accounts = services.accounts_base_for_clients([mine, theirs])
        write = services.LedgerWrite(organization=None, actor=SYSTEM)
        made = [
            write.entry(client=c, kind="credit", amount=700, purpose="fee", account=accounts[c.pk])
            for c in (mine, theirs)
        ]
        with pytest.raises(ValueError):
            write.receipt(branch=None, client=None, lines=[("x", 1)], payments=[])  # type: ignore[arg-type]
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            write.save()
        assert len(ctx.captured_queries) == 2  # the entries, their audit rows
        rows = {
            r.object_id: r.organization_id
            for r in AuditLog.objects.filter(action="ledger.entry_create")
        }
    assert rows[str(made[0].pk)] == org.pk and rows[str(made[1].pk)] == other.pk
    assert made[0].account_id == accounts[mine.pk].pk
