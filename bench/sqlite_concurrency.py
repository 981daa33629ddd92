"""SQLite under concurrent use: readers and note writers at once against the served app.

    .venv/bin/python bench/sqlite_concurrency.py [--duration 30] [--readers 20] [--writers 5]
        [--servers runserver,gunicorn] [--workers 4] [--threads 4] [--sqlite-options JSON]
        [--no-results] [--keep-tmp]

About 2 minutes with the defaults (set-up ~30 s, then per server: sign-in ~15 s and the load).
`--sqlite-options '{}'` serves with Django's default SQLite OPTIONS instead of the settings' (what
config/settings/database.py replaced): the way to see the "before" figures again.

What it does, from the repository root, on 127.0.0.1 only:

  * builds a fresh SQLite database in a temporary directory the way `make run` does (Makefile
    `demo`: migrate, createcachetable, load_key_messages, the demonstration Spanish translation,
    create_demo_accounts), with DATABASE_URL=sqlite:////tmp/.../template.sqlite3 and the settings
    `make run` uses (config.settings.local), then adds bench accounts with a small `manage.py shell`
    script: members of the Colombian and Mexican Red Cross, the writers among them editors
    (Membership.can_edit_notes), so that nobody needs a second factor;
  * for each server, on its own copy of that database:
      - `runserver`: `manage.py runserver --noreload 127.0.0.1:<free port>`, what `make run` serves
        (threaded; --noreload only drops the file-watching parent process);
      - `gunicorn`: `gunicorn config.wsgi -w 4 --threads 4 -b 127.0.0.1:<free port>` with the same
        settings module;
    signs in readers + writers sessions through the login form, confirms the handling rules by
    POSTing the form of /how-to-use/, then for --duration seconds runs the reader threads (GET a
    message, a section, a search, the home page, at random) and the writer threads (GET a message's
    note form, POST it with new text and the revision it showed), one request at a time each, no
    think time;
  * counts every answer. Expected: 200 for reads and note forms; 302 (saved) or 409 (the conflict
    page: two editors of one society saved the same note, nothing lost) for a save. A save answered
    200 is a form re-rendered by the app (a transient failure, the text kept): counted apart, and
    checked to contain the typed text. Everything else (5xx, a connection error, a timeout, another
    status) is an error. Prints requests, errors by status, p50/p95 latency per kind, the server
    log's "database is locked" and traceback counts; writes bench/out/sqlite-concurrency.json and
    replaces the generated block of the section "## SQLite under concurrent use
    (bench/sqlite_concurrency.py)" of bench/RESULTS.md (`--no-results`: not);
  * stops by itself: every loop is bounded by the deadline, every request by a timeout; the server
    (its whole process group) and the temporary directory are removed at the end, also on failure,
    Ctrl-C or SIGTERM (`--keep-tmp` keeps the directory, to read the server logs).

Exit codes: 0 no errors; 1 errors were counted; 3 the run itself failed (set-up, sign-in, server).
Nothing here imports the application's modules: only URLs, management commands and, in the set-up
script run by `manage.py shell`, models by apps.get_model().
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import git_state, machine, percentile, write_result  # (no Django in here)

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SETTINGS_MODULE = "config.settings.local"  # what `make run` (manage.py) uses
VARIANT_SETTINGS_MODULE = "bench.sqlite_concurrency_settings"  # the same, with --sqlite-options
DEMO_TRANSLATION = "messages_app/content/demo/key-messages.es.yaml"
PASSWORD = "keymessages-demo"
USER_AGENT = "km-bench/1.0 (bench/sqlite_concurrency.py)"
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## SQLite under concurrent use (bench/sqlite_concurrency.py)"
START_MARK = "<!-- bench:sqlite-concurrency:start -->"
END_MARK = "<!-- bench:sqlite-concurrency:end -->"
SEARCHES = ["detention", "migrants", "return", "children", "humanitarian", "protection", "border", "asylum"]
# Writers edit notes on a few messages only, so that two editors of one society sometimes save the
# same note: the conflict page (409) is part of what a concurrent save may rightly answer.
NOTE_MESSAGES = 4
REQUEST_TIMEOUT = 60.0
SOCIETIES = ("colombia", "mexico")

# Run by `manage.py shell -c` on the template database: the bench accounts, and what the readers
# may ask for. Prints one JSON line.
SETUP_SCRIPT = r"""
import json
from django.apps import apps
from django.contrib.auth.hashers import make_password

User = apps.get_model("national_societies", "User")
Membership = apps.get_model("national_societies", "Membership")
NationalSociety = apps.get_model("national_societies", "NationalSociety")
Message = apps.get_model("messages_app", "Message")
spec = json.loads(SPEC)
password = make_password(spec["password"])
for email, slug, editor in spec["accounts"]:
    user, _ = User.objects.update_or_create(email=email, defaults={"password": password, "is_active": True, "first_name": "Bench", "last_name": email.split("@")[0]})
    Membership.objects.update_or_create(user=user, defaults={"national_society": NationalSociety.objects.get(slug=slug), "role": "member", "can_edit_notes": editor})
messages = list(Message.objects.filter(retired_in__isnull=True).order_by("position").values_list("identifier", "section__key"))
print("BENCH-JSON " + json.dumps({"messages": [m for m, _ in messages], "sections": sorted({s for _, s in messages})}))
"""


class RunFailed(Exception):
    pass


# --- a small HTTP client: one connection per request, cookies, forms ----------------------------


class FormParser(HTMLParser):
    """The forms of a page: their inputs' names and values (checked boxes and radios only), textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "names": set()})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            self.forms[-1]["names"].add(attrs["name"])
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.forms[-1]["names"].add(attrs["name"])
            self.forms[-1]["fields"][attrs["name"]] = ""

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_with(html: str, field: str) -> dict | None:
    parser = FormParser()
    parser.feed(html)
    return next((form for form in parser.forms if field in form["names"]), None)


class Browser:
    """One signed-in person: a cookie jar; each request on a new connection (Connection: close)."""

    def __init__(self, port: int, email: str):
        self.port = port
        self.email = email
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, timeout: float = REQUEST_TIMEOUT):
        headers = {"User-Agent": USER_AGENT, "Connection": "close", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, data.decode("utf-8", "replace")

    def sign_in(self):
        status, _, html = self.request("GET", "/accounts/login/")
        form = form_with(html, "login")
        if status != 200 or form is None:
            raise RunFailed(f"{self.email}: the login page answered {status}")
        fields = {**form["fields"], "login": self.email, "password": PASSWORD}
        status, headers, html = self.request("POST", "/accounts/login/", fields)
        if status != 302:
            raise RunFailed(f"{self.email}: signing in answered {status} {headers.get('Location', '')}")
        status, _, html = self.request("GET", "/documents/migration-americas/how-to-use/")
        form = form_with(html, "confirm")
        if status != 200 or form is None:
            raise RunFailed(f"{self.email}: /how-to-use/ answered {status}")
        status, headers, _ = self.request("POST", "/documents/migration-americas/how-to-use/", {**form["fields"], "confirm": "on", "next": "/"})
        if status != 302:
            raise RunFailed(f"{self.email}: confirming the handling rules answered {status}")
        status, headers, _ = self.request("GET", "/")
        if status != 200:
            raise RunFailed(f"{self.email}: the home page answered {status} {headers.get('Location', '')} after signing in")


# --- the load -------------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)  # kind -> [seconds]
        self.statuses = defaultdict(Counter)  # kind -> status -> count
        self.errors = Counter()  # "kind: status" -> count
        self.error_examples = []
        self.kept_forms = 0  # saves re-rendered with the text kept
        self.lost_text = 0  # saves re-rendered without it (an error too)

    def add(self, kind, status, seconds, error=None, example=""):
        with self.lock:
            self.samples[kind].append(seconds)
            self.statuses[kind][status] += 1
            if error:
                self.errors[f"{kind}: {error}"] += 1
                if len(self.error_examples) < 10:
                    self.error_examples.append(f"{kind} {status}: {example[:300]}")


def timed(browser, method, path, form=None):
    started = time.perf_counter()
    try:
        status, headers, html = browser.request(method, path, form)
    except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
        return type(error).__name__, None, "", time.perf_counter() - started
    return status, headers, html, time.perf_counter() - started


def page_text(html):
    match = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    return (match.group(1).strip() if match else html[:200]).replace("\n", " ")


def reader_loop(browser, catalogue, deadline, tally, rng):
    while time.monotonic() < deadline:
        kind = rng.choice(("message", "section", "search", "home"))
        if kind == "message":
            path = f"/documents/migration-americas/messages/{rng.choice(catalogue['messages'])}/"
        elif kind == "section":
            path = f"/documents/migration-americas/sections/{rng.choice(catalogue['sections'])}/"
        elif kind == "search":
            path = "/search/?" + urlencode({"q": rng.choice(SEARCHES)})
        else:
            path = "/"
        status, _, html, seconds = timed(browser, "GET", path)
        tally.add(kind, status, seconds, error=None if status == 200 else status, example=f"{path} {page_text(html)}")


def writer_loop(browser, number, note_messages, deadline, tally, rng):
    saves = 0
    while time.monotonic() < deadline:
        identifier = rng.choice(note_messages)
        path = f"/documents/migration-americas/messages/{identifier}/note/"
        status, _, html, seconds = timed(browser, "GET", path)
        form = form_with(html, "text") if status == 200 else None
        tally.add("note form", status, seconds, error=None if form else status, example=f"{path} {page_text(html)}")
        if form is None or time.monotonic() >= deadline:
            continue
        saves += 1
        text = f"Bench note: writer {number}, save {saves}, {datetime.now(UTC).isoformat(timespec='microseconds')}."
        fields = {**form["fields"], "text": text, "visibility": form["fields"].get("visibility") or "society"}
        status, _, html, seconds = timed(browser, "POST", path, fields)
        error = None
        if status == 200:  # the form again: the app could not save, and says so
            with tally.lock:
                if text in html:
                    tally.kept_forms += 1
                else:
                    tally.lost_text += 1
            error = None if text in html else "200 without the typed text"
        elif status not in (302, 409):
            error = status
        tally.add("note save", status, seconds, error=error, example=f"{path} {page_text(html)}")


# --- set-up, servers, clean-up ---------------------------------------------------------------------


def child_env(database_url, sqlite_options=None):
    """The environment of manage.py and the servers: `make run`'s settings, or the variant's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "KEYMESSAGES_", "BENCH_SQLITE_"))}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE, PYTHONUNBUFFERED="1")
    if sqlite_options is not None:
        env.update(DJANGO_SETTINGS_MODULE=VARIANT_SETTINGS_MODULE, BENCH_SQLITE_OPTIONS=json.dumps(sqlite_options))
    return env


def manage(database_url, *argv, log):
    started = time.perf_counter()
    result = subprocess.run(
        [str(PYTHON), "manage.py", *argv], cwd=ROOT, env=child_env(database_url), capture_output=True, text=True, timeout=600, check=False
    )
    log.write(f"$ manage.py {' '.join(argv)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        raise RunFailed(f"manage.py {' '.join(argv)} failed:\n{result.stderr[-3000:]}")
    return result.stdout, round(time.perf_counter() - started, 1)


def accounts(readers, writers):
    """(email, society slug, editor): the demo members first, then bench members; writers are editors."""
    people = [("member@colombia.example.org", "colombia", False), ("member@mexico.example.org", "mexico", False)][:readers]
    people += [(f"bench-reader{i:02d}@{SOCIETIES[i % 2]}.example.org", SOCIETIES[i % 2], False) for i in range(len(people), readers)]
    people += [(f"bench-editor{i:02d}@{SOCIETIES[i % 2]}.example.org", SOCIETIES[i % 2], True) for i in range(writers)]
    return people


def build_template(tmp, people, log):
    path = tmp / "template.sqlite3"
    url = f"sqlite:///{path}"  # an absolute path: sqlite:////tmp/...
    timings = {}
    for argv in (
        ("migrate", "--noinput"),
        ("createcachetable",),
        ("load_key_messages",),
        ("load_key_messages", DEMO_TRANSLATION),
        ("create_demo_accounts",),
    ):
        _, timings[" ".join(argv)] = manage(url, *argv, log=log)
    spec = json.dumps({"password": PASSWORD, "accounts": people})
    out, timings["bench accounts"] = manage(url, "shell", "-c", f"SPEC = {spec!r}\n{SETUP_SCRIPT}", log=log)
    line = next((line for line in out.splitlines() if line.startswith("BENCH-JSON ")), None)
    if line is None:
        raise RunFailed(f"the set-up script printed nothing usable:\n{out[-2000:]}")
    return path, json.loads(line.removeprefix("BENCH-JSON ")), timings


def copy_database(source: Path, target: Path):
    """A consistent copy (SQLite's backup API), in the rollback-journal mode of a new SQLite file: the
    server's own settings decide (the init_command of config/settings/database.py turns WAL on)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.execute("PRAGMA journal_mode=DELETE")
    dst.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(server, port, args):
    if server == "runserver":
        return [str(PYTHON), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    return [
        str(GUNICORN), "config.wsgi", "-w", str(args.workers), "--threads", str(args.threads),
        "-b", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "5",
    ]


def start_server(server, port, database_url, log_path, args):
    log = open(log_path, "w")
    process = subprocess.Popen(
        server_command(server, port, args), cwd=ROOT, env=child_env(database_url, args.sqlite_options), stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole (gunicorn's workers too)
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RunFailed(f"{server} exited with {process.returncode}:\n{Path(log_path).read_text()[-3000:]}")
        try:
            status, _, _ = Browser(port, "").request("GET", "/healthz", timeout=5)
            if status == 200:
                return process
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.3)
    stop_server(process)
    raise RunFailed(f"{server} did not answer /healthz within 60 s:\n{Path(log_path).read_text()[-3000:]}")


def stop_server(process):
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)  # the group this script created for it, nothing else
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    return mode


def run_server(server, template, catalogue, people, tmp, args):
    db_path = tmp / f"{server}.sqlite3"
    copy_database(template, db_path)
    port = free_port()
    log_path = tmp / f"{server}.log"
    readers = [p for p in people if not p[2]]
    writers = [p for p in people if p[2]]
    print(f"\n[{server}] 127.0.0.1:{port}, database {db_path}", flush=True)
    process = None
    try:
        process = start_server(server, port, f"sqlite:///{db_path}", log_path, args)
        signed_in = time.perf_counter()
        reader_browsers = [Browser(port, email) for email, _, _ in readers]
        writer_browsers = [Browser(port, email) for email, _, _ in writers]
        for browser in reader_browsers + writer_browsers:
            browser.sign_in()
        print(f"[{server}] {len(people)} sessions signed in ({time.perf_counter() - signed_in:.1f} s); "
              f"{len(readers)} readers + {len(writers)} writers for {args.duration} s ...", flush=True)
        tally = Tally()
        load_started = time.monotonic()
        deadline = load_started + args.duration
        note_messages = catalogue["messages"][:NOTE_MESSAGES]
        threads = [
            threading.Thread(target=reader_loop, args=(b, catalogue, deadline, tally, random.Random(f"r{i}")), daemon=True)
            for i, b in enumerate(reader_browsers)
        ] + [
            threading.Thread(target=writer_loop, args=(b, i, note_messages, deadline, tally, random.Random(f"w{i}")), daemon=True)
            for i, b in enumerate(writer_browsers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 10)
        elapsed = time.monotonic() - load_started
        stuck = sum(thread.is_alive() for thread in threads)
        if stuck:
            raise RunFailed(f"{stuck} client threads still running after the deadline and the request timeout")
        mode = journal_mode(db_path)
    finally:
        stop_server(process)
    server_log = log_path.read_text(errors="replace") if log_path.exists() else ""
    return summarise(server, port, args, tally, elapsed, mode, server_log, len(readers), len(writers))


def summarise(server, port, args, tally, elapsed, mode, server_log, n_readers, n_writers):
    kinds = []
    every = []
    for kind in ("message", "section", "search", "home", "note form", "note save"):
        samples = tally.samples.get(kind, [])
        every += samples
        if not samples:
            continue
        ms = [s * 1000 for s in samples]
        kinds.append({
            "kind": kind, "requests": len(ms), "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
            "max_ms": round(max(ms), 1), "statuses": {str(k): v for k, v in sorted(tally.statuses[kind].items(), key=str)},
        })
    all_ms = [s * 1000 for s in every]
    errors = sum(tally.errors.values())
    result = {
        "server": server,
        "command": " ".join(server_command(server, port, args)[1 if server == "runserver" else 0:]).replace(str(ROOT) + "/", ""),
        "readers": n_readers,
        "writers": n_writers,
        "seconds": round(elapsed, 1),
        "requests": len(all_ms),
        "requests_per_s": round(len(all_ms) / elapsed, 1) if elapsed else 0,
        "errors": errors,
        "errors_by_status": dict(tally.errors.most_common()),
        "error_examples": tally.error_examples,
        "p50_ms": round(percentile(all_ms, 50), 1) if all_ms else None,
        "p95_ms": round(percentile(all_ms, 95), 1) if all_ms else None,
        "max_ms": round(max(all_ms), 1) if all_ms else None,
        "kinds": kinds,
        "saves": tally.statuses["note save"].get(302, 0),
        "conflicts": tally.statuses["note save"].get(409, 0),
        "kept_forms": tally.kept_forms,
        "lost_text": tally.lost_text,
        "journal_mode_after": mode,
        "log_database_locked": server_log.count("database is locked"),
        "log_tracebacks": server_log.count("Traceback (most recent call last)"),
    }
    print(f"[{server}] {result['requests']} requests in {result['seconds']} s ({result['requests_per_s']}/s), "
          f"errors: {errors} {result['errors_by_status'] or ''}; p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms; "
          f"saves {result['saves']}, conflicts (409) {result['conflicts']}, forms kept {result['kept_forms']}; "
          f"journal_mode {mode}; server log: {result['log_database_locked']} 'database is locked', "
          f"{result['log_tracebacks']} tracebacks", flush=True)
    for example in tally.error_examples[:5]:
        print(f"    e.g. {example}", flush=True)
    return result


# --- output ------------------------------------------------------------------------------------------


def settings_digest(sqlite_options=None):
    """What the settings say about SQLite, read the way the app reads them (for the report)."""
    code = (
        "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
        "print('BENCH-JSON ' + json.dumps({'OPTIONS': d.get('OPTIONS', {}), 'ATOMIC_REQUESTS': d.get('ATOMIC_REQUESTS'), "
        "'CONN_MAX_AGE': d.get('CONN_MAX_AGE'), 'module': s.SETTINGS_MODULE}, default=str))"
    )
    result = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-c", code], cwd=ROOT, env=child_env("sqlite:////tmp/km-bench-unused.sqlite3", sqlite_options),
        capture_output=True, text=True, timeout=120, check=False,
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH-JSON ")), None)
    return json.loads(line.removeprefix("BENCH-JSON ")) if line else {"error": result.stderr[-500:]}




def markdown(report):
    m = report["machine"]
    app = report["application"]
    lines = [
        f"### {report['started'][:10]} — {', '.join(r['server'] for r in report['servers'])}",
        "",
        f"- Run: {report['started']} → {report['finished']} (UTC), `{report['argv']}`",
        f"- Load: {report['readers']} reader threads (message, section, search, home at random) + {report['writers']} "
        f"writer threads (a note form, then its save) for {report['duration']} s each server, one request at a time per "
        f"thread, no think time, a new connection per request; each thread its own signed-in session",
        f"- Database: a fresh SQLite {report['sqlite_version']} file per server, built as `make run` does; settings "
        f"`{report['settings'].get('module', '?')}`; `DATABASES['default']`: OPTIONS `{json.dumps(report['settings'].get('OPTIONS', {}))}`, "
        f"ATOMIC_REQUESTS {report['settings'].get('ATOMIC_REQUESTS')}, CONN_MAX_AGE {report['settings'].get('CONN_MAX_AGE')}",
        f"- Machine: {m.get('cpu', '?')}, {m.get('cpus')} cores (shared with the clients); Python {m.get('python')}; "
        f"load average {' / '.join(map(str, report['loadavg_at_start']))} at start",
        f"- Application: git {app['commit']}{' plus uncommitted changes' if app['uncommitted_changes'] else ''}",
        "",
        "| server | requests | req/s | errors | errors by status | p50 ms | p95 ms | max ms | saves (302) | conflicts (409) | forms kept | \"database is locked\" in log |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["servers"]:
        by_status = ", ".join(f"{k} × {v}" for k, v in r["errors_by_status"].items()) or "—"
        lines.append(
            f"| `{r['command']}` | {r['requests']} | {r['requests_per_s']} | **{r['errors']}** | {by_status} | {r['p50_ms']} | "
            f"{r['p95_ms']} | {r['max_ms']} | {r['saves']} | {r['conflicts']} | {r['kept_forms']} | {r['log_database_locked']} |"
        )
    lines += ["", "Per kind of request (p50 / p95 / max ms; statuses):", ""]
    for r in report["servers"]:
        parts = [
            f"{k['kind']} {k['requests']}: {k['p50_ms']} / {k['p95_ms']} / {k['max_ms']} ({', '.join(f'{s}×{n}' for s, n in k['statuses'].items())})"
            for k in r["kinds"]
        ]
        lines.append(f"- {r['server']}: " + "; ".join(parts) + ".")
    return "\n".join(lines)


def update_results(block: str) -> Path:
    text = RESULTS.read_text() if RESULTS.exists() else ""
    generated = f"{START_MARK}\n{block}\n{END_MARK}"
    if HEADING not in text:
        intro = (
            "Readers and note writers at once against the served app on its embedded default database "
            "(SQLite), as `make run` serves it (runserver) and under gunicorn. Generated by "
            "`bench/sqlite_concurrency.py` (see its docstring): the block between the markers is "
            "replaced by each run, the rest of this section is kept."
        )
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{intro}\n\n{generated}\n"
    else:
        start = text.index(HEADING)
        following = text.find("\n## ", start + len(HEADING))
        end = len(text) if following < 0 else following + 1
        section = text[start:end]
        if START_MARK in section and END_MARK in section:
            a = section.index(START_MARK)
            b = section.index(END_MARK) + len(END_MARK)
            section = section[:a] + generated + section[b:]
        else:
            section = section.rstrip("\n") + f"\n\n{generated}\n" + ("\n" if following >= 0 else "")
        text = text[:start] + section + text[end:]
    RESULTS.write_text(text)
    return RESULTS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load per server (default 30)")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--servers", default="runserver,gunicorn", help="comma-separated: runserver, gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument(
        "--sqlite-options", type=json.loads, metavar="JSON",
        help="serve with these OPTIONS of DATABASES['default'] instead of the settings' (bench/sqlite_concurrency_settings.py); "
        "'{}' is Django's defaults, the state before config/settings/database.py",
    )
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory (databases, server logs)")
    args = parser.parse_args(argv)
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not servers or set(servers) - {"runserver", "gunicorn"}:
        parser.error("--servers: runserver and/or gunicorn")
    if not 0 < args.duration <= 600 or args.readers < 0 or args.writers < 0 or not 0 < args.readers + args.writers <= 30:
        # 30: allauth's login rate limit (ACCOUNT_RATE_LIMITS "30/m/ip"); every session signs in from 127.0.0.1.
        parser.error("--duration in (0, 600]; --readers + --writers between 1 and 30")

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="km-sqlite-bench-"))
    report = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "argv": " ".join([".venv/bin/python", "bench/sqlite_concurrency.py", *(argv if argv is not None else sys.argv[1:])]),
        "readers": args.readers,
        "writers": args.writers,
        "duration": args.duration,
        "machine": machine(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "application": git_state(),
        "sqlite_version": sqlite3.sqlite_version,
        "servers": [],
    }
    try:
        people = accounts(args.readers, args.writers)
        print(f"building the database in {tmp} (as `make run` does) ...", flush=True)
        with open(tmp / "setup.log", "w") as log:
            template, catalogue, report["setup_seconds"] = build_template(tmp, people, log)
        report["settings"] = settings_digest(args.sqlite_options)
        print(f"settings: {report['settings']}", flush=True)
        for server in servers:
            report["servers"].append(run_server(server, template, catalogue, people, tmp, args))
    except RunFailed as error:
        print(f"bench/sqlite_concurrency.py: {error}", file=sys.stderr, flush=True)
        return 3
    except Exception:  # noqa: BLE001 - report, clean up, exit 3
        traceback.print_exc()
        return 3
    finally:
        if args.keep_tmp:
            print(f"kept {tmp}", flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_result("sqlite-concurrency", report)
    block = markdown(report)
    print("\n" + block, flush=True)
    if not args.no_results:
        print(f"\nwrote {update_results(block).relative_to(ROOT)}", flush=True)
    return 1 if any(r["errors"] for r in report["servers"]) else 0


if __name__ == "__main__":
    sys.exit(main())
