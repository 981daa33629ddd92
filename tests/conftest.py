from functools import lru_cache

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.conf import settings
from django.core.cache import cache

from audit.models import ArchivePermit, AuditEvent, AuditSeal
from messages_app.catalogue.content_file import read_content_file
from messages_app.catalogue.services import key_messages_load
from national_societies.models import Membership, NationalSociety
from tests.accounts import person, sign_in  # person(): privileged roles get TOTP (else every page sends them to MFA setup)
from tests.factories import MembershipFactory, UserFactory


@lru_cache(maxsize=1)
def shipped_content():
    """The content file kept in the repository, parsed once per test run."""
    return read_content_file(settings.KEY_MESSAGES_CONTENT_FILE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login rate limits live in the cache: no test inherits another's failed attempts.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def library(db):
    """The canonical document, loaded as `make run` loads it."""
    return key_messages_load(content=shipped_content())


@pytest.fixture
def colombia(db):
    return NationalSociety.objects.get(slug="colombia")


@pytest.fixture
def mexico(db):
    return NationalSociety.objects.get(slug="mexico")


@pytest.fixture
def member(colombia):
    """A member of the Colombian Red Cross."""
    return MembershipFactory(
        user=UserFactory(email="member@colombia.example.org"), national_society=colombia, role=Membership.Role.MEMBER
    ).user


@pytest.fixture
def member_client(client, member, library):
    """A member signed in, with the loaded library's rules confirmed."""
    return sign_in(client, member)




@pytest.fixture
def society_admin(colombia):
    """A society admin of the Colombian Red Cross."""
    return person("colombia", Membership.Role.SOCIETY_ADMIN, "admin@colombia.example.org")


@pytest.fixture
def society_admin_client(client, society_admin, library):
    return sign_in(client, society_admin)


@pytest.fixture
def focal_point(db):
    """An IFRC focal point."""
    return person("ifrc-americas", Membership.Role.FOCAL_POINT, "focal@ifrc.example.org")


@pytest.fixture
def focal_point_client(client, focal_point, library):
    return sign_in(client, focal_point)


@pytest.fixture
def platform_admin(db):
    return person(
        "ifrc-americas", Membership.Role.PLATFORM_ADMIN, "platform@ifrc.example.org", is_staff=True, is_superuser=True
    )


@pytest.fixture
def platform_admin_client(client, platform_admin, library):
    return sign_in(client, platform_admin)


# --- The access log's append-only tables in tests that commit ---------------------------------


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
