"""The test harness, in one page (README, "Tests", says the same in prose).

- **Personas**: the people every test speaks of, fixtures here, by the names of the route matrix
  (tests/config/test_route_matrix.py): `member_a`, `admin_a`, `member_b`, `admin_b`, `ifrc_focal`,
  `icrc_focal`, `platform_admin`, `deactivated`, `privileged_no_mfa`, `doc_editor`, `doc_reviewer` (defined in `tests.accounts.PERSONAS`;
  `tests.accounts.persona(name)` makes one where no fixture reaches). Society A is the Colombian Red Cross,
  B the Mexican Red Cross. Privileged personas have TOTP (every page would send them to set it up
  otherwise), except `privileged_no_mfa`, which exists to be sent there. `<persona>_client` is a `Client`
  of its own, signed in as that persona, rules confirmed. The older names `member`, `society_admin`,
  `focal_point` (and their `_client`s) are aliases: the same person, never another. No test module or
  other conftest may define a fixture named like one here or in pytest-django
  (tests/config/test_harness.py fails if one does): anyone else gets another name.
- **The library** (the canonical document, as `make run` loads it) is loaded once per test database,
  by `django_db_setup`, and put back after every transactional test (whose flush empties every table),
  together with the organisations that migration national_societies/0003 creates (and their official
  names, migration 0011). A test that reads it
  asks for `library`; a test of the loader that needs an empty library asks for `no_library`.
- **`db_independent`**: a test that never touches the database is marked so (`pytestmark =
  pytest.mark.db_independent` at the top of a module, or on the test). CI runs those once, on
  PostgreSQL; the SQLite run selects `-m "not db_independent and not browser"`. A marked test that asks
  for the database fails, and so does an unmarked test that does not ask for it (`pytest_runtest_setup`).
- **Access-log fixtures** for tests that commit: `audit_log_flushable` (below); helpers in
  tests/audit_log.py.
"""

import importlib
from functools import lru_cache

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import translation
from pytest_django.plugin import blocking_manager_key

from audit.models import ArchivePermit, AuditEvent, AuditHead, AuditSeal
from messages_app.catalogue.content_file import read_content_file
from messages_app.catalogue.models import Document, Edition, Message, MessageVersion, Section, Topic
from messages_app.catalogue.services import key_messages_load
from national_societies.models import NationalSociety
from tests.accounts import persona, sign_in


# --- The test database: migrated, with the organisations and the library ------------------------


@lru_cache(maxsize=1)
def shipped_content():
    """The content file kept in the repository, parsed once per test run."""
    return read_content_file(settings.KEY_MESSAGES_CONTENT_FILE)


_test_database = {"ready": False, "first_load": None}  # this process's: created? the report of the library's load


def _library_is_loaded():
    return Document.objects.filter(slug=shipped_content().slug).exists()


def _load_library():
    """Loads the shipped file, then empties the access log of the row that records the load (through
    the archive permit, the one way past its append-only triggers): every test starts from an empty
    log, and one that loads an edition itself still finds its own row."""
    with transaction.atomic():
        report = key_messages_load(content=shipped_content())
        ArchivePermit.objects.create()
        AuditEvent.objects.all().delete()
        ArchivePermit.objects.all().delete()
    _test_database["first_load"] = _test_database["first_load"] or report


def _seed():
    """What every test finds in the database: the organisations of migration national_societies/0003
    with their official names of 0011 (only missing after a flush) and the library. Idempotent; needs database access."""
    if not NationalSociety.objects.exists():
        seed = importlib.import_module("national_societies.migrations.0003_americas_organisations")
        seed.create_organisations(apps, None)
        names = importlib.import_module("national_societies.migrations.0012_nationalsociety_official_names")
        names.fill_official_names(apps, None)
    if not _library_is_loaded():
        _load_library()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database (one per xdist worker), plus the library: loaded once here rather
    than in each of the ~300 tests that read it."""
    with django_db_blocker.unblock():
        _seed()
    _test_database["ready"] = True


def _is_transactional(item):
    """As pytest-django decides: such a test commits, and its teardown flushes every table."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (its function fixtures are torn down by now), put back what
    the flush removed, so that the next test on this process finds the same database as any other.
    Not after the last test: the test database is being destroyed."""
    try:
        return (yield)
    finally:
        if nextitem is not None and _is_transactional(item) and _test_database["ready"]:
            with item.config.stash[blocking_manager_key].unblock():
                _seed()


@pytest.fixture
def library(db):
    """The canonical document, loaded as `make run` loads it; returns the loader's report of that
    first load. Loaded once per test database (`django_db_setup`), and again here only if something
    removed it (a flush): a test may change it freely, its transaction is rolled back."""
    if not _library_is_loaded():
        _load_library()
    return _test_database["first_load"]


@pytest.fixture
def no_library(db):
    """An empty library, for tests of the loader that need to see a first load: the rows of the
    preloaded library are deleted inside this test's transaction (rolled back after it). Not for
    transactional tests."""
    Message.objects.update(current_version=None, parent=None)
    MessageVersion.objects.all().delete()
    Message.topics.through.objects.all().delete()
    Message.objects.all().delete()
    Topic.objects.all().delete()
    Section.objects.update(parent=None)
    Section.objects.all().delete()
    Edition.objects.all().delete()
    Document.objects.all().delete()


# --- Marker: postgresql ---------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """Tests of PostgreSQL itself (its roles and privileges) do not apply on SQLite: left out of the
    run, and said so in pytest's summary ("deselected"), rather than run as skips."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept, left_out = [], []
    for item in items:
        (left_out if item.get_closest_marker("postgresql") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


# --- Marker: db_independent -----------------------------------------------------------------------

_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup", "django_db_reset_sequences"}


def _asks_for_the_database(item):
    return bool(_DB_FIXTURES & set(getattr(item, "fixturenames", ()))) or item.get_closest_marker("django_db") is not None


def pytest_runtest_setup(item):
    """`db_independent` says what a test does: it is checked both ways before the test runs."""
    marked = item.get_closest_marker("db_independent") is not None
    if marked and _asks_for_the_database(item):
        pytest.fail("marked db_independent but asks for the database (db, a fixture that needs it, or django_db)", pytrace=False)
    if not marked and not _asks_for_the_database(item):
        pytest.fail(
            "asks for no database: mark it `db_independent` (it then runs once in CI) or, if it reaches the "
            "database some other way (request.getfixturevalue), ask for `db`",
            pytrace=False,
        )


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    """A db_independent test reaching the database through request.getfixturevalue() fails too."""
    if fixturedef.argname in _DB_FIXTURES and request.node.get_closest_marker("db_independent"):
        pytest.fail(f"marked db_independent but sets up `{fixturedef.argname}`", pytrace=False)


# --- Every test -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login rate limits live in the cache: no test inherits another's failed attempts.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request of the test client activates its user's language in this thread and leaves it active:
    # no test inherits the language of another's last request (a service's refusal in Portuguese).
    yield
    translation.deactivate()


# --- Organisations --------------------------------------------------------------------------------


@pytest.fixture
def colombia(db):
    """Society A."""
    return NationalSociety.objects.get(slug="colombia")


@pytest.fixture
def mexico(db):
    """Society B."""
    return NationalSociety.objects.get(slug="mexico")


@pytest.fixture
def ifrc(db):
    return NationalSociety.objects.get(slug="ifrc-americas")


@pytest.fixture
def icrc(db):
    return NationalSociety.objects.get(slug="icrc-americas")


# --- Personas (tests.accounts.PERSONAS) --------------------------------------------------------------------


@pytest.fixture
def member_a(db):
    """A member of society A (Colombian Red Cross): member@colombia.example.org, Camila Rojas."""
    return persona("member_a")


@pytest.fixture
def admin_a(db):
    """A society admin of A, with TOTP: admin@colombia.example.org, Alba Admin."""
    return persona("admin_a")


@pytest.fixture
def member_b(db):
    """A member of society B (Mexican Red Cross): member@mexico.example.org, Beto Mexicano."""
    return persona("member_b")


@pytest.fixture
def admin_b(db):
    """A society admin of B, with TOTP: admin@mexico.example.org."""
    return persona("admin_b")


@pytest.fixture
def ifrc_focal(db):
    """An IFRC focal point (IFRC Americas Regional Office), with TOTP: focal@ifrc.example.org."""
    return persona("ifrc_focal")


@pytest.fixture
def icrc_focal(db):
    """An ICRC focal point, with TOTP: focal@icrc.example.org."""
    return persona("icrc_focal")


@pytest.fixture
def platform_admin(db):
    """The platform admin (IFRC, staff and superuser), with TOTP: platform@ifrc.example.org."""
    return persona("platform_admin")


@pytest.fixture
def deactivated(db):
    """A member of A whose account is deactivated: deactivated@colombia.example.org."""
    return persona("deactivated")


@pytest.fixture
def privileged_no_mfa(db):
    """A society admin of A without TOTP: sent to set it up from every page but their account's."""
    return persona("privileged_no_mfa")


@pytest.fixture
def doc_editor(library):
    """The editor of the migration document (IFRC member, TOTP): editor@ifrc.example.org."""
    return persona("doc_editor")


@pytest.fixture
def doc_reviewer(library):
    """The reviewer of the migration document (ICRC member, TOTP): reviewer@icrc.example.org."""
    return persona("doc_reviewer")


# Signed in (a fresh Client each, so that a test may hold several), the library's rules confirmed.


@pytest.fixture
def member_a_client(member_a, library):
    return sign_in(Client(), member_a)


@pytest.fixture
def admin_a_client(admin_a, library):
    return sign_in(Client(), admin_a)


@pytest.fixture
def member_b_client(member_b, library):
    return sign_in(Client(), member_b)


@pytest.fixture
def admin_b_client(admin_b, library):
    return sign_in(Client(), admin_b)


@pytest.fixture
def ifrc_focal_client(ifrc_focal, library):
    return sign_in(Client(), ifrc_focal)


@pytest.fixture
def icrc_focal_client(icrc_focal, library):
    return sign_in(Client(), icrc_focal)


@pytest.fixture
def platform_admin_client(platform_admin, library):
    return sign_in(Client(), platform_admin)


@pytest.fixture
def doc_editor_client(doc_editor, library):
    return sign_in(Client(), doc_editor)


@pytest.fixture
def doc_reviewer_client(doc_reviewer, library):
    return sign_in(Client(), doc_reviewer)


# Older names: aliases of the personas above (the same user, the same client).


@pytest.fixture
def member(member_a):
    """Alias of `member_a`."""
    return member_a


@pytest.fixture
def member_client(member_a_client):
    """Alias of `member_a_client`."""
    return member_a_client


@pytest.fixture
def society_admin(admin_a):
    """Alias of `admin_a`."""
    return admin_a


@pytest.fixture
def society_admin_client(admin_a_client):
    """Alias of `admin_a_client`."""
    return admin_a_client


@pytest.fixture
def focal_point(ifrc_focal):
    """Alias of `ifrc_focal`."""
    return ifrc_focal


@pytest.fixture
def focal_point_client(ifrc_focal_client):
    """Alias of `ifrc_focal_client`."""
    return ifrc_focal_client


# --- The access log's append-only tables in tests that commit ---------------------------------


@pytest.fixture
def audit_log_flushable(transactional_db):
    """For tests that commit (`transactional_db`): lets Django's flush after the test empty the
    append-only tables, which the triggers of migration audit/0002 otherwise refuse.

    A transactional test cannot be rolled back, so at teardown pytest-django runs `flush`: one
    TRUNCATE of every table on PostgreSQL, a DELETE FROM per table (in no fixed order) on SQLite.
    This fixture depends on `transactional_db`, so its teardown runs just before that flush, and
    takes the one sanctioned path through the triggers: an ArchivePermit row. (What the flush removes
    besides, the organisations and the library, is put back by `pytest_runtest_teardown` above.)

    - PostgreSQL: the permit stays; the single TRUNCATE fires every BEFORE TRUNCATE trigger before
      it removes anything, so each trigger sees the permit (and the anchor table, which no permit
      opens, is let through only because it is empty: a test using this fixture must not leave an
      anchor behind).
    - SQLite: the flush may delete the permit before the events, after which the events' DELETE
      trigger refuses. So the events, seals and recorded heads are deleted here while the permit exists, then the
      permit; the flush then finds empty audit tables and no trigger fires.

    Do not combine with `serialized_rollback`: the flush of a transactional test without it
    recreates content types under new ids, which the next serialized test then fails to load.
    """
    yield
    ArchivePermit.objects.create()
    if connection.vendor == "sqlite":
        AuditEvent.objects.all().delete()
        AuditSeal.objects.all().delete()
        AuditHead.objects.all().delete()
        ArchivePermit.objects.all().delete()
