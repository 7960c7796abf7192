"""Emptying the ledger wholesale is refused by the database (issue 10, migration 0006).

PostgreSQL's TRUNCATE fires no row triggers, so the append-only row trigger of 0002 did
not stop it; a statement trigger does now. SQLite has no TRUNCATE: its whole-table
DELETE is refused row by row by 0002's trigger (checked here as the SQLite
counterpart, it held before 0006 too). The project's `flush` still empties test
databases through the erase permit.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.factories_ledger import make_client, make_entry
from zapys.core.tenancy import unscoped
from zapys.ledger.erase import erase_everything
from zapys.ledger.models import Entry


def _rows() -> list[tuple]:
    with unscoped():
        return sorted(Entry.objects.values_list("pk", "amount", "status"))


@pytest.fixture
def entries(org):
    client = make_client(org)
    make_entry(client, "debit", 50_000)
    make_entry(client, "credit", 20_000, purpose="service")
    rows = _rows()
    assert len(rows) == 2
    return rows


def _settle_foreign_keys(cursor) -> None:
    """The rows were inserted in this test's transaction: PostgreSQL refuses to TRUNCATE
    a table with deferred foreign-key checks pending, whatever the triggers say, so run
    those checks now to let the TRUNCATE reach the trigger under test."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _refused(sql: str) -> Exception:
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cursor:
        _settle_foreign_keys(cursor)
        cursor.execute(sql)
    return exc.value


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        # (Without CASCADE, the tables referencing entries already stop a TRUNCATE.)
        "TRUNCATE ledger_entry CASCADE",
        "TRUNCATE ledger_entry RESTART IDENTITY CASCADE",
        # Truncating what the entries point at reaches them through CASCADE.
        "TRUNCATE accounts_organization CASCADE",
    ],
)
def test_postgres_truncate_is_refused_and_rows_remain(entries, sql):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite is covered by the DELETE test below")
    error = _refused(sql)
    assert "TRUNCATE is refused" in str(error)
    assert _rows() == entries


@pytest.mark.postgres_only
def test_postgres_flush_permit_still_allows_truncate(entries):
    """What the project's `flush` does (test teardown of transactional tests)."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with erase_everything(), connection.cursor() as cursor:
        _settle_foreign_keys(cursor)
        cursor.execute("TRUNCATE ledger_entry CASCADE")
    assert _rows() == []
    # The permit is gone again afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_erase_permit")
        assert cursor.fetchone() == (0,)


def test_whole_table_delete_is_refused_and_rows_remain(entries):
    """SQLite's TRUNCATE-like statement (and PostgreSQL's unqualified DELETE)."""
    error = _refused("DELETE FROM ledger_entry")
    assert "immutable" in str(error)
    assert _rows() == entries
