"""Run every benchmark of the access log on a database of its own, then write bench/RESULTS.md.

    make bench                      # or: .venv/bin/python bench/run.py
    BENCH_EVENTS=1000000 make bench # a smaller, quicker run

Steps (each one a script of its own, runnable alone; see bench/README.md):
  1. bench/setup_db.py     DROP + CREATE km_bench, migrate, createcachetable, load_key_messages,
                           create_demo_accounts --demo
  2. bench/fill_audit.py   BENCH_EVENTS (10,000,000) access-log events, then VACUUM ANALYZE
  3. bench/console.py      the review console's queries and the CSV export
  4. bench/throughput.py   gunicorn, the message page with and without recording
  5. bench/report.py       the figures into bench/RESULTS.md (between its "generated" markers)
The database is dropped at the end, even when a step fails (BENCH_KEEP_DB=1 keeps it).
The steps run from a copy of the working tree taken at the start (bench/.work/tree; BENCH_SNAPSHOT=0
runs them from the tree itself): people edit the application while a 20-minute run goes on, and a
migration or a model field appearing half-way through would otherwise break or blur the figures.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/km_bench; the name must
start with km_bench), BENCH_EVENTS, BENCH_QUIET_WAIT / BENCH_QUIET_LOAD (wait for a quieter machine
before timing: see bench/_common.py), BENCH_CONSOLE_ARGS, BENCH_THROUGHPUT_ARGS (extra arguments).
"""

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import DEFAULT_DATABASE_URL, OUT_DIR, bench_db_name, machine  # noqa: E402


# The application code the figures depend on: the tree changes while people work, so each run
# records what it measured (sha256 prefix and modification time of each file).
CODE = [
    "audit/models.py", "console/selectors.py", "console/views.py", "audit/services.py", "audit/middleware.py",
    "messages_app/reading/views.py", "messages_app/catalogue/reads.py", "messages_app/catalogue/selectors.py",
    "national_societies/middleware.py", "national_societies/permissions.py", "config/settings/base.py",
]


def code_fingerprint(tree):
    out = {}
    for name in CODE:
        path = tree / name
        if path.exists():
            out[name] = {
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:12],
                "modified": datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds"),
            }
    return out


SNAPSHOT = ROOT / "bench" / ".work" / "tree"
SKIP_EVERYWHERE = {".git", ".venv", "__pycache__", ".pytest_cache", "node_modules", "staticfiles", "var"}


def snapshot_tree() -> Path:
    """A copy of the working tree (3 MB) that the steps run from: other people edit the app while
    the bench runs, and a 20-minute run must measure one version of it from start to end."""
    if SNAPSHOT.exists():
        shutil.rmtree(SNAPSHOT)

    def ignore(directory, names):
        skip = {n for n in names if n in SKIP_EVERYWHERE or n.endswith(".pyc")}
        if Path(directory).resolve() == (ROOT / "bench").resolve():
            skip |= {".work", "out"}
        return skip

    shutil.copytree(ROOT, SNAPSHOT, ignore=ignore, symlinks=True)
    (SNAPSHOT / ".venv").symlink_to(ROOT / ".venv")
    return SNAPSHOT


def main():
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    bench_db_name(url)
    env = os.environ.copy()
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings", DJANGO_DEBUG="0", PYTHONUNBUFFERED="1")
    env.pop("KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT", None)
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
    tree = ROOT if env.get("BENCH_SNAPSHOT") == "0" else snapshot_tree()
    env["BENCH_OUT_DIR"] = str(OUT_DIR)
    events = env.get("BENCH_EVENTS", "10000000")
    steps = [
        ("setup", ["bench/setup_db.py"]),
        ("fill", ["bench/fill_audit.py", "--events", events]),
        ("console", ["bench/console.py", *shlex.split(env.get("BENCH_CONSOLE_ARGS", ""))]),
        ("throughput", ["bench/throughput.py", *shlex.split(env.get("BENCH_THROUGHPUT_ARGS", ""))]),
    ]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for stale in ("fill.json", "console.json", "throughput.json", "explain.txt"):
        (OUT_DIR / stale).unlink(missing_ok=True)
    log = open(OUT_DIR / "run.log", "w")
    run = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "database_url": url,
           "machine": machine(), "code": code_fingerprint(tree), "tree": str(tree.relative_to(ROOT)) or ".", "steps": [],
           "invocation": " ".join([*(f"{k}={shlex.quote(v)}" for k, v in sorted(os.environ.items()) if k.startswith("BENCH_")),
                                   "make bench"])}
    failed = None
    started = time.perf_counter()
    try:
        for name, args in steps:
            command = [python, *args]
            line = f"$ {shlex.join(['DATABASE_URL=' + url, 'DJANGO_SETTINGS_MODULE=bench.settings', '.venv/bin/python', *args])}"
            print(f"\n=== {name}\n{line}", flush=True)
            log.write(f"\n=== {name}\n{line}\n")
            step_started = time.perf_counter()
            process = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for output in process.stdout:
                sys.stdout.write(output)
                log.write(output)
                log.flush()
            process.wait()
            run["steps"].append({"step": name, "command": line, "seconds": round(time.perf_counter() - step_started, 1),
                                 "returncode": process.returncode})
            if process.returncode != 0:
                failed = name
                break
    finally:
        if not env.get("BENCH_KEEP_DB"):
            subprocess.run([python, "bench/setup_db.py", "--drop-only"], cwd=tree, env=env, check=False)
        if tree != ROOT and not env.get("BENCH_KEEP_TREE"):
            shutil.rmtree(tree, ignore_errors=True)  # a second copy of the app confuses linters and greps
        run["total_seconds"] = round(time.perf_counter() - started, 1)
        run["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        run["failed_step"] = failed
        (OUT_DIR / "run.json").write_text(json.dumps(run, indent=2) + "\n")
        log.close()
    subprocess.run([python, "bench/report.py"], cwd=ROOT, env=env, check=True)
    if failed:
        sys.exit(f"bench: step {failed!r} failed (see bench/out/run.log)")


if __name__ == "__main__":
    main()
