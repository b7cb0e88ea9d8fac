"""On PostgreSQL, the database itself refuses two live meetings of one staff member that
overlap (an exclusion constraint over a time range per staff member, btree_gist for the
equality on the staff id). SQLite has no such constraint: there the services check under
the write lock that every SQLite write transaction holds (IMMEDIATE)."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE scheduling_busyinterval ADD CONSTRAINT busy_interval_no_overlap "
    "EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (live)",
]
DROP = ["ALTER TABLE scheduling_busyinterval DROP CONSTRAINT busy_interval_no_overlap"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
