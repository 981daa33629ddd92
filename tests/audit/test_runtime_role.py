"""The runtime role of the shipped PostgreSQL setup cannot erase the access log: the same grants as
the container's entrypoint, applied to a role of the CI PostgreSQL, then every way to change the log
tried as that role."""

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from audit.models import Action, AuditEvent, AuditSeal
from audit.services import audit_record
from audit.chain import audit_log_seal

pytestmark = pytest.mark.postgresql


@pytest.fixture
def runtime_role(db):
    role = f"km_runtime_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_runtime_privileges", role, stdout=None)
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def as_role(role, statement, params=None):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET reason = 'rewritten'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "DELETE FROM audit_auditseal",
        "TRUNCATE audit_auditseal",
        "DELETE FROM audit_audithead",
        "UPDATE audit_auditanchor SET chain_hash = 'x'",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "ALTER TABLE audit_auditseal DISABLE TRIGGER USER",
        "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
        "INSERT INTO audit_archivepermit (created_at) VALUES (now())",
        "ALTER TABLE audit_auditevent ADD COLUMN x int",
        "DELETE FROM django_migrations",
    ],
)
def test_the_runtime_role_cannot_change_or_erase_the_log(runtime_role, statement):
    audit_record(action=Action.SEARCHED, query="kept")
    audit_log_seal(grace_seconds=0)
    with pytest.raises(DatabaseError, match="permission denied|must be owner"):
        as_role(runtime_role, statement)
    assert AuditEvent.objects.filter(query="kept").count() == 1 and AuditSeal.objects.count() == 1


def test_the_runtime_role_writes_and_reads_the_log_and_works_the_app(runtime_role, member_a):
    as_role(runtime_role, "INSERT INTO audit_auditevent (occurred_at, action, target_type, target_id, message_identifier, outcome, reason, query, user_agent, request_id, actor_email, actor_organisation, actor_role, details) VALUES (now(), 'searched', '', '', '', 'allowed', '', 'as runtime', '', '', '', '', '', '{}')")
    assert as_role(runtime_role, "SELECT count(*) FROM audit_auditevent WHERE query = 'as runtime'") == [(1,)]
    as_role(runtime_role, "UPDATE national_societies_user SET first_name = 'Ana' WHERE id = %s", [member_a.pk])
    as_role(runtime_role, "SELECT pg_advisory_xact_lock(1)")  # the sealing job's lock


def test_the_command_refuses_an_unknown_role(db):
    with pytest.raises(CommandError, match="no role"):
        call_command("grant_runtime_privileges", "km_no_such_role")


def test_the_entrypoint_creates_the_login_role_from_a_password_and_grants_it(db, monkeypatch):
    role = f"km_runtime_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("KM_TEST_APP_PASSWORD", "s3cret-for-the-test")
    try:
        call_command("grant_runtime_privileges", role, "--password-env", "KM_TEST_APP_PASSWORD", stdout=None)
        call_command("grant_runtime_privileges", role, "--password-env", "KM_TEST_APP_PASSWORD", stdout=None)  # again: fine
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = %s", [role])
            assert cursor.fetchone() == (True, False, False)
        with pytest.raises(DatabaseError, match="permission denied"):
            as_role(role, "DELETE FROM audit_auditevent")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


def test_an_empty_password_creates_nothing(db, monkeypatch):
    monkeypatch.setenv("KM_TEST_APP_PASSWORD", "")
    with pytest.raises(CommandError, match="is empty"):
        call_command("grant_runtime_privileges", "km_never_created", "--password-env", "KM_TEST_APP_PASSWORD")
