"""Time the access-log review console's reads on a filled km_bench database, and the CSV export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/km_bench .venv/bin/python bench/console.py [--repeat 20]

Every figure goes through the application's own code: `audit.selectors.event_page` (keyset pages),
`message_readers`, `organisation_activity`, and `audit.views._csv_rows` for the export. Reviewers
are the demo accounts focal@ifrc.example.org (focal point: every organisation) and
admin@colombia.example.org (society admin: Colombian Red Cross only).

For each case: one first call (reported apart, as "first"), then --repeat timed calls: p50/p95 in
ms. Then EXPLAIN (ANALYZE, BUFFERS) of every access-log query of each case, written to
bench/out/explain.txt, with a one-line summary (plan nodes and indexes used) in bench/out/console.json.

The export runs in a child process of its own (clean memory figures): `_csv_rows` over the
Colombian Red Cross's events since the date that gives about --export-rows rows, consumed the way
StreamingHttpResponse consumes it (each CSV line encoded to UTF-8). Rows/s from a run without
tracemalloc (peak RSS growth sampled from /proc); Python peak allocation from a second run under
tracemalloc over the first --tracemalloc-rows rows (the generator holds one batch at a time).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import OUT_DIR, ROOT, django_setup, machine, summary_ms, wait_for_quiet, write_result  # noqa: E402

FOCAL = "focal@ifrc.example.org"
SOCIETY_ADMIN = "admin@colombia.example.org"
ORGANISATION = "colombia"
MESSAGE = "DET-04"


def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


# --- The export, in a child process -----------------------------------------------------------


def export_child(since_iso: str, with_tracemalloc: bool, limit: int | None = None) -> dict:
    django_setup()
    import tracemalloc

    from console import selectors
    from console.views import _csv_rows
    from national_societies.models import NationalSociety, User

    reviewer = User.objects.get(email=FOCAL)
    organisation = NationalSociety.objects.get(slug=ORGANISATION)
    filters = selectors.EventFilters(organisation=organisation, since=datetime.fromisoformat(since_iso))
    queryset = selectors.filtered_events(fetched_by=reviewer, filters=filters)
    if with_tracemalloc:
        tracemalloc.start()
    rss_start = peak_rss = rss_kb()
    rows = -1  # the header line is not a row
    size = 0
    started = time.perf_counter()
    first_row_s = None
    for line in _csv_rows(queryset):
        size += len(line.encode("utf-8"))
        rows += 1
        if rows == 1:
            first_row_s = time.perf_counter() - started
        if rows % 2000 == 0:
            peak_rss = max(peak_rss, rss_kb())
        if limit and rows >= limit:
            break
    elapsed = time.perf_counter() - started
    peak_rss = max(peak_rss, rss_kb())
    result = {
        "rows": rows,
        "bytes": size,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed) if elapsed else None,
        "first_row_ms": round((first_row_s or 0) * 1000, 1),
        "rss_start_mb": round(rss_start / 1024, 1),
        "rss_peak_mb": round(peak_rss / 1024, 1),
        "rss_growth_mb": round((peak_rss - rss_start) / 1024, 1),
    }
    if with_tracemalloc:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["tracemalloc_peak_mb"] = round(peak / 1024 / 1024, 2)
    return result


def run_export(since, with_tracemalloc, limit=None):
    command = [sys.executable, __file__, "--export-child", since.isoformat()]
    if with_tracemalloc:
        command.append("--tracemalloc")
    if limit:
        command += ["--limit", str(limit)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT, env=os.environ.copy())
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- Plans ------------------------------------------------------------------------------------


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def plan_summary(lines: list[str]) -> str:
    nodes = []
    for line in lines:
        text = line.strip().lstrip("->").strip()
        match = re.match(r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan|Seq Scan)(?: Backward)?)(?: using (\w+))?(?: on (\w+))?", text)
        if match:
            kind, index, table = match.groups()
            nodes.append(f"{kind} {index}" if index else f"{kind} {table or ''}".strip())
        filtered = re.search(r"Rows Removed by Filter: (\d+)", text)
        if filtered and int(filtered.group(1)) > 1000:
            nodes.append(f"(filter removed {int(filtered.group(1)):,} rows)")
    execution = next((line for line in lines if line.startswith("Execution Time")), "")
    return "; ".join(dict.fromkeys(nodes)) + (f" [{execution.split(':', 1)[1].strip()}]" if execution else "")


def audit_queries(function):
    """The SQL of the access-log queries `function` runs, parameters merged."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return [query["sql"] for query in captured.captured_queries if "audit_auditevent" in query["sql"]]


# --- Cases ------------------------------------------------------------------------------------


def build_cases():
    from django.db.models import Count
    from django.utils import timezone

    from console import selectors
    from audit.models import AuditEvent
    from national_societies.models import NationalSociety, User

    focal = User.objects.get(email=FOCAL)
    admin = User.objects.get(email=SOCIETY_ADMIN)
    colombia = NationalSociety.objects.get(slug=ORGANISATION)
    # The most active reader of the Colombian Red Cross (a worst case for "by user").
    heavy = (
        AuditEvent.objects.filter(actor_organisation_id=colombia.pk, occurred_at__gte=timezone.now() - timedelta(days=365))
        .values("actor_email")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    heavy_email = heavy["actor_email"]
    # An occasional reader: the Colombian account with the fewest events, at least 20 (the user
    # filter's OR with failed logins cannot use one index in time order: see the plans).
    light = (
        AuditEvent.objects.filter(actor_organisation_id=colombia.pk)
        .values("actor_email")
        .annotate(n=Count("id"))
        .filter(n__gte=20)
        .order_by("n")
        .first()
    )
    light_email = light["actor_email"]
    today = timezone.now().date()
    week_start = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=dt_timezone.utc)
    date_range = dict(since=week_start, until=week_start + timedelta(days=7))
    EF = selectors.EventFilters

    def page(reviewer, **filters):
        return lambda: selectors.event_page(fetched_by=reviewer, filters=EF(**filters))

    def nth_page(reviewer, n, **filters):
        cursor = ""
        for _ in range(n - 1):
            cursor = selectors.event_page(fetched_by=reviewer, filters=EF(**filters), cursor=cursor).next_cursor
        return lambda: selectors.event_page(fetched_by=reviewer, filters=EF(**filters), cursor=cursor)

    since_90 = timezone.now() - timedelta(days=90)
    cases = []
    for role, reviewer in (("focal point", focal), ("society admin", admin)):
        cases += [
            (role, "first page, no filter", page(reviewer)),
            (role, f"organisation = {ORGANISATION}", page(reviewer, organisation=colombia)),
            (role, "user = most active Colombian reader", page(reviewer, user_email=heavy_email)),
            (role, "user = occasional Colombian reader", page(reviewer, user_email=light_email)),
            (role, "action = viewed_message (common)", page(reviewer, action="viewed_message")),
            (role, "action = access_denied (rare)", page(reviewer, action="access_denied")),
            (role, f"message = {MESSAGE}", page(reviewer, message=MESSAGE)),
            (role, "date range: one week a year ago", page(reviewer, **date_range)),
            (role, f"organisation + action = exported_log", page(reviewer, organisation=colombia, action="exported_log")),
            (role, "3rd keyset page, no filter", nth_page(reviewer, 3)),
            (role, "200th keyset page, no filter", nth_page(reviewer, 200)),
            (role, f"message_readers({MESSAGE}, 90 days)",
             lambda r=reviewer: selectors.message_readers(fetched_by=r, identifier=MESSAGE, since=since_90)),
            (role, f"organisation_activity({ORGANISATION})",
             lambda r=reviewer: selectors.organisation_activity(fetched_by=r, slug=ORGANISATION)),
        ]
    return cases, {"heavy_user": heavy_email, "heavy_user_events_last_year": heavy["n"],
                   "occasional_user": light_email, "occasional_user_events": light["n"], "date_range": [date_range["since"], date_range["until"]]}


def what_ifs(values):
    """Two of the slow reads written another way, timed and compared with the application's result.
    What-ifs for RESULTS.md, not the application's code."""
    from django.db.models import Count, Exists, Max, OuterRef
    from django.utils import timezone

    from console import selectors
    from audit.models import AuditEvent
    from messages_app.catalogue.models import Edition
    from national_societies.models import Membership, NationalSociety, User

    focal = User.objects.get(email=FOCAL)
    colombia = NationalSociety.objects.get(slug=ORGANISATION)
    since_90 = timezone.now() - timedelta(days=90)
    out = []

    def readers_two_step():
        views = selectors.scoped_events(fetched_by=focal).filter(
            action="viewed_message", message_identifier=MESSAGE, occurred_at__gte=since_90
        )
        rows = list(
            views.values("actor_user_id")
            .annotate(views=Count("id"), last_viewed=Max("occurred_at"), last_id=Max("id"))
            .order_by("-last_viewed", "actor_user_id")[:500]
        )
        latest = AuditEvent.objects.only("actor_email", "actor_organisation", "actor_role").in_bulk([r["last_id"] for r in rows])
        return [
            {"actor_user_id": r["actor_user_id"], "actor_email": latest[r["last_id"]].actor_email,
             "actor_organisation": latest[r["last_id"]].actor_organisation, "actor_role": latest[r["last_id"]].actor_role,
             "views": r["views"], "last_viewed": r["last_viewed"]}
            for r in rows
        ]

    edition = Edition.objects.order_by("-sequence").first()

    def not_opened_exists():
        read = AuditEvent.objects.filter(
            actor_organisation_id=colombia.pk, actor_user_id=OuterRef("user_id"),
            occurred_at__gte=edition.loaded_at, action__in=selectors.READ_ACTIONS,
        )
        members = Membership.objects.filter(national_society=colombia, user__is_active=True).select_related("user")
        return [m.user for m in members.exclude(Exists(read)).order_by("user__email")]

    def not_opened_app():
        readers = AuditEvent.objects.filter(
            actor_organisation_id=colombia.pk, occurred_at__gte=edition.loaded_at, action__in=selectors.READ_ACTIONS
        ).values("actor_user_id")
        members = Membership.objects.filter(national_society=colombia, user__is_active=True).select_related("user")
        return [m.user for m in members.exclude(user_id__in=readers).order_by("user__email")]

    def p50(function, n=5):
        times = []
        for _ in range(n):
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
        return summary_ms(times)["p50_ms"], result

    app_readers = values.get(("focal point", f"message_readers({MESSAGE}, 90 days)"))
    if app_readers is not None and edition is not None:
        alt_ms, alt = p50(readers_two_step)
        key = lambda r: (r["actor_user_id"], r["views"], r["last_viewed"])  # noqa: E731
        same_rows = [key(r) for r in alt] == [key(r) for r in app_readers]
        same_actor = sum(1 for a, b in zip(alt, app_readers) if (a["actor_email"], a["actor_organisation"], a["actor_role"])
                         == (b["actor_email"], b["actor_organisation"], b["actor_role"]))
        out.append({
            "name": f"message_readers({MESSAGE}) as a focal point",
            "alternative": "GROUP BY actor_user_id with Max(id), then the latest rows by primary key (2 queries) "
                           "instead of 3 correlated subqueries per row",
            "alternative_p50_ms": alt_ms, "same_rows": same_rows,
            "same_actor_fields": f"{same_actor}/{len(alt)}",
        })
        app_ms, app_value = p50(not_opened_app, 3)
        alt_ms, alt_value = p50(not_opened_exists)
        out.append({
            "name": f"organisation_activity({ORGANISATION}): members who did not open the current edition",
            "alternative": "NOT EXISTS (one probe of audit_user_time_idx per member) instead of NOT IN (all the "
                           "organisation's reads since the edition)",
            "app_p50_ms": app_ms, "alternative_p50_ms": alt_ms,
            "same_rows": [u.pk for u in app_value] == [u.pk for u in alt_value],
        })
    for item in out:
        print(f"what-if: {item['name']}: {item['alternative']}: p50 {item['alternative_p50_ms']} ms"
              + (f" (application's query: {item['app_p50_ms']} ms)" if "app_p50_ms" in item else "")
              + f"; same result: {item['same_rows']}", flush=True)
    return out


def export_since(rows: int):
    """The `since` (a day boundary, as the form gives) that selects about `rows` Colombian events."""
    from audit.models import AuditEvent
    from national_societies.models import NationalSociety

    colombia = NationalSociety.objects.get(slug=ORGANISATION)
    moment = (
        AuditEvent.objects.filter(actor_organisation_id=colombia.pk)
        .order_by("-occurred_at", "-id")
        .values_list("occurred_at", flat=True)[rows : rows + 1]
        .first()
    )
    if moment is None:  # fewer events than asked for: export them all
        moment = AuditEvent.objects.filter(actor_organisation_id=colombia.pk).order_by("occurred_at").values_list("occurred_at", flat=True).first()
    since = datetime.combine(moment.date(), datetime.min.time(), tzinfo=dt_timezone.utc)
    count = AuditEvent.objects.filter(actor_organisation_id=colombia.pk, occurred_at__gte=since).count()
    return since, count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--case-budget", type=float, default=30,
                        help="stop repeating a case after this many seconds (at least 3 calls)")
    parser.add_argument("--export-rows", type=int, default=200_000)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--export-child", metavar="SINCE", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc-rows", type=int, default=40_000,
                        help="rows of the export run under tracemalloc (slow; memory per batch does not grow)")
    args = parser.parse_args()
    if args.export_child:
        print(json.dumps(export_child(args.export_child, args.tracemalloc, args.limit)))
        return

    quiet = wait_for_quiet("console")
    django_setup()
    from audit.models import AuditEvent

    total = AuditEvent.objects.count()
    print(f"access log: {total:,} events", flush=True)
    cases, context = build_cases()
    results = []
    plans = []
    values = {}
    print(f"{'reviewer':<14} {'case':<42} {'first':>9} {'p50':>9} {'p95':>9}  rows", flush=True)
    for role, label, function in cases:
        started = time.perf_counter()
        value = function()
        first = time.perf_counter() - started
        timings = []
        while len(timings) < args.repeat and (len(timings) < 3 or sum(timings) < args.case_budget):
            started = time.perf_counter()
            function()
            timings.append(time.perf_counter() - started)
        values[(role, label)] = value
        rows = len(value.events) if hasattr(value, "events") else (len(value) if isinstance(value, list) else None)
        if hasattr(value, "weeks"):
            rows = f"{sum(v for _w, v in value.weeks)} views/12 weeks, {value.active_users} active, {len(value.not_opened_current_edition)} not opened"
        stats = summary_ms(timings)
        stats["first_ms"] = round(first * 1000, 2)
        summaries = []
        for sql in audit_queries(function):
            lines = explain(sql)
            plans.append(f"### {role}: {label}\n{sql}\n\n" + "\n".join(lines) + "\n")
            summaries.append(plan_summary(lines))
        results.append({"reviewer": role, "case": label, "rows": rows, **stats, "plans": summaries})
        print(f"{role:<14} {label:<42} {stats['first_ms']:>7.1f}ms {stats['p50_ms']:>7.1f}ms {stats['p95_ms']:>7.1f}ms  {rows}", flush=True)
        for summary in summaries:
            print(f"{'':<16}plan: {summary}", flush=True)

    alternatives = what_ifs(values)

    export = None
    if not args.no_export:
        since, expected = export_since(args.export_rows)
        print(f"export: organisation={ORGANISATION}, since={since:%Y-%m-%d} ({expected:,} rows)", flush=True)
        timed = run_export(since, with_tracemalloc=False)
        print(f"  {timed['rows']:,} rows in {timed['seconds']} s = {timed['rows_per_s']:,} rows/s; "
              f"{timed['bytes'] / 1e6:.1f} MB of CSV; RSS {timed['rss_start_mb']} -> {timed['rss_peak_mb']} MB", flush=True)
        traced = run_export(since, with_tracemalloc=True, limit=args.tracemalloc_rows)
        print(f"  under tracemalloc (first {traced['rows']:,} rows): peak Python allocation "
              f"{traced['tracemalloc_peak_mb']} MB", flush=True)
        # How the cost of one batch grows with its depth (the cursor is an OR: see RESULTS.md).
        batches = export_batch_profile(since)
        export = {"organisation": ORGANISATION, "since": since, "expected_rows": expected, **timed,
                  "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"], "tracemalloc_rows": traced["rows"],
                  "batch_profile": batches}
        for depth, ms, bounded_ms in batches:
            print(f"  batch at row {depth:>7,}: {ms:7.1f} ms (with an index bound on occurred_at: {bounded_ms:6.1f} ms)", flush=True)

    (OUT_DIR / "explain.txt").parent.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "explain.txt").write_text("\n".join(plans))
    write_result("console", {"events": total, "repeat": args.repeat, "context": context, "cases": results,
                             "export": export, "what_if": alternatives, "quiet": quiet, "loadavg_end": os.getloadavg(),
                             "machine": machine()})


def export_batch_profile(since):
    """Time one export batch (2,000 rows, as `_csv_rows` fetches them) at growing depths: with the
    application's cursor condition, and with the same condition plus an index bound (a what-if
    for RESULTS.md, not the application's code)."""
    from django.db.models import Q

    from console import selectors
    from console.views import EXPORT_BATCH
    from national_societies.models import NationalSociety, User

    reviewer = User.objects.get(email=FOCAL)
    organisation = NationalSociety.objects.get(slug=ORGANISATION)
    queryset = selectors.filtered_events(fetched_by=reviewer, filters=selectors.EventFilters(organisation=organisation, since=since))
    profile = []
    depths = [0, 20_000, 100_000, 190_000]
    ordered = list(queryset.values_list("pk", flat=True)[: depths[-1] + 1])

    def timed(batch, repeat=3):
        best = None
        for _ in range(repeat):
            started = time.perf_counter()
            list(batch[:EXPORT_BATCH])
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        return round(best * 1000, 1)

    for depth in depths:
        if depth >= len(ordered):
            break
        last = queryset.filter(pk=ordered[depth - 1]).first() if depth else None
        if last is None:
            profile.append((depth, timed(queryset), timed(queryset)))
            continue
        app = selectors.after_cursor(queryset, selectors.encode_cursor(last))
        bounded = queryset.filter(Q(occurred_at__lte=last.occurred_at) & (Q(occurred_at__lt=last.occurred_at) | Q(id__lt=last.pk)))
        assert list(app.values_list("pk", flat=True)[:EXPORT_BATCH]) == list(bounded.values_list("pk", flat=True)[:EXPORT_BATCH])
        profile.append((depth, timed(app), timed(bounded)))
    return profile


if __name__ == "__main__":
    main()
