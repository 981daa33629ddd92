"""SQLite: `INSERT OR REPLACE` / `REPLACE INTO` must not rewrite an access-log row.

SQLite carries out REPLACE by deleting the row whose key (or unique column) the new row takes, and
fires DELETE triggers for that only when recursive triggers are on (they are off by default): the
append-only triggers of 0002 never saw it. A BEFORE INSERT trigger refuses a row whose key or unique
column is already taken, whatever the conflict clause. PostgreSQL has no REPLACE (its upsert is an
UPDATE, which 0002 refuses)."""

from django.db import migrations

# table: the columns a REPLACE could take over (primary key and unique columns)
KEYS = {
    "audit_auditevent": ["id"],
    "audit_auditseal": ["position", "event_id"],
    "audit_auditanchor": ["id", "position"],
}


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, columns in KEYS.items():
        taken = " OR ".join(f"{column} = NEW.{column}" for column in columns)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) "
            f"BEGIN SELECT RAISE(ABORT, 'the access log is append-only: a row of {table} cannot be replaced'); END;",
            params=None,
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in KEYS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace;", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_admin_viewed")]
    operations = [migrations.RunPython(install, uninstall)]
