"""Write the figures of bench/out/*.json into bench/RESULTS.md, between its "generated" markers.

    .venv/bin/python bench/report.py

Only the part between `<!-- bench:generated:start -->` and `<!-- bench:generated:end -->` is
replaced; the reading of the figures above and below it is written by hand.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import BENCH_DIR, OUT_DIR  # noqa: E402

RESULTS = BENCH_DIR / "RESULTS.md"
START = "<!-- bench:generated:start -->"
END = "<!-- bench:generated:end -->"
PAGE_BUDGET_MS = 100  # what "the console stays fast" is checked against: a page's p95


def load(name):
    path = OUT_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def fmt_load(values):
    return " / ".join(f"{v:.1f}" for v in values) if values else "?"


def section_run(run, fill, console, throughput):
    lines = ["### Run", ""]
    if run:
        m = run["machine"]
        lines += [
            f"- Date: {run['started']} → {run['finished']} (UTC), {run['total_seconds'] / 60:.1f} min in all"
            + (f" — **step `{run['failed_step']}` failed**" if run.get("failed_step") else ""),
            f"- Machine: {m.get('cpu', '?')}, {m.get('cpus')} cores, {m.get('memory_gb')} GB RAM; {m.get('platform')}; Python {m.get('python')}",
        ]
    if throughput:
        pg = throughput["postgresql"]
        lines.append(
            f"- PostgreSQL {pg.get('server_version')} (server defaults: shared_buffers {int(pg.get('shared_buffers', 0)) * 8 // 1024} MB, "
            f"synchronous_commit={pg.get('synchronous_commit')}, fsync={pg.get('fsync')}, full_page_writes={pg.get('full_page_writes')}, "
            f"wal_sync_method={pg.get('wal_sync_method')})"
        )
    loads = []
    if console:
        loads.append(f"console {fmt_load(console.get('quiet', {}).get('loadavg_at_start'))} at start, {fmt_load(console.get('loadavg_end'))} at end")
    if throughput:
        loads.append(f"throughput {fmt_load(throughput.get('loadavg_start'))} at start, {fmt_load(throughput.get('loadavg_end'))} at end")
    if loads:
        lines.append(f"- Load average (1/5/15 min; 2 cores, shared with other work): {'; '.join(loads)}")
    if run:
        lines += ["", f"Commands: `{run.get('invocation', 'make bench')}`, which ran (from the repository root):", "", "```"]
        for step in run["steps"]:
            lines.append(f"{step['command']}    # {step['seconds']} s")
        lines += ["```", ""]
        if run.get("code"):
            lines += [
                "Application code measured (the working tree changes while people work; sha256 prefix, last modified UTC): "
                + ", ".join(f"`{name}` {info['sha256']} ({info['modified'][11:16]})" for name, info in run["code"].items()),
                "",
            ]
    return lines


def section_fill(fill):
    if not fill:
        return []
    t = fill["timings"]
    lines = [
        "### Filling the access log",
        "",
        f"{fill['events']:,} events ({fill['first_event'][:10]} → {fill['last_event'][:16]}), {fill['accounts']:,} accounts "
        f"({fill['distinct_actor_users']:,} with events) in {len(fill['per_organisation'])} organisations; "
        f"table {fill['table_size']}, indexes {fill['index_size']}.",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| accounts and memberships (ORM bulk_create) | {t['accounts_s']} |",
        f"| template events (INSERT … SELECT, joins for who/what/which message) | {t.get('template_s', '')} |",
        f"| events (INSERT … SELECT from the template, 2 connections, no secondary index) | {t['insert_s']} ({fill['insert_rows_per_s']:,} rows/s) |",
        f"| primary key + {len(fill.get('indexes', [])) or 'secondary'} indexes re-created (2 at a time) | {t['indexes_s']} |",
        f"| VACUUM (ANALYZE) | {t['vacuum_analyze_s']} |",
        f"| **fill in all** | **{t['total_s']}** |",
        "",
        "Largest organisations: " + ", ".join(f"{name} {n:,}" for name, n in fill["per_organisation"][:5])
        + f"; smallest: " + ", ".join(f"{name} {n:,}" for name, n in fill["per_organisation"][-2:]) + ".",
        "Actions: " + ", ".join(f"{name} {n:,}" for name, n in fill["per_action"][:6]) + ", …",
        "",
    ]
    return lines


def section_console(console):
    if not console:
        return []
    ctx = console["context"]
    lines = [
        "### Review console (through `audit.selectors`)",
        "",
        f"{console['events']:,} events; {console['repeat']} timed calls per case after one first call; times in ms, "
        "measured in Python around the selector (its membership look-ups, the SQL, building the model objects). "
        f"`most active Colombian reader` = {ctx['heavy_user']} ({ctx['heavy_user_events_last_year']:,} events in the last year); "
        f"`occasional` = {ctx['occasional_user']} ({ctx['occasional_user_events']} events in all).",
        "",
        "| reviewer | case | rows | n | first | p50 | p95 | plan (EXPLAIN ANALYZE, execution time) |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for case in console["cases"]:
        plans = "<br>".join(p.replace("|", "\\|") for p in case["plans"])
        lines.append(
            f"| {case['reviewer']} | {case['case']} | {case['rows']} | {case['n']} | {case['first_ms']} | {case['p50_ms']} | "
            f"**{case['p95_ms']}** | {plans} |"
        )
    pages = [c for c in console["cases"] if "readers" not in c["case"] and "activity" not in c["case"]]
    slowest = max(pages, key=lambda c: c["p95_ms"])
    within = sum(1 for c in pages if c["p95_ms"] <= PAGE_BUDGET_MS)
    lines += [
        "",
        f"Event pages with p95 ≤ {PAGE_BUDGET_MS} ms: {within} of {len(pages)}; slowest p95: {slowest['p95_ms']} ms "
        f"({slowest['reviewer']}, {slowest['case']}).",
        "",
    ]
    if console.get("what_if"):
        lines += [
            "What-ifs (the bench's own queries, not the application's code; same result checked against the application's):",
            "",
        ]
        for item in console["what_if"]:
            app = f"application's query p50 {item['app_p50_ms']} ms → " if "app_p50_ms" in item else ""
            extra = f"; actor fields equal for {item['same_actor_fields']}" if "same_actor_fields" in item else ""
            lines.append(f"- {item['name']}: {item['alternative']}: {app}p50 **{item['alternative_p50_ms']} ms**; "
                         f"same rows: {item['same_rows']}{extra}.")
        lines.append("")
    export = console.get("export")
    if export:
        lines += [
            "#### CSV export (`audit.views._csv_rows`, consumed as StreamingHttpResponse does)",
            "",
            f"Filter: organisation = {export['organisation']}, since {export['since'][:10]} ({export['expected_rows']:,} rows), "
            "as a focal point, in a child process of its own.",
            "",
            "| rows | seconds | rows/s | CSV | first row | RSS start → peak | Python peak (tracemalloc) |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {export['rows']:,} | {export['seconds']} | **{export['rows_per_s']:,}** | {export['bytes'] / 1e6:.1f} MB | "
            f"{export['first_row_ms']} ms | {export['rss_start_mb']} → {export['rss_peak_mb']} MB (+{export['rss_growth_mb']}) | "
            f"{export['tracemalloc_peak_mb']} MB (first {export['tracemalloc_rows']:,} rows) |",
            "",
            "One batch of 2,000 rows (the export's `after_cursor` query; best of 3) by how deep it starts — "
            "application's cursor condition vs. the same condition plus the index bound `occurred_at <= cursor` (what-if): "
            + ", ".join(
                f"row {item[0]:,}: {item[1]} ms" + (f" vs. {item[2]} ms" if len(item) > 2 else "") for item in export["batch_profile"]
            ) + ".",
            "",
        ]
    return lines


def section_throughput(t):
    if not t:
        return []
    a, b = t["result"]["audit"], t["result"]["no-audit"]
    c = t["checks"]
    lines = [
        "### Message page under load: recording on vs. off (same run)",
        "",
        f"`GET {', '.join(t['paths'])}`, {t['clients']} concurrent signed-in sessions, two gunicorn servers "
        f"({t['workers']} sync workers each, the Dockerfile's flags), {len(t['rounds'])} rounds of {t['round_seconds']} s "
        "alternating A B B A …; one new connection per request.",
        "",
        "| | requests/s | p50 ms | p95 ms | p99 ms | requests | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| with recording | **{a['requests_per_s']}** | {a['p50_ms']} | **{a['p95_ms']}** | {a['p99_ms']} | {a['requests_ok']:,} | {a['errors']} |",
        f"| recording off | **{b['requests_per_s']}** | {b['p50_ms']} | **{b['p95_ms']}** | {b['p99_ms']} | {b['requests_ok']:,} | {b['errors']} |",
        "",
        "One client, one request at a time, alternating the servers (no queueing: what the recording itself costs):",
        "",
        "| | p50 ms | p95 ms | requests |",
        "|---|---:|---:|---:|",
    ]
    for mode, label in (("audit", "with recording"), ("no-audit", "recording off")):
        s = t.get("sequential", {}).get(mode)
        if s:
            lines.append(f"| {label} | {s['p50_ms']} | {s['p95_ms']} | {s['requests_ok']} |")
    lines += [
        "",
        f"**Throughput ratio with / without recording: {t['ratio']:.3f}** (goal ≥ 0.70: **{'met' if t['goal_met'] else 'NOT met'}**); "
        f"per pair of adjacent rounds: {', '.join(f'{r:.2f}' for r in t['ratio_per_pair'])}.",
        "",
        f"Recorded: {c['rows_written']:,} rows for {c['audited_responses_200']:,} audited 200 responses; "
        f"one row per view, matched by request id: **{'yes' if c['exactly_one_row_per_view'] else 'NO'}** "
        f"(responses without a row: {c['responses_without_row']}, rows without a response: {c['rows_without_response']}, "
        f"rows for the {c['no_audit_responses_200']:,} no-audit responses: {c['rows_for_no_audit_responses']}). "
        f"Read-your-write (row found from another connection as soon as the response arrived): {c['read_your_write']}.",
        "",
        "<details><summary>Rounds</summary>",
        "",
        "| round | server | requests/s | p50 ms | p95 ms | errors | load (1 min) |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in t["rounds"]:
        lines.append(f"| {r['round']} | {r['mode']} | {r['requests_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['errors']} | {r['loadavg_1m']} |")
    lines += ["", "</details>", ""]
    return lines


def main():
    run, fill, console, throughput = (load(n) for n in ("run", "fill", "console", "throughput"))
    block = [START, "", "## Figures of the last `make bench` (generated by bench/report.py)", ""]
    block += section_run(run, fill, console, throughput)
    block += section_fill(fill)
    block += section_console(console)
    block += section_throughput(throughput)
    block.append(END)
    generated = "\n".join(block)
    text = RESULTS.read_text() if RESULTS.exists() else f"# Access-log benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    RESULTS.write_text(before + generated + after)
    print(f"wrote {RESULTS.relative_to(BENCH_DIR.parent)}")


if __name__ == "__main__":
    main()
