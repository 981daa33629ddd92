"""The database itself refuses to change or remove access-log rows.

PostgreSQL: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE, on the
event, seal and anchor tables. SQLite: BEFORE UPDATE / BEFORE DELETE triggers (SQLite has no
TRUNCATE; its DELETE without WHERE fires row triggers when triggers exist). Deleting events and
seals is allowed only while a row exists in audit_archivepermit: the archive command's path.
Anchors are never deleted (an empty anchor table may be truncated while a permit is held).
"""

from django.db import migrations

PROTECTED = {
    # table: may the archive path delete its rows?
    "audit_auditevent": True,
    "audit_auditseal": True,
    "audit_auditanchor": False,
}

# A TRUNCATE of an *empty* anchor table while a permit is held removes nothing, and is let through:
# the same answer SQLite's row trigger gives to a DELETE that finds no row. Without it, Django's
# `flush` (run after every transactional test) could never pass on PostgreSQL, permit or not.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND TG_ARGV[0] = 'archivable'
       AND EXISTS (SELECT 1 FROM audit_archivepermit) THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'TRUNCATE' AND EXISTS (SELECT 1 FROM audit_archivepermit) THEN
        -- TRUNCATE holds an ACCESS EXCLUSIVE lock here: nobody can add a row before it runs.
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO has_rows;
        IF NOT has_rows THEN RETURN NULL; END IF;
    END IF;
    RAISE EXCEPTION 'the access log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _postgresql(table, archivable):
    arg = "archivable" if archivable else "never"
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change('{arg}');",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change('{arg}');",
    ]


def _sqlite(table, archivable):
    permit = " WHEN NOT EXISTS (SELECT 1 FROM audit_archivepermit)" if archivable else ""
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE on {table} is refused'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}{permit} "
        f"BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE on {table} is refused'); END;",
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements.append(POSTGRESQL_FUNCTION)
        for table, archivable in PROTECTED.items():
            statements += _postgresql(table, archivable)
    elif vendor == "sqlite":
        for table, archivable in PROTECTED.items():
            statements += _sqlite(table, archivable)
    else:
        raise NotImplementedError(f"No append-only triggers for {vendor}: the access log needs them.")
    for statement in statements:
        # params=None: the statements are run as written. With params (the default, ()), the
        # PostgreSQL schema editor merges them client-side and psycopg reads the `%` of the
        # function's RAISE format as a placeholder: the migration failed on PostgreSQL.
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in PROTECTED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
