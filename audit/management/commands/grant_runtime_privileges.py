"""PostgreSQL: give the application's runtime role what it needs, and on the access log no more than
INSERT and SELECT. Run by the owner of the tables (who runs the migrations), after `migrate`."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

# The access log's tables: rows are added and read, never changed or removed by the application
# (archiving, the one sanctioned removal, runs as the owner: it needs the permit table).
LOG_TABLES = ["audit_auditevent", "audit_auditseal", "audit_auditanchor", "audit_audithead"]
OWNER_ONLY_TABLES = ["audit_archivepermit"]


def runtime_privileges(role: str) -> list:
    """The statements, in order: everything on the app's tables, then back to INSERT/SELECT on the log."""
    ident = sql.Identifier(role)
    log_tables = sql.SQL(", ").join(sql.Identifier(table) for table in LOG_TABLES)
    owner_only = sql.SQL(", ").join(sql.Identifier(table) for table in OWNER_ONLY_TABLES)
    return [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(ident),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(log_tables, ident),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(log_tables, ident),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(owner_only, ident),
        # The migrations' history is the owner's to write.
        sql.SQL("REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {}").format(ident),
    ]


class Command(BaseCommand):
    help = (
        "PostgreSQL only: grant the runtime role (the one the web app and the jobs connect as) read and "
        "write on the app's tables, and only SELECT and INSERT on the access log's: it can neither change, "
        "delete, truncate, alter nor disable the triggers of the log. Run as the tables' owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The runtime role, e.g. keymessages_app.")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="Create the role (LOGIN, no other right) if it does not exist, or set its password, from this "
            "environment variable (the container's entrypoint does).",
        )

    def handle(self, *args, role, password_env=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Roles are PostgreSQL's: on SQLite the file's permissions are the protection.")
        if password_env:
            self._login_role(role, password_env)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no role {role!r}: create it first (docs/DEPLOYMENT.md).")
            cursor.execute("SELECT current_user")
            if cursor.fetchone()[0] == role:
                raise CommandError("Run this as the tables' owner, not as the runtime role itself.")
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in runtime_privileges(role):
                cursor.execute(statement)
        self.stdout.write(self.style.SUCCESS(f"{role}: read and write on the app's tables; SELECT and INSERT only on the access log."))

    def _login_role(self, role, password_env):
        password = os.environ.get(password_env, "")
        if not password:
            raise CommandError(f"{password_env} is empty: the runtime role needs a password.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            cursor.execute(
                sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
