"""On PostgreSQL, make double booking impossible in the database itself.

The services already check for overlaps inside the transaction after locking the
specialist's (and room's) row; these exclusion constraints are the backstop that holds
even for a code path that forgets to. SQLite has no exclusion constraints: there the
IMMEDIATE transaction mode serialises writers, so the locked check alone is exact.
"""

from django.db import migrations

PG_SQL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE schedule_visit ADD CONSTRAINT schedule_visit_no_staff_overlap
       EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
       WHERE (blocks_time)""",
    """ALTER TABLE schedule_visit ADD CONSTRAINT schedule_visit_no_room_overlap
       EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
       WHERE (blocks_time AND room_id IS NOT NULL)""",
]
PG_REVERSE = [
    "ALTER TABLE schedule_visit DROP CONSTRAINT IF EXISTS schedule_visit_no_room_overlap",
    "ALTER TABLE schedule_visit DROP CONSTRAINT IF EXISTS schedule_visit_no_staff_overlap",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_SQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("schedule", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
