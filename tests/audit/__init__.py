"""Tests of the access log. Shared fixtures of these modules live here: import them explicitly,
both names (`from tests.audit import audit_log_flushable, organisations_restored_after_flush`)."""

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from audit.models import ArchivePermit, AuditEvent, AuditSeal


@pytest.fixture(scope="module")
def organisations_restored_after_flush(django_db_blocker):
    """Puts back the organisations that migration national_societies/0003 creates, once the flush
    of a transactional test has removed them.

    pytest-django runs transactional tests after the others, but tests that only reach the database
    through `request.getfixturevalue(...)` (tests/national_societies/test_mfa.py) count as not using
    it and run after them, and they need Colombia and the others. Module scope: torn down after the
    flush that ends this module's transactional tests.
    """
    yield
    seed = importlib.import_module("national_societies.migrations.0003_americas_organisations")
    with django_db_blocker.unblock():
        seed.create_organisations(apps, None)  # update_or_create: safe to run again


@pytest.fixture
def audit_log_flushable(organisations_restored_after_flush, transactional_db):
    """For tests that commit (`transactional_db`): lets Django's flush after the test empty the
    append-only tables, which the triggers of migration audit/0002 otherwise refuse.

    A transactional test cannot be rolled back, so at teardown pytest-django runs `flush`: one
    TRUNCATE of every table on PostgreSQL, a DELETE FROM per table (in no fixed order) on SQLite.
    This fixture depends on `transactional_db`, so its teardown runs just before that flush, and
    takes the one sanctioned path through the triggers: an ArchivePermit row.

    - PostgreSQL: the permit stays; the single TRUNCATE fires every BEFORE TRUNCATE trigger before
      it removes anything, so each trigger sees the permit (and the anchor table, which no permit
      opens, is let through only because it is empty: a test using this fixture must not leave an
      anchor behind).
    - SQLite: the flush may delete the permit before the events, after which the events' DELETE
      trigger refuses. So the events and seals are deleted here while the permit exists, then the
      permit; the flush then finds empty audit tables and no trigger fires.

    Do not combine with `serialized_rollback`: the flush of a transactional test without it
    recreates content types under new ids, which the next serialized test then fails to load.
    """
    yield
    ArchivePermit.objects.create()
    if connection.vendor == "sqlite":
        AuditEvent.objects.all().delete()
        AuditSeal.objects.all().delete()
        ArchivePermit.objects.all().delete()


def actor_fields(user) -> dict:
    """The actor columns of an event, as `audit_record` fills them: the user's membership as it is now."""
    from national_societies.models import Membership

    if user is None:
        return {}
    membership = Membership.objects.select_related("national_society").get(user=user)
    return {
        "actor_user_id": user.pk,
        "actor_email": user.email,
        "actor_organisation_id": membership.national_society_id,
        "actor_organisation": membership.national_society.name,
        "actor_role": membership.role,
    }


def verify_command(*args):
    """(exit code, stdout, stderr) of `manage.py verify_audit_log`."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_log", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()
