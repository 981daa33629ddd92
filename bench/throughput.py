"""The message page under load, with the access log recording every view and with recording off.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/km_bench .venv/bin/python bench/throughput.py \
        [--workers 3] [--clients 6] [--round-seconds 8] [--rounds 16] [--sequential 100] [--path /messages/DET-04/]

In one run, two gunicorn servers on the same km_bench database, same settings (bench/settings.py),
same command line as the Dockerfile's (sync workers, --max-requests 1000...):

  * "audit":    AUDIT_READS_ENABLED on (every view writes its AuditEvent in the request's transaction)
  * "no-audit": KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT=1 (the one switch the settings offer for this)

The load generator (threads + http.client, one new connection per request, as gunicorn's sync
workers close each one) first signs in `--clients` sessions through allauth's form (alternating
member@colombia.example.org and member@mexico.example.org; the handling rules are confirmed at
/how-to-use/ when asked), then runs warm-up rounds, then `--rounds` measured rounds of
`--round-seconds` each, alternating the servers in the order A B B A A B B A (so that drift on a
shared machine falls on both alike). Each round keeps `--clients` requests in flight.

Checks (the run fails when one does not hold):
  * every measured request answered 200 with the message's text;
  * the audited rounds wrote exactly one viewed_message row per 200 response: the set of
    request_id of the rows written since the measurement started equals the set of X-Request-ID
    headers of the audited responses, no id twice, none from the no-audit rounds;
  * read-your-write: after the rounds, --sequential requests to each server, one at a time,
    alternating (their latency without queueing is reported too); each audited response finds its
    row (by X-Request-ID) in the database, from another connection, the moment it has arrived: the
    row was committed before the response left (with PostgreSQL's synchronous_commit=on and
    fsync=on, recorded in the results, committed means flushed to disk); no no-audit one has a row.

Results: bench/out/throughput.json (and the gunicorn logs in bench/out/).
"""

import argparse
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT_DIR, ROOT, bench_db_name, database_url, machine, percentile, psycopg_dsn, wait_for_quiet, write_result  # noqa: E402

HOST = "127.0.0.1"
PORTS = {"audit": 8401, "no-audit": 8402}
ACCOUNTS = ["member@colombia.example.org", "member@mexico.example.org"]
PASSWORD = "keymessages-demo"
USER_AGENT = "km-bench/1.0 (bench/throughput.py)"
ORDER = ["audit", "no-audit", "no-audit", "audit"]
GUNICORN_ARGS = [
    "--workers", "3", "--timeout", "60", "--graceful-timeout", "25", "--keep-alive", "5",
    "--max-requests", "1000", "--max-requests-jitter", "100", "--worker-tmp-dir", "/dev/shm",
    "--no-control-socket",
]


# --- HTTP client ------------------------------------------------------------------------------


class Session:
    """Cookies by hand: a plain-HTTP client that sends what the browser would."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        all_headers = {"User-Agent": USER_AGENT, "Accept-Language": "en"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if "max-age=0" in value.lower() or cookie_value == '""':
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = cookie_value
            return response.status, response.getheader("Location", ""), response.getheader("X-Request-ID", ""), data
        finally:
            conn.close()


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the form")
    return match.group(1).decode()


def sign_in(port, email, path):
    """A session signed in through allauth's form, with the handling rules confirmed."""
    session = Session()
    status, _loc, _rid, html = session.request(port, "GET", "/accounts/login/")
    assert status == 200, f"login page answered {status}"
    status, location, _rid, _html = session.request(
        port, "POST", "/accounts/login/",
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(html)},
        headers={"Referer": f"http://{HOST}:{port}/accounts/login/"},
    )
    if status != 302:
        raise RuntimeError(f"sign-in of {email} answered {status} (rate limit or wrong password?)")
    status, location, _rid, _html = session.request(port, "GET", path)
    if status == 302 and "/documents/migration-americas/how-to-use/" in location:
        status, _loc, _rid, html = session.request(port, "GET", location)
        version = re.search(rb'name="rules_version" value="([^"]*)"', html)
        form = {"confirm": "on", "csrfmiddlewaretoken": csrf_token(html), "next": path}
        if version:
            form["rules_version"] = version.group(1).decode()
        status, _loc, _rid, _html = session.request(port, "POST", "/documents/migration-americas/how-to-use/", form, headers={"Referer": f"http://{HOST}:{port}{location}"})
        assert status == 302, f"confirming the rules answered {status}"
        status, location, _rid, _html = session.request(port, "GET", path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status} after sign-in (-> {location})")
    return session


# --- Load -------------------------------------------------------------------------------------


def run_round(port, sessions, paths, seconds, expect: bytes):
    """Keep len(sessions) requests in flight for `seconds`; returns (elapsed, [(latency, status, request_id)])."""
    results = [[] for _ in sessions]
    barrier = threading.Barrier(len(sessions) + 1)
    deadline = [0.0]

    def client(index, session):
        barrier.wait()
        k = index
        out = results[index]
        while time.perf_counter() < deadline[0]:
            path = paths[k % len(paths)]
            k += 1
            started = time.perf_counter()
            try:
                status, _loc, request_id, body = session.request(port, "GET", path)
                if status == 200 and expect not in body:
                    status = -200  # an answer without the message's text counts as an error
            except (OSError, http.client.HTTPException) as error:
                status, request_id = f"error: {error.__class__.__name__}", ""
            out.append((time.perf_counter() - started, status, request_id))

    threads = [threading.Thread(target=client, args=(i, s), daemon=True) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return elapsed, [item for sub in results for item in sub]


# --- Servers ----------------------------------------------------------------------------------


def start_server(mode, env, workers):
    log = open(OUT_DIR / f"gunicorn-{mode}.log", "w")
    server_env = dict(env)
    if mode == "no-audit":
        server_env["KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT"] = "1"
    else:
        server_env.pop("KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT", None)
    args = list(GUNICORN_ARGS)
    args[args.index("--workers") + 1] = str(workers)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind", f"{HOST}:{PORTS[mode]}",
               *args, "--access-logfile", str(OUT_DIR / f"access-{mode}.log"), "--error-logfile", "-"]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return process, command


def wait_ready(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {process.returncode}")
        try:
            status, *_ = Session().request(port, "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn on port {port} did not answer /healthz")


def stop_server(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own process group (start_new_session): gunicorn + its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- Main -------------------------------------------------------------------------------------


def summarise(samples, elapsed):
    ok = [latency for latency, status, _rid in samples if status == 200]
    errors = [status for _latency, status, _rid in samples if status != 200]
    return {
        "requests_ok": len(ok),
        "errors": len(errors),
        "error_kinds": sorted({str(e) for e in errors})[:5],
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(ok) / elapsed, 1) if elapsed else None,
        "p50_ms": round(percentile(ok, 50) * 1000, 1) if ok else None,
        "p95_ms": round(percentile(ok, 95) * 1000, 1) if ok else None,
        "p99_ms": round(percentile(ok, 99) * 1000, 1) if ok else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per server (Dockerfile: 3)")
    parser.add_argument("--clients", type=int, default=6, help="concurrent client sessions (requests in flight)")
    parser.add_argument("--round-seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=16, help="measured rounds in all (A B B A ...)")
    parser.add_argument("--warmup-seconds", type=float, default=5)
    parser.add_argument("--path", action="append", dest="paths", help="page(s) to load; default /messages/DET-04/")
    parser.add_argument("--sequential", type=int, default=100, help="requests per server, one at a time, alternating")
    args = parser.parse_args()
    paths = args.paths or ["/documents/migration-americas/messages/DET-04/"]

    url = database_url()
    name = bench_db_name(url)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    env = os.environ.copy()
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=env.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.pop("KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT", None)

    import psycopg

    db = psycopg.connect(psycopg_dsn(url), autocommit=True)
    pg_settings = dict(
        db.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'full_page_writes',"
            " 'wal_sync_method', 'shared_buffers', 'max_connections', 'server_version')"
        ).fetchall()
    )
    events_before = db.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
    print(f"database {name}: {events_before:,} events; synchronous_commit={pg_settings.get('synchronous_commit')}, "
          f"fsync={pg_settings.get('fsync')}", flush=True)

    print("collectstatic (bench/.work/staticfiles)...", flush=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)

    servers = {}
    try:
        for mode in PORTS:
            servers[mode] = start_server(mode, env, args.workers)
        for mode, (process, _command) in servers.items():
            wait_ready(PORTS[mode], process)
        print(f"gunicorn up: audit on :{PORTS['audit']}, no-audit on :{PORTS['no-audit']} ({args.workers} sync workers each)", flush=True)

        # Sessions live in the database: signed in once (on the audited server), used on both.
        sessions = [sign_in(PORTS["audit"], ACCOUNTS[i % len(ACCOUNTS)], paths[0]) for i in range(args.clients)]
        print(f"{len(sessions)} sessions signed in", flush=True)
        status, _loc, _rid, page = sessions[0].request(PORTS["no-audit"], "GET", paths[0])
        assert status == 200, f"no-audit server answered {status}"
        expect = b"DET-04" if "DET-04" in paths[0] else paths[0].strip("/").split("/")[-1].encode()

        for mode in ORDER[:2]:
            elapsed, samples = run_round(PORTS[mode], sessions, paths, args.warmup_seconds, expect)
            print(f"  warm-up {mode:<9} {summarise(samples, elapsed)['requests_per_s']:>7} req/s", flush=True)

        quiet = wait_for_quiet("throughput")
        baseline_id = db.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent").fetchone()[0]
        load_start = os.getloadavg()
        rounds = []
        samples_by_mode = {"audit": [], "no-audit": []}
        elapsed_by_mode = {"audit": 0.0, "no-audit": 0.0}
        for number in range(args.rounds):
            mode = ORDER[number % len(ORDER)]
            elapsed, samples = run_round(PORTS[mode], sessions, paths, args.round_seconds, expect)
            samples_by_mode[mode] += samples
            elapsed_by_mode[mode] += elapsed
            stats = summarise(samples, elapsed)
            rounds.append({"round": number + 1, "mode": mode, **stats, "loadavg_1m": round(os.getloadavg()[0], 2)})
            print(f"  round {number + 1:>2} {mode:<9} {stats['requests_per_s']:>7} req/s  p50 {stats['p50_ms']:>6} ms  "
                  f"p95 {stats['p95_ms']:>6} ms  errors {stats['errors']}  (load {os.getloadavg()[0]:.1f})", flush=True)
        load_end = os.getloadavg()

        # Exactly one row per audited 200, none for the no-audit ones.
        rows = db.execute(
            "SELECT request_id, action, message_identifier, actor_email FROM audit_auditevent WHERE id > %s", [baseline_id]
        ).fetchall()
        audited_ids = [rid for _l, status, rid in samples_by_mode["audit"] if status == 200]
        unaudited_ids = {rid for _l, status, rid in samples_by_mode["no-audit"] if status == 200}
        row_ids = [r[0] for r in rows]
        check = {
            "audited_responses_200": len(audited_ids),
            "rows_written": len(rows),
            "rows_viewed_message": sum(1 for r in rows if r[1] == "viewed_message"),
            "distinct_request_ids_in_rows": len(set(row_ids)),
            "responses_without_row": len(set(audited_ids) - set(row_ids)),
            "rows_without_response": len(set(row_ids) - set(audited_ids)),
            "rows_for_no_audit_responses": len(unaudited_ids & set(row_ids)),
            "no_audit_responses_200": len(unaudited_ids),
            "rows_by_account": {},
        }
        for r in rows:
            check["rows_by_account"][r[3]] = check["rows_by_account"].get(r[3], 0) + 1
        check["exactly_one_row_per_view"] = (
            len(rows) == len(audited_ids) == len(set(row_ids)) == check["rows_viewed_message"]
            and check["responses_without_row"] == 0 and check["rows_without_response"] == 0
            and check["rows_for_no_audit_responses"] == 0 and len(set(audited_ids)) == len(audited_ids)
        )

        # One client, one request at a time, alternating the servers: the latency a request pays for
        # its row without queueing. Doubles as the read-your-write check: each audited response's row
        # is looked up from another connection the moment the response has arrived (and no row may
        # exist for a no-audit response).
        sequential = {"audit": [], "no-audit": []}
        visible = stray = 0
        for k in range(args.sequential):
            for mode in (("audit", "no-audit") if k % 2 == 0 else ("no-audit", "audit")):
                started = time.perf_counter()
                status, _loc, request_id, body = sessions[k % len(sessions)].request(PORTS[mode], "GET", paths[0])
                sequential[mode].append((time.perf_counter() - started, status if expect in body else -200, request_id))
                found = db.execute(  # request_id has no index: look among the rows written since the baseline
                    "SELECT 1 FROM audit_auditevent WHERE id > %s AND request_id = %s", [baseline_id, request_id]
                ).fetchone()
                if mode == "audit" and status == 200 and found:
                    visible += 1
                if mode == "no-audit" and found:
                    stray += 1
        check["read_your_write"] = f"{visible}/{args.sequential}"
        check["read_your_write_ok"] = visible == args.sequential and stray == 0
        check["rows_for_sequential_no_audit"] = stray
        print(f"  sequential, one client: audit p50 {summarise(sequential['audit'], 1)['p50_ms']} ms, "
              f"no-audit p50 {summarise(sequential['no-audit'], 1)['p50_ms']} ms", flush=True)
    finally:
        for process, _command in servers.values():
            stop_server(process)

    result = {mode: summarise(samples_by_mode[mode], elapsed_by_mode[mode]) for mode in ("audit", "no-audit")}
    unloaded = {mode: summarise(sequential[mode], 1.0) for mode in ("audit", "no-audit")}
    for mode in unloaded:
        unloaded[mode].pop("requests_per_s")
        unloaded[mode].pop("seconds")
    ratio = result["audit"]["requests_per_s"] / result["no-audit"]["requests_per_s"]
    per_pair = []
    for k in range(0, len(rounds) - 1, 2):
        a = next(r for r in rounds[k : k + 2] if r["mode"] == "audit")
        b = next(r for r in rounds[k : k + 2] if r["mode"] == "no-audit")
        per_pair.append(round(a["requests_per_s"] / b["requests_per_s"], 3))
    errors = result["audit"]["errors"] + result["no-audit"]["errors"]
    print(f"\n{'':10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    for mode in ("audit", "no-audit"):
        r = result[mode]
        print(f"{mode:<10} {r['requests_per_s']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['requests_ok']:>9} {r['errors']:>7}")
    print(f"throughput ratio audit / no-audit = {ratio:.3f} (per pair of rounds: {per_pair}); goal >= 0.70: "
          f"{'met' if ratio >= 0.7 else 'NOT met'}")
    print(f"one row per audited view: {check['exactly_one_row_per_view']} ({check['rows_written']} rows for "
          f"{check['audited_responses_200']} responses); read-your-write {check['read_your_write']}")
    write_result(
        "throughput",
        {
            "database": name, "events_before": events_before, "paths": paths, "workers": args.workers,
            "clients": args.clients, "round_seconds": args.round_seconds, "rounds": rounds,
            "result": result, "sequential": unloaded, "ratio": round(ratio, 3), "ratio_per_pair": per_pair, "goal_met": ratio >= 0.7,
            "checks": check, "postgresql": pg_settings, "quiet": quiet, "loadavg_start": load_start, "loadavg_end": load_end,
            "gunicorn": ["gunicorn", "config.wsgi:application", *GUNICORN_ARGS], "machine": machine(),
        },
    )
    if errors or not check["exactly_one_row_per_view"] or not check["read_your_write_ok"]:
        sys.exit("throughput: a check failed (see above)")


if __name__ == "__main__":
    main()
