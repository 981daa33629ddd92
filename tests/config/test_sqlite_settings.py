"""The embedded default database (SQLite) is set up for concurrent requests: WAL, a busy timeout,
BEGIN IMMEDIATE (config/settings/database.py); PostgreSQL's settings are the URL's alone.

The test database is in memory (no WAL there), so the settings are tried on a file of their own,
through Django's SQLite backend, as the app opens its connections."""

import sqlite3

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

from config.settings.database import SQLITE_BUSY_TIMEOUT_SECONDS, database_settings

pytestmark = pytest.mark.db_independent


@pytest.fixture
def sqlite_file_connection(tmp_path, django_db_blocker):
    """A connection to a new SQLite file (not the test database) with the settings that
    DATABASE_URL=sqlite:////… gets."""
    path = tmp_path / "km.sqlite3"
    database = database_settings(f"sqlite:///{path}")
    wrapper = DatabaseWrapper({**database, "TIME_ZONE": None, "AUTOCOMMIT": True, "TEST": {}}, alias="sqlite_settings_probe")
    with django_db_blocker.unblock():
        wrapper.ensure_connection()
        yield path, wrapper
        wrapper.close()


def _pragma(wrapper, name):
    with wrapper.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_a_sqlite_file_gets_wal_a_busy_timeout_and_immediate_transactions(sqlite_file_connection):
    path, wrapper = sqlite_file_connection
    assert _pragma(wrapper, "journal_mode") == "wal"
    assert _pragma(wrapper, "busy_timeout") == SQLITE_BUSY_TIMEOUT_SECONDS * 1000
    assert _pragma(wrapper, "synchronous") == 2  # FULL: a commit is on disk before the response leaves
    assert wrapper.transaction_mode == "IMMEDIATE"
    assert wrapper.settings_dict["ATOMIC_REQUESTS"] is True
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY)")
        cursor.execute("INSERT INTO probe DEFAULT VALUES")

    # An atomic block takes the write lock when it begins (BEGIN IMMEDIATE), before writing anything:
    # another connection cannot start writing, and may still read (WAL).
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other.execute("BEGIN IMMEDIATE")
        assert other.execute("SELECT count(*) FROM probe").fetchone() == (1,)
    finally:
        wrapper.rollback()
        wrapper.set_autocommit(True)
        other.close()


def test_postgresql_gets_no_sqlite_options():
    database = database_settings("postgres://keymessages@127.0.0.1:5432/keymessages")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database.get("OPTIONS", {}) == {}
    assert database["ATOMIC_REQUESTS"] is True


def test_the_settings_in_use_are_built_the_same_way():
    default = settings.DATABASES["default"]
    assert default["ATOMIC_REQUESTS"] is True
    if default["ENGINE"] == "django.db.backends.sqlite3":
        assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert default["OPTIONS"]["timeout"] == SQLITE_BUSY_TIMEOUT_SECONDS
        assert "journal_mode=WAL" in default["OPTIONS"]["init_command"]
    else:
        assert "transaction_mode" not in default.get("OPTIONS", {})
