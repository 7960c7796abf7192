"""Refuse TRUNCATE of ledger entries (issue 10).

The row trigger of 0002 rejects DELETE and UPDATE, but PostgreSQL's TRUNCATE fires no
row triggers: `TRUNCATE ledger_entry` (or `TRUNCATE accounts_organization CASCADE`,
which reaches it) emptied the append-only ledger. A statement-level BEFORE TRUNCATE
trigger now refuses it, with the same escape as DELETE: the "every organization" erase
permit (organization_id 0), which only the project's `flush` writes (see
zapys/ledger/erase.py) — test databases are still flushed by TRUNCATE.

SQLite has no TRUNCATE statement. Its nearest thing, the "truncate optimization" of an
unqualified `DELETE FROM ledger_entry`, is not used on a table with triggers, so that
DELETE runs 0002's row trigger for every row and is refused: nothing to add there.
Neither database can stop `DROP TABLE` (or `ALTER TABLE ... DISABLE TRIGGER`) by a role
that owns the table: triggers guard against mistakes and bugs, not against the owner.
"""

from django.db import migrations

POSTGRES_FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION ledger_entry_no_truncate() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM ledger_erase_permit WHERE organization_id = 0) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'ledger entries are immutable: TRUNCATE is refused, cancel entries instead'
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_no_truncate()
    """,
]

POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_entry",
    "DROP FUNCTION IF EXISTS ledger_entry_no_truncate()",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_FORWARDS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_BACKWARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_link_existing_operations_and_receipts"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
