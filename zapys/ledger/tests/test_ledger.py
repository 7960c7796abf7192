"""Ledger services: entries, cancellation, balances, immutability in the model layer."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.factories import make_org
from tests.factories_ledger import make_client, make_entry
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.ledger import selectors, services
from zapys.ledger.models import Account, Entry, LedgerImmutableError


def test_balance_is_debits_minus_credits_of_active_entries(org, actor):
    client = make_client(org)
    make_entry(client, "debit", 50_000)
    credit = make_entry(client, "credit", 20_000, purpose="service")
    make_entry(client, "credit", 1_000, purpose="service")
    assert selectors.client_balance(client) == 29_000
    services.entry_cancel(entry=credit, actor=actor, reason="typo")
    assert selectors.client_balance(client) == 49_000
    assert selectors.balances_for([client.pk, 999_999]) == {client.pk: 49_000, 999_999: 0}


def test_base_account_is_created_once(org):
    client = make_client(org)
    make_entry(client)
    make_entry(client)
    assert Account.objects.filter(client=client).count() == 1


def test_cancel_keeps_the_entry_and_writes_audit(org, actor):
    client = make_client(org)
    entry = make_entry(client, amount=700)
    cancelled = services.entry_cancel(entry=entry, actor=actor, reason="wrong client")
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at is not None
    assert cancelled.cancel_reason == "wrong client"
    assert cancelled.amount == 700 and cancelled.kind == "debit"
    assert AuditLog.objects.filter(action="ledger.entry_cancel", object_id=str(entry.pk)).exists()
    with pytest.raises(Conflict):
        services.entry_cancel(entry=entry, actor=actor)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": True}, "amount"),
        ({"kind": "both"}, "kind"),
        ({"purpose": "gift"}, "purpose"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(org, actor, kwargs, field):
    client = make_client(org)
    args = {"kind": "debit", "amount": 100, "purpose": "payment", **kwargs}
    before = (Entry.objects.count(), AuditLog.objects.count())
    with pytest.raises(DomainError) as exc:
        services.entry_create(client=client, actor=actor, **args)
    assert exc.value.errors[0]["field"] == field
    assert (Entry.objects.count(), AuditLog.objects.count()) == before


def test_model_layer_refuses_edits_and_deletes(org):
    client = make_client(org)
    entry = make_entry(client)
    entry.amount = 1
    with pytest.raises(LedgerImmutableError):
        entry.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        Entry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(LedgerImmutableError):
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(LedgerImmutableError):
        Entry.objects.bulk_update([entry], ["amount"])
    assert Entry.objects.get(pk=entry.pk).amount == 10_000


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET amount = 1 WHERE id = %s",
        "UPDATE ledger_entry SET kind = 'credit' WHERE id = %s",
        "UPDATE ledger_entry SET status = 'cancelled', cancelled_at = created_at, amount = 5 WHERE id = %s",
        "DELETE FROM ledger_entry WHERE id = %s",
    ],
)
def test_database_trigger_rejects_raw_sql(org, sql):
    client = make_client(org)
    entry = make_entry(client, amount=4_200)
    # IntegrityError/InternalError by vendor
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert "immutable" in str(exc.value)
    row = Entry.objects.values("amount", "kind", "status").get(pk=entry.pk)
    assert row == {"amount": 4_200, "kind": "debit", "status": "active"}


def test_database_trigger_allows_only_the_cancel_update(org):
    client = make_client(org)
    entry = make_entry(client)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_entry SET status = 'cancelled', cancelled_at = created_at,"
            " cancel_reason = 'x' WHERE id = %s",
            [entry.pk],
        )
    assert Entry.objects.get(pk=entry.pk).status == "cancelled"
    # ...and never back.
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_entry SET status = 'active', cancelled_at = NULL WHERE id = %s",
            [entry.pk],
        )


def test_deleting_a_whole_organization_removes_its_ledger(db):

    doomed = make_org("Closing down")
    with org_scope(doomed):
        make_entry(make_client(doomed))
    keeper = make_org("Staying")
    with org_scope(keeper):
        kept = make_entry(make_client(keeper))
    doomed.delete()
    with org_scope(keeper):
        assert Entry.objects.filter(pk=kept.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ledger_erase_permit")
        assert cursor.fetchone()[0] == 0


def test_entries_for_cause(org, actor):
    client = make_client(org)
    other = make_client(org)
    make_entry(client, cause=other)
    make_entry(client)
    assert selectors.entries_for_cause(other).count() == 1


def test_account_of_another_client_is_refused(org, actor):
    a, b = make_client(org), make_client(org)
    acc = services.account_base_for(client=b)
    with pytest.raises(DomainError):
        services.entry_create(
            client=a, kind="debit", amount=1, purpose="payment", actor=actor, account=acc
        )
