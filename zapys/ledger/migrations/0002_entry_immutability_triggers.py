"""Database triggers that keep ledger entries append-only (C5, DESIGN rule 5).

- DELETE of an entry is rejected, unless an erase permit exists for its organization
  (a whole organization being deleted — see zapys/ledger/erase.py) or the organization row
  is already gone (flushing a test database deletes table by table).
- UPDATE is rejected unless it is exactly active → cancelled with cancelled_at set and every
  other column unchanged.

The permit table is deliberately not a Django model: it is infrastructure of the triggers.
If a column is added to ledger_entry, add it to IMMUTABLE_COLUMNS in a new migration.
"""

from django.db import migrations

IMMUTABLE_COLUMNS = [
    "id",
    "organization_id",
    "account_id",
    "client_id",
    "kind",
    "amount",
    "purpose",
    "comment",
    "cause_type",
    "cause_id",
    "branch_id",
    "payment_type_id",
    "created_by_id",
    "created_by_label",
    "created_at",
]

MESSAGE = "ledger entries are immutable: cancel an entry instead of editing or deleting it"


def _sqlite_sql():
    same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in IMMUTABLE_COLUMNS)
    return [
        'CREATE TABLE IF NOT EXISTS "ledger_erase_permit" ("organization_id" bigint NOT NULL PRIMARY KEY)',
        f"""
        CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
        WHEN NOT (OLD.status = 'active' AND NEW.status = 'cancelled'
                  AND NEW.cancelled_at IS NOT NULL AND {same})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """,
        f"""
        CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
        WHEN EXISTS (SELECT 1 FROM accounts_organization WHERE id = OLD.organization_id)
             AND NOT EXISTS (SELECT 1 FROM ledger_erase_permit
                             WHERE organization_id IN (OLD.organization_id, 0))
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """,
    ]


def _postgres_sql():
    same = " AND ".join(f'NEW."{c}" IS NOT DISTINCT FROM OLD."{c}"' for c in IMMUTABLE_COLUMNS)
    return [
        'CREATE TABLE IF NOT EXISTS "ledger_erase_permit" ("organization_id" bigint NOT NULL PRIMARY KEY)',
        f"""
        CREATE OR REPLACE FUNCTION ledger_entry_guard() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF OLD.status = 'active' AND NEW.status = 'cancelled'
                   AND NEW.cancelled_at IS NOT NULL AND {same} THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                IF NOT EXISTS (SELECT 1 FROM accounts_organization WHERE id = OLD.organization_id)
                   OR EXISTS (SELECT 1 FROM ledger_erase_permit
                              WHERE organization_id IN (OLD.organization_id, 0)) THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard()
        """,
    ]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_sql()
    elif vendor == "postgresql":
        statements = _postgres_sql()
    else:  # pragma: no cover - other databases are not supported by Zapys
        raise RuntimeError(f"No ledger immutability triggers for {vendor}")
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry")
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_entry_guard()")
    schema_editor.execute('DROP TABLE IF EXISTS "ledger_erase_permit"')


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
