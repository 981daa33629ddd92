"""Page cost: what one signed-in request to a library page costs, next to a bare login-required view.

    .venv/bin/python bench/pages.py [-n 300] [--warmup 20]
        [--database-url postgres://postgres@127.0.0.1:5432/km_bench_pages | --sqlite]
        [--check | --max-ratio 2.0 --max-queries 8] [--keep-db] [--no-results]

In one run, on a database of its own (default: PostgreSQL database km_bench_pages, created at the
start and dropped at the end, also on failure; `--sqlite`: a temporary SQLite file), brought up with
`migrate`, `createcachetable`, `load_key_messages` and `create_demo_accounts --demo`:

  * signs in member@colombia.example.org (client.force_login) and confirms the handling rules by
    POSTing the form of /how-to-use/, as a reader does;
  * measures, in-process with django.test.Client through the whole middleware stack of
    bench/pages_settings.py (config.settings.test, ATOMIC_REQUESTS on, plus a bench URLconf), the
    wall time of each request (median and p95 over N requests after a warm-up) of
    /messages/DET-04/, /sections/<DET-04's section>/, /search/?q=detention, / and of /bench/bare/,
    a view that returns "ok" and is login-required like every page; the pages are requested in
    interleaved rounds (order rotated each round), so that drift on a shared machine falls on all
    of them alike; the SQL queries of each (django.test.utils.CaptureQueriesContext, on separate
    requests: capturing slows a request down); each page's cost as a ratio to the bare view's;
  * checks the access log (the run exits 2 when one does not hold):
      - ATOMIC_REQUESTS is on for the database and AUDIT_READS_ENABLED is on;
      - every measured request of a library page added >= 1 row to audit.AuditEvent (counted
        before and after each request), every request of the bare view 0 rows;
      - in one extra request per page, every INSERT into the AuditEvent table ran inside the
        request's transaction (seen by a database execute_wrapper: in an atomic block, autocommit
        off) and the rows carry the response's X-Request-ID;
      - the audit write fails -> the page is not served: one extra request per page with every
        INSERT into the AuditEvent table (table name from apps.get_model("audit", "AuditEvent"))
        sent by a database execute_wrapper to a table that does not exist, so that the database
        itself refuses it, whatever ORM call (create, save, bulk_create) made it. The response
        must be 503, must not contain the message text, and no row may be added;
      - the page fails after its row was written -> the row is rolled back with the request: one
        extra request per page where the first template render after the AuditEvent INSERT raises;
        the response must be 500 and no row may be added;
  * prints a Markdown table, writes bench/out/pages-<vendor>.json, and replaces this database's
    block of the section "## Page cost (bench/pages.py)" of bench/RESULTS.md (the rest of the file,
    and the other database's block, are kept; `--no-results` leaves RESULTS.md alone);
  * thresholds for the message page (default: none, report only): `--max-ratio` (median time over
    the bare view's) and `--max-queries`; `--check` means `--max-ratio 2.0 --max-queries 8` unless
    given. Exceeding one exits 1.

Exit codes: 0 all good; 1 a threshold exceeded; 2 an access-log check failed (or a page did not
answer 200, or the reader could not be signed in); 3 the run itself failed (set-up, database,
an error in the application...), with its traceback.

Only URLs, settings, management commands by name and models by apps.get_model() are used: nothing
here imports the application's modules, which move.
"""

import argparse
import io
import logging
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import (
    git_state,
    bench_db_name,
    machine,
    percentile,
    psycopg_dsn,
    wait_for_quiet,
    write_result,
)

SETTINGS_MODULE = "bench.pages_settings"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/km_bench_pages"
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Page cost (bench/pages.py)"
READER = "member@colombia.example.org"
MESSAGE = "DET-04"
SEARCH = "detention"
BARE_URL = "/bench/bare/"
USER_AGENT = "km-bench/1.0 (bench/pages.py)"
CHECK_DEFAULTS = {"max_ratio": 2.0, "max_queries": 8}


class CheckFailed(Exception):
    pass


# --- database lifecycle --------------------------------------------------------------------------


def pg_admin(url):
    import psycopg

    return psycopg.connect(psycopg_dsn(url, dbname="postgres"), autocommit=True)


def pg_create(url, name):
    with pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def pg_drop(url, name):
    with pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.chdir(ROOT)
    import django

    django.setup()


def bring_up():
    """migrate, createcachetable, load_key_messages, create_demo_accounts --demo (output kept quiet)."""
    from django.core.management import call_command
    from django.db import connection

    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("migrate", verbosity=0, stdout=out)
    except Exception as error:  # an older tree's audit.0002 on psycopg 3: bench/setup_db.py knows the way round
        if connection.vendor != "postgresql" or "placeholder" not in str(error):
            raise
        print(f"migrate failed ({str(error).splitlines()[0]}): using bench/setup_db.py's work-around", flush=True)
        from bench.setup_db import migrate as migrate_with_workaround

        migrate_with_workaround()
    timings = {"migrate": time.perf_counter() - started}
    for name, kwargs in (
        ("createcachetable", {}),
        ("load_key_messages", {}),
        ("create_demo_accounts", {"demo": True}),
    ):
        started = time.perf_counter()
        call_command(name, verbosity=0, stdout=out, **kwargs)
        timings[name] = time.perf_counter() - started
    return {key: round(value, 1) for key, value in timings.items()}


# --- helpers around requests ---------------------------------------------------------------------


@contextmanager
def quiet_request_log():
    """Django logs every 5xx of the failure checks at ERROR ('django.request'): expected here."""
    logger = logging.getLogger("django.request")
    previous = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(previous)


class AuditInsertObserver:
    """A database execute_wrapper that sees every INSERT into the AuditEvent table.

    mode "observe": records, for each such INSERT, whether it ran inside a transaction;
    mode "fail":    sends it to a table that does not exist, so that the database refuses it;
    mode "observe" with fail_render_after_insert: arms a one-shot failure of the next template render.
    """

    def __init__(self, connection, table, mode="observe"):
        self.connection = connection
        quoted = connection.ops.quote_name(table)
        self.prefix = f"INSERT INTO {quoted}".upper()
        self.quoted = quoted
        self.missing = connection.ops.quote_name(table + "__bench_missing")
        self.mode = mode
        self.inserts = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(self.prefix):
            self.inserts.append(
                {
                    "in_atomic_block": self.connection.in_atomic_block,
                    "autocommit": self.connection.get_autocommit(),
                    "many": many,
                }
            )
            if self.mode == "fail":
                sql = sql.replace(self.quoted, self.missing, 1)
        return execute(sql, params, many, context)


class DatabaseTimer:
    """Wall time of the statements (an execute_wrapper) and of the COMMITs of one request."""

    def __init__(self, connection):
        self.connection = connection
        self.statements = 0.0
        self.commits = 0.0

    def _statement(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements += time.perf_counter() - started

    def __enter__(self):
        original = self.connection.commit

        def commit():
            started = time.perf_counter()
            try:
                return original()
            finally:
                self.commits += time.perf_counter() - started

        self._wrapper = self.connection.execute_wrapper(self._statement)
        self._wrapper.__enter__()
        self.connection.commit = commit  # on this connection object only, for this request
        return self

    def __exit__(self, *exc):
        del self.connection.commit
        return self._wrapper.__exit__(*exc)


@contextmanager
def failing_render_after(observer):
    """The first Django template render after the observer saw an AuditEvent INSERT raises (once)."""
    from django.template.backends.django import Template

    original = Template.render
    state = {"raised": False}

    def render(self, *args, **kwargs):
        if observer.inserts and not state["raised"]:
            state["raised"] = True
            raise RuntimeError("bench/pages.py: the page fails after its access-log row was written")
        return original(self, *args, **kwargs)

    Template.render = render
    try:
        yield state
    finally:
        Template.render = original


def rules_confirmed_client():
    """member@colombia signed in (force_login), handling rules confirmed through /how-to-use/."""
    from django.apps import apps
    from django.test import Client

    user = apps.get_model("national_societies", "User").objects.get(email=READER)
    client = Client(HTTP_USER_AGENT=USER_AGENT)
    client.force_login(user)
    page = client.get("/documents/migration-americas/how-to-use/")
    if page.status_code != 200:
        raise CheckFailed(f"/documents/migration-americas/how-to-use/ answered {page.status_code}")
    form = {"confirm": "on", "next": "/"}
    version = re.search(rb'name="rules_version" value="([^"]*)"', page.content)
    if version:
        form["rules_version"] = version.group(1).decode()
    confirmed = client.post("/documents/migration-americas/how-to-use/", form)
    if confirmed.status_code != 302:
        raise CheckFailed(f"confirming the handling rules at /how-to-use/ answered {confirmed.status_code}")
    probe = client.get(f"/documents/migration-americas/messages/{MESSAGE}/")
    if probe.status_code != 200:
        raise CheckFailed(
            f"after confirming the rules, /messages/{MESSAGE}/ answered {probe.status_code} "
            f"{probe.get('Location', '')}".strip()
        )
    return client


def message_text_marks(message_model):
    """Strings of DET-04's current text as a page would show them (raw and HTML-escaped)."""
    from django.utils.html import escape

    message = message_model.objects.select_related("current_version", "section").get(identifier=MESSAGE)
    text = message.current_version.text.strip()
    marks = []
    for candidate in (text, escape(text)):
        marks += [candidate, candidate[:80]]
        words = candidate.split()
        if len(words) > 6:
            marks.append(" ".join(words[:6]))
    return message, list(dict.fromkeys(mark for mark in marks if len(mark) >= 20))


# --- the run -------------------------------------------------------------------------------------


def run(args, db_label, database_url):
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": db_label,
        "vendor": connection.vendor,
        "settings": SETTINGS_MODULE,
        "n": args.requests,
        "warmup": args.warmup,
        "query_samples": args.query_samples,
        "machine": machine(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "application": git_state(),
        "checks": [],
        "failures": [],
    }

    def check(ok, text):
        report["checks"].append({"ok": bool(ok), "check": text})
        if not ok:
            report["failures"].append(text)
        print(f"  [{'ok' if ok else 'FAILED'}] {text}", flush=True)
        return ok

    print(f"setting up the {db_label} database ...", flush=True)
    report["setup_seconds"] = bring_up()
    report["server_version"] = server_version(connection)

    AuditEvent = apps.get_model("audit", "AuditEvent")
    Message = apps.get_model("messages_app", "Message")
    table = AuditEvent._meta.db_table
    has_request_id = any(field.name == "request_id" for field in AuditEvent._meta.fields)
    message, marks = message_text_marks(Message)
    section_key = args.section or message.section.key

    pages = [
        {"key": "message", "label": f"`/messages/{MESSAGE}/` (message page)", "url": f"/documents/migration-americas/messages/{MESSAGE}/", "audited": True},
        {"key": "section", "label": f"`/sections/{section_key}/` (section)", "url": f"/documents/migration-americas/sections/{section_key}/", "audited": True},
        {"key": "search", "label": f"`/search/?q={SEARCH}` (search)", "url": f"/search/?q={SEARCH}", "audited": True},
        {"key": "home", "label": "`/` (library home)", "url": "/", "audited": True},
        {"key": "bare", "label": f"`{BARE_URL}` (bare login-required view)", "url": BARE_URL, "audited": False},
    ]

    print("checks of the set-up:", flush=True)
    atomic = connection.settings_dict.get("ATOMIC_REQUESTS")
    check(
        settings.DATABASES["default"].get("ATOMIC_REQUESTS") is True and atomic is True,
        f"ATOMIC_REQUESTS is on for the database (settings: {settings.DATABASES['default'].get('ATOMIC_REQUESTS')!r})",
    )
    check(getattr(settings, "AUDIT_READS_ENABLED", None) is True, "AUDIT_READS_ENABLED is on (reads are recorded)")
    check(
        "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE,
        "LoginRequiredMiddleware is in MIDDLEWARE (the bare view is login-required)",
    )

    client = rules_confirmed_client()
    anonymous = type(client)(HTTP_USER_AGENT=USER_AGENT).get(BARE_URL)
    check(anonymous.status_code == 302, f"{BARE_URL} sends an anonymous visitor to sign in ({anonymous.status_code})")

    def audit_count():
        return AuditEvent.objects.count()

    # One request per page, observed: status, rows, the rows' transaction and request id.
    print("one observed request per page:", flush=True)
    for page in pages:
        before = audit_count()
        observer = AuditInsertObserver(connection, table)
        with connection.execute_wrapper(observer):
            response = client.get(page["url"])
        added = audit_count() - before
        page["status"] = response.status_code
        check(response.status_code == 200, f"{page['url']} answers 200 ({response.status_code})")
        if not page["audited"]:
            check(added == 0 and not observer.inserts, f"{page['url']} writes no access-log row ({added})")
            continue
        check(added >= 1, f"{page['url']} writes its access-log rows ({added})")
        check(
            observer.inserts and all(i["in_atomic_block"] and not i["autocommit"] for i in observer.inserts),
            f"{page['url']}: its {len(observer.inserts)} AuditEvent INSERT(s) ran inside the request's transaction",
        )
        if has_request_id:
            request_id = response.get("X-Request-ID", "")
            tagged = AuditEvent.objects.filter(request_id=request_id).count() if request_id else 0
            check(tagged == added, f"{page['url']}: the {added} new row(s) carry the response's X-Request-ID ({tagged})")
        if page["key"] == "message":
            body = response.content.decode("utf-8", "replace")
            shown = [mark for mark in marks if mark in body]
            page["text_mark"] = shown[0] if shown else None
            check(bool(shown), f"{page['url']} shows the message text (so that its absence below means something)")

    # Warm-up, then N interleaved rounds, every request timed, rows counted around each.
    print(f"warm-up: {args.warmup} rounds; measuring: {args.requests} rounds of {len(pages)} requests ...", flush=True)
    for _ in range(args.warmup):
        for page in pages:
            client.get(page["url"])
    report["quiet"] = wait_for_quiet("bench/pages.py")  # BENCH_QUIET_WAIT / BENCH_QUIET_LOAD, as the other steps
    for page in pages:
        page["seconds"], page["rows"], page["bad_status"] = [], [], Counter()
    count = audit_count()
    measure_started = time.perf_counter()
    for round_number in range(args.requests):
        shift = round_number % len(pages)
        for page in pages[shift:] + pages[:shift]:
            started = time.perf_counter()
            response = client.get(page["url"])
            elapsed = time.perf_counter() - started
            after = audit_count()
            page["seconds"].append(elapsed)
            page["rows"].append(after - count)
            count = after
            if response.status_code != 200:
                page["bad_status"][response.status_code] += 1
    report["measure_seconds"] = round(time.perf_counter() - measure_started, 1)

    for page in pages:
        rows = page["rows"]
        if page["bad_status"]:
            check(False, f"{page['url']}: {sum(page['bad_status'].values())} measured requests did not answer 200 {dict(page['bad_status'])}")
        if page["audited"]:
            missing = sum(1 for r in rows if r < 1)
            check(missing == 0, f"{page['url']}: every one of {len(rows)} measured requests added >= 1 access-log row (without: {missing}; rows {min(rows)}-{max(rows)} per request)")
        else:
            extra = sum(1 for r in rows if r != 0)
            check(extra == 0, f"{page['url']}: none of {len(rows)} measured requests added an access-log row (with: {extra})")

    # Queries, on separate requests (capturing slows a request down).
    for page in pages:
        counts, sample, sql_ms, commit_ms = [], None, [], []
        for _ in range(args.query_samples):
            timer = DatabaseTimer(connection)
            with timer, CaptureQueriesContext(connection) as captured:
                client.get(page["url"])
            counts.append(len(captured.captured_queries))
            sample = sample or [q["sql"] for q in captured.captured_queries]
            sql_ms.append(timer.statements * 1000)
            commit_ms.append(timer.commits * 1000)
        page["sql_ms"] = round(statistics.median(sql_ms), 1)
        page["commit_ms"] = round(statistics.median(commit_ms), 1)
        page["queries"] = Counter(counts).most_common(1)[0][0]
        page["queries_seen"] = sorted(set(counts))
        page["queries_sample"] = sample
        page["transaction_statements"] = sum(1 for sql in sample if sql.strip().upper() in ("BEGIN", "COMMIT", "ROLLBACK"))
        seen = Counter(sql for sql in sample if sql.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"))
        page["repeated_statements"] = sum(times - 1 for times in seen.values())

    # The access log cannot be written -> no page.
    print("the access log fails:", flush=True)
    with quiet_request_log():
        for page in pages:
            if not page["audited"]:
                continue
            before = audit_count()
            observer = AuditInsertObserver(connection, table, mode="fail")
            with connection.execute_wrapper(observer):
                response = client.get(page["url"])
            added = audit_count() - before
            body = response.content.decode("utf-8", "replace")
            detail = f"{response.status_code}, {added} row(s) added, {len(observer.inserts)} INSERT(s) refused"
            ok = response.status_code == 503 and added == 0 and len(observer.inserts) >= 1
            if page["key"] == "message":
                leaked = [mark for mark in marks if mark in body]
                ok = ok and not leaked and page.get("text_mark") is not None
                detail += ", message text " + ("SHOWN" if leaked else "absent")
            check(ok, f"{page['url']} with the AuditEvent INSERT refused by the database: 503, nothing recorded, no content ({detail})")
            page["audit_failure"] = {"status": response.status_code, "rows_added": added, "inserts_refused": len(observer.inserts)}

        # The page fails after its row was written -> the row goes with the request's transaction.
        print("the page fails after its row was written:", flush=True)
        client.raise_request_exception = False
        try:
            for page in pages:
                if not page["audited"]:
                    continue
                before = audit_count()
                observer = AuditInsertObserver(connection, table)
                with connection.execute_wrapper(observer), failing_render_after(observer) as state:
                    response = client.get(page["url"])
                added = audit_count() - before
                ok = response.status_code == 500 and state["raised"] and len(observer.inserts) >= 1 and added == 0
                check(ok, f"{page['url']} failing after {len(observer.inserts)} AuditEvent INSERT(s): {response.status_code}, {added} row(s) kept (rolled back with the request)")
                page["rollback"] = {"status": response.status_code, "rows_kept": added, "inserts": len(observer.inserts)}
        finally:
            client.raise_request_exception = True

    # Figures.
    bare = next(page for page in pages if page["key"] == "bare")
    bare_median = statistics.median(bare["seconds"])
    for page in pages:
        ms = [s * 1000 for s in page["seconds"]]
        page["median_ms"] = round(statistics.median(ms), 2)
        page["p95_ms"] = round(percentile(ms, 95), 2)
        page["mean_ms"] = round(statistics.fmean(ms), 2)
        page["max_ms"] = round(max(ms), 2)
        page["ratio"] = round(statistics.median(page["seconds"]) / bare_median, 2)
        page["rows_per_request"] = round(statistics.fmean(page["rows"]), 2)
    report["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["pages"] = [
        {key: page.get(key) for key in (
            "key", "url", "audited", "median_ms", "p95_ms", "mean_ms", "max_ms", "ratio", "queries", "queries_seen",
            "transaction_statements", "repeated_statements", "sql_ms", "commit_ms",
            "rows_per_request", "audit_failure", "rollback", "queries_sample",
        )}
        for page in pages
    ]
    return report, pages


def server_version(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return "SQLite " + cursor.fetchone()[0]
    return connection.vendor




# --- output --------------------------------------------------------------------------------------


def markdown_table(pages):
    lines = [
        "| page | median ms | p95 ms | queries | access-log rows / request | ratio to bare (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        queries = str(page["queries"])
        if len(page["queries_seen"]) > 1:
            queries += f" ({page['queries_seen'][0]}–{page['queries_seen'][-1]})"
        ratio = "1.00 (baseline)" if page["key"] == "bare" else f"**{page['ratio']:.2f}**"
        lines.append(
            f"| {page['label']} | {page['median_ms']:.2f} | {page['p95_ms']:.2f} | {queries} | "
            f"{page['rows_per_request']:g} | {ratio} |"
        )
    return "\n".join(lines)


def table_notes(pages):
    counted = ", ".join(
        f"{page['key']} {page['queries']} ({page['transaction_statements']} BEGIN/COMMIT, "
        f"{page['repeated_statements']} exact repeat{'s' if page['repeated_statements'] != 1 else ''})"
        for page in pages
    )
    return (
        "Queries: the statements `CaptureQueriesContext` sees in one request, the BEGIN and COMMIT of the "
        f"request's transaction (ATOMIC_REQUESTS) included; repeats = the same SQL with the same parameters "
        f"run again in the same request: {counted}. Time spent waiting for the database in those requests "
        "(median; statements + COMMIT): "
        + ", ".join(f"{page['key']} {page['sql_ms']:g} + {page['commit_ms']:g} ms" for page in pages)
        + ". Ratio: the page's median over the bare view's median."
    )


def command_line():
    argv = [a for a in sys.argv[1:]]
    return " ".join([".venv/bin/python bench/pages.py", *argv])


def results_block(report, pages):
    vendor = report["vendor"]
    app = report["application"]
    failures = report["failures"]
    checks = report["checks"]
    lines = [
        f"<!-- bench:pages:{vendor}:start -->",
        f"### {report['server_version']} — {report['started'][:10]}",
        "",
        (
            f"- Run: {report['started']} → {report['finished']} (UTC), `{command_line()}`; settings `{report['settings']}`; "
            f"database {report['database']}"
        ),
        (
            f"- N = {report['n']} timed requests per page after {report['warmup']} warm-up rounds, in interleaved rounds "
            f"(order rotated each round); queries counted on {report['query_samples']} other requests per page"
        ),
        (
            f"- Machine: {report['machine'].get('cpu', '?')}, {report['machine'].get('cpus')} cores; Python {report['machine'].get('python')}; "
            f"load average {' / '.join(map(str, report['loadavg_at_start']))} at start, "
            f"{' / '.join(map(str, report['loadavg_at_end']))} at end"
        ),
        f"- Application: git {app['commit']}" + (" plus uncommitted changes" if app["uncommitted_changes"] else ""),
        "",
        markdown_table(pages),
        "",
        table_notes(pages),
        "",
        (
            f"Access-log checks: **all {len(checks)} passed**"
            if not failures
            else f"Access-log checks: **{len(failures)} of {len(checks)} FAILED**: " + "; ".join(failures)
        )
        + " — ATOMIC_REQUESTS on; ≥ 1 row per measured library request, 0 for the bare view; the INSERTs ran "
        "inside the request's transaction; AuditEvent INSERT refused by the database → 503 without the "
        "message text and no row; page failing after its row was written → 500 and the row rolled back.",
        f"<!-- bench:pages:{vendor}:end -->",
    ]
    return "\n".join(lines)


SECTION_INTRO = """\
What one signed-in request costs in-process — `django.test.Client` through the whole middleware
stack of `config.settings.test` (via `bench/pages_settings.py`), ATOMIC_REQUESTS on, as
member@colombia.example.org with the handling rules confirmed — next to a bare login-required view
(`/bench/bare/`, returns "ok") behind the same middleware. Times are per request, wall clock, in
one process (no network, no server); queries counted with `CaptureQueriesContext` on separate
requests. Generated by `bench/pages.py` (see README.md); one block per database, each replaced by
the next run on that database.
"""


def write_results(report, pages):
    block = results_block(report, pages)
    vendor = report["vendor"]
    text = RESULTS.read_text() if RESULTS.exists() else ""
    start_marker, end_marker = f"<!-- bench:pages:{vendor}:start -->", f"<!-- bench:pages:{vendor}:end -->"
    lines = text.splitlines(keepends=True)
    heading_at = next((i for i, line in enumerate(lines) if line.rstrip() == HEADING), None)
    if heading_at is None:
        section = f"{HEADING}\n\n{SECTION_INTRO}\n{block}\n"
        text = text.rstrip("\n") + "\n\n" + section if text.strip() else section
    else:
        end_at = next(
            (i for i in range(heading_at + 1, len(lines)) if lines[i].startswith("## ") or lines[i].startswith("# ")),
            len(lines),
        )
        before, section, after = "".join(lines[:heading_at]), "".join(lines[heading_at:end_at]), "".join(lines[end_at:])
        if start_marker in section and end_marker in section:
            head, rest = section.split(start_marker, 1)
            _old, tail = rest.split(end_marker, 1)
            section = head + block + tail
        else:
            section = section.rstrip("\n") + "\n\n" + block + "\n"
        if after and not section.endswith("\n\n"):
            section = section.rstrip("\n") + "\n\n"
        text = before + section + after
    RESULTS.write_text(text)
    return RESULTS


# --- main ----------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", help=f"PostgreSQL database to create, use and drop (default {DEFAULT_PG_URL}); its name must start with km_bench")
    where.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("-n", "--requests", type=int, default=300, help="timed requests per page (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed rounds first (default 20)")
    parser.add_argument("--query-samples", type=int, default=5, help="requests per page with the queries captured (default 5)")
    parser.add_argument("--section", help="section key to measure (default: the section of DET-04)")
    parser.add_argument("--check", action="store_true", help="apply the message page's thresholds (--max-ratio 2.0 --max-queries 8 unless given)")
    parser.add_argument("--max-ratio", type=float, help="fail (exit 1) if the message page's median exceeds this many times the bare view's")
    parser.add_argument("--max-queries", type=int, help="fail (exit 1) if the message page makes more SQL queries than this")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database (or SQLite file) at the end")
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args()
    if args.requests < 1 or args.warmup < 0 or args.query_samples < 1:
        parser.error("--requests and --query-samples must be >= 1, --warmup >= 0")
    if args.check:
        args.max_ratio = CHECK_DEFAULTS["max_ratio"] if args.max_ratio is None else args.max_ratio
        args.max_queries = CHECK_DEFAULTS["max_queries"] if args.max_queries is None else args.max_queries
    return args


def main():
    args = parse_args()
    if os.environ.get("KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT"):
        raise SystemExit("bench/pages.py measures pages with their access log: unset KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT")
    # SIGTERM (a CI timeout) must still run the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmpdir = None
    pg = None
    if args.sqlite:
        tmpdir = tempfile.mkdtemp(prefix="km_bench_pages-")
        database_url = f"sqlite:///{Path(tmpdir) / 'km_bench_pages.sqlite3'}"
        db_label = "SQLite, a temporary file (removed by the run)"
        print(f"SQLite database: {Path(tmpdir) / 'km_bench_pages.sqlite3'}", flush=True)
    else:
        database_url = args.database_url or DEFAULT_PG_URL
        os.environ["DATABASE_URL"] = database_url  # what bench._common's guard reads
        name = bench_db_name(database_url)  # refuses anything but postgres://…/km_bench*
        if name == "km_bench":
            raise SystemExit("bench/pages.py: km_bench is the database of `make bench`; use another km_bench* name")
        pg = (database_url, name)
        db_label = f"PostgreSQL `{name}` (created and dropped by the run)"
        pg_create(database_url, name)

    report = pages = None
    try:
        django_setup(database_url)
        report, pages = run(args, db_label, database_url)
    except CheckFailed as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001  (reported with its traceback, after the clean-up)
        traceback.print_exc()
        print("\nbench/pages.py: the run itself failed (see above); the database was cleaned up", file=sys.stderr)
        return 3
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110  (Django may not even be set up)
            pass
        if args.keep_db:
            print(f"kept the database: {database_url}", flush=True)
        else:
            if pg:
                pg_drop(*pg)
            if tmpdir:
                shutil.rmtree(tmpdir, ignore_errors=True)

    table = markdown_table(pages)
    print()
    print(f"{report['server_version']}, N = {report['n']} per page (after {report['warmup']} warm-up rounds), "
          f"{report['started']} UTC, settings {SETTINGS_MODULE}")
    print()
    print(table)
    print()
    print(table_notes(pages))
    print()
    report["thresholds"] = {"max_ratio": args.max_ratio, "max_queries": args.max_queries}
    out = write_result(f"pages-{report['vendor']}", report)
    print(f"raw results: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if not args.no_results:
        print(f"wrote {write_results(report, pages).relative_to(ROOT)} (section {HEADING!r}, {report['vendor']} block)")

    status = 0
    message = next(page for page in pages if page["key"] == "message")
    exceeded = []
    if args.max_ratio is not None and message["ratio"] > args.max_ratio:
        exceeded.append(f"message page costs {message['ratio']:.2f}x the bare view (median), more than --max-ratio {args.max_ratio:g}")
    if args.max_queries is not None and message["queries"] > args.max_queries:
        exceeded.append(f"message page makes {message['queries']} SQL queries, more than --max-queries {args.max_queries}")
    for text in exceeded:
        print(f"THRESHOLD EXCEEDED: {text}", file=sys.stderr)
    if exceeded:
        status = 1
    elif args.max_ratio is not None or args.max_queries is not None:
        print(f"thresholds met: message page {message['ratio']:.2f}x the bare view, {message['queries']} queries")
    if report["failures"]:
        print(f"ACCESS-LOG CHECKS FAILED ({len(report['failures'])}):", file=sys.stderr)
        for text in report["failures"]:
            print(f"  - {text}", file=sys.stderr)
        status = 2
    else:
        print(f"access-log checks: all {len(report['checks'])} passed")
    return status


if __name__ == "__main__":
    sys.exit(main())
