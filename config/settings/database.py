"""DATABASES["default"] from DATABASE_URL; on SQLite, set up for a web app's concurrent requests.

SQLite lets one writer in at a time. With its defaults (rollback journal, DEFERRED transactions)
concurrent requests fail at once with "database is locked": a request that began by reading and then
writes (every library page writes its access-log row) cannot wait for the lock, it is refused, and
the page answers 503 (bench/sqlite_concurrency.py: 1,524 errors in 1,646 requests before). Here:

- BEGIN IMMEDIATE (Django 5.1+ "transaction_mode"): a transaction takes the write lock when it
  begins, and a request that finds it taken waits its turn (the busy timeout) instead of failing
  half-way. Every request is one short transaction (ATOMIC_REQUESTS) and writes its access-log row
  anyway, so this serialises nothing that was not serialised already. WAL and a busy timeout
  without IMMEDIATE still failed most requests (measured).
- WAL: readers outside a transaction (and other processes' reads) do not block the writer, nor
  the writer them; the file survives a crash in the middle of a write.
- synchronous=FULL: a commit is on disk before the response leaves, as the access log promises
  ("never fails open"). NORMAL, SQLite's usual pairing with WAL, could lose the last commits on a
  power cut or an operating-system crash; FULL costs one fsync per write transaction (~3.5 ms here).
- The busy timeout: how long a request waits for the write lock before "database is locked".
  SQLite's waiting is not first come, first served (a waiter polls, newcomers often get in first):
  with 25 clients saturating two shared cores, the median wait was 0.1 s but one request waited
  20.5 s, hence 30 s (below the 60 s after which the Dockerfile's gunicorn restarts a worker).

PostgreSQL gets none of this: its settings are the URL's.
"""

import dj_database_url

SQLITE_ENGINE = "django.db.backends.sqlite3"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,  # sqlite3.connect(timeout=…), i.e. PRAGMA busy_timeout
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
}


def database_settings(url: str) -> dict:
    """The default database: one transaction per request (ATOMIC_REQUESTS), SQLite tuned as above."""
    database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    database["ATOMIC_REQUESTS"] = True
    if database["ENGINE"] == SQLITE_ENGINE:
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    return database


def redis_cache_settings(url: str) -> dict:
    """The shared cache on Redis. Redis down: the cache answers "nothing cached" instead of failing every
    request (django-redis's IGNORE_EXCEPTIONS), so reading goes on; rate limits count nothing until it
    is back (README, "Background jobs")."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
