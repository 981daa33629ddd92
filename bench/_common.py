"""Shared helpers of the bench scripts: which database, Django set-up, percentiles, results files."""

import json
import os
import platform
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
OUT_DIR = Path(os.environ.get("BENCH_OUT_DIR") or BENCH_DIR / "out")  # run.py points a snapshot's steps here
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/km_bench"
DB_PREFIX = "km_bench"


def database_url() -> str:
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    bench_db_name(url)
    return url


def bench_db_name(url: str | None = None) -> str:
    """The database name of DATABASE_URL; refuses anything that is not one of ours."""
    url = url or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"bench: DATABASE_URL must be PostgreSQL, not {parts.scheme!r}")
    name = parts.path.lstrip("/")
    if not name.startswith(DB_PREFIX):
        raise SystemExit(f"bench: refusing database {name!r}: bench databases are named {DB_PREFIX}*")
    return name


def psycopg_dsn(url: str | None = None, dbname: str | None = None) -> str:
    url = url or database_url()
    parts = urlsplit(url)
    if dbname is not None:
        parts = parts._replace(path="/" + dbname)
    return urlunsplit(parts._replace(scheme="postgresql"))


@contextmanager
def admin_connection():
    """Autocommit connection to the maintenance database `postgres` (CREATE/DROP DATABASE)."""
    import psycopg

    conn = psycopg.connect(psycopg_dsn(dbname="postgres"), autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def django_setup(settings_module: str = "bench.settings"):
    database_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module  # never the test settings (SQLite)
    os.environ.setdefault("DJANGO_DEBUG", "0")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()


def percentile(values, pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info


def write_result(name: str, data: dict) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def wait_for_quiet(label: str) -> dict:
    """On a shared machine, wait (up to BENCH_QUIET_WAIT seconds, default 0) until the 1-minute load
    average is below BENCH_QUIET_LOAD (default 1.5). Returns what was seen, for the results."""
    import time

    limit = float(os.environ.get("BENCH_QUIET_WAIT", "0") or 0)
    threshold = float(os.environ.get("BENCH_QUIET_LOAD", "1.5") or 1.5)
    started = time.time()
    load = os.getloadavg()[0]
    if limit > 0 and load >= threshold:
        print(f"{label}: load average {load:.1f} >= {threshold}: waiting up to {limit:.0f} s for a quieter machine", flush=True)
        while load >= threshold and time.time() - started < limit:
            time.sleep(10)
            load = os.getloadavg()[0]
    waited = round(time.time() - started)
    return {"loadavg_at_start": [round(x, 2) for x in os.getloadavg()], "waited_s": waited, "quiet": load < threshold}


def git_state() -> dict:
    """The commit measured, and whether the work tree had uncommitted changes to tracked files."""
    import subprocess

    def git(*argv):
        try:
            return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=20, check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "--short=12", "HEAD"), "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no"))}
