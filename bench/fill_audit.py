"""Fill a km_bench database's access log with realistic events, fast, on the server side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/km_bench \
        .venv/bin/python bench/fill_audit.py [--events 10000000] [--users 3000] [--years 5]

Run after bench/setup_db.py (migrate, load_key_messages, create_demo_accounts). What it does:

1. creates `--users` accounts (ORM bulk_create, unusable passwords) with memberships spread over
   the 35 National Societies and the IFRC/ICRC offices of the data migration, in proportion to a
   rough size of each society; a few society admins per society, focal points at IFRC/ICRC;
2. gives each account an activity weight (society weight x log-normal: a few very active readers,
   a long tail, some accounts that never read) and each of the 65 messages of the loaded content a
   popularity weight (Zipf-like);
3. drops the primary key and the secondary indexes of audit_auditevent (keeping their exact
   definitions from pg_indexes/pg_constraint), inserts
   the events with `INSERT ... SELECT ... FROM generate_series` in chunks of 1M rows, in time
   order (ids follow time, as in production), over `--years` years ending a few minutes ago with
   a usage that grows over time (a 500k-row template of who/what/which message is generated once
   with the joins, then copied in passes with new ids, times and request ids, on 2 connections);
   re-creates the primary key and the indexes from the saved definitions; VACUUM ANALYZE;
4. sets the current edition's `loaded_at` back 180 days (the content was loaded a minute ago; a
   real edition has been read for months, which is what the console's "not opened the current
   edition" query scans);
5. writes bench/out/fill.json (timings, row counts, the accounts and filters console.py uses).

Action mix (per mille): viewed_message 520, viewed_section 140, searched 110, viewed_document 70,
logged_in 45, viewed_topic 40, copied_message 25, logged_out 15, printed 8, login_failed 6,
mfa_used 6, access_denied 5, viewed_rules 5, rules_acknowledged 3, exported_log 1, note_viewed 1.
"""

import argparse
import math
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import bench_db_name, django_setup, psycopg_dsn, write_result  # noqa: E402

SEED = 20261129

# Rough relative size of each organisation's readership (slug: weight). Unlisted: 1.
ORG_WEIGHTS = {
    "united-states": 9, "mexico": 8, "colombia": 8, "canada": 6, "brazil": 6, "argentina": 5,
    "peru": 4, "chile": 4, "ecuador": 4, "venezuela": 4, "ifrc-americas": 4, "guatemala": 3,
    "honduras": 3, "dominican-republic": 3, "bolivia": 3, "costa-rica": 3, "panama": 3,
    "el-salvador": 2.5, "nicaragua": 2.5, "haiti": 2.5, "cuba": 2, "paraguay": 2, "uruguay": 2,
    "icrc-americas": 2, "jamaica": 1.5, "trinidad-and-tobago": 1.5, "antigua-and-barbuda": 0.5,
    "dominica": 0.5, "grenada": 0.5, "saint-kitts-and-nevis": 0.5, "saint-lucia": 0.5,
    "saint-vincent-and-the-grenadines": 0.5,
}

ACTION_MIX = [
    ("viewed_message", 520), ("viewed_section", 140), ("searched", 110), ("viewed_document", 70),
    ("logged_in", 45), ("viewed_topic", 40), ("copied_message", 25), ("logged_out", 15),
    ("printed", 8), ("login_failed", 6), ("mfa_used", 6), ("access_denied", 5), ("viewed_rules", 5),
    ("rules_acknowledged", 3), ("exported_log", 1), ("note_viewed", 1),
]

SEARCH_TERMS = [
    "detención", "detention", "deportation", "non-refoulement", "children", "niños", "unaccompanied",
    "family links", "restablecimiento", "RFL", "salud mental", "psychosocial", "health", "xenofobia",
    "discrimination", "legal status", "asylum", "refugiados", "migrantes", "route", "darien",
    "humanitarian diplomacy", "advocacy", "principles", "neutrality", "global compact", "GCM",
    "missing migrants", "forensic", "dead", "returns", "vulnerability", "women", "trafficking",
    "smuggling", "shelter", "water", "cash", "protection", "do no harm", "data protection",
]

USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0 Safari/537.36 Edg/127.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0",
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
]

DENIED_PATHS = ["/audit/", "/audit/export/", "/societies/", "/admin/", "/audit/organisations/mexico/"]
USER_SLOTS = 200_000


def weighted_list(pairs, size):
    """A list of `size` items where each item appears in proportion to its weight (at least once)."""
    total = sum(weight for _item, weight in pairs)
    out = []
    for item, weight in pairs:
        out += [item] * max(1, round(weight / total * size))
    return out


def create_accounts(count, rng):
    from django.utils import timezone

    from national_societies.models import Membership, NationalSociety, User

    organisations = list(NationalSociety.objects.order_by("id"))
    weights = [ORG_WEIGHTS.get(org.slug, 1.0) for org in organisations]
    total = sum(weights)
    now = timezone.now()
    users, memberships_for = [], []
    for org, weight in zip(organisations, weights):
        n = max(8, round(count * weight / total))
        for k in range(n):
            if org.kind == "national_society":
                role = Membership.Role.SOCIETY_ADMIN if k < 2 else Membership.Role.MEMBER
            else:
                role = Membership.Role.PLATFORM_ADMIN if k == 0 and org.slug == "ifrc-americas" else (
                    Membership.Role.FOCAL_POINT if k < 6 else Membership.Role.MEMBER
                )
            joined = now - timedelta(days=rng.uniform(30, 5 * 365))
            never = rng.random() < 0.05
            users.append(
                User(
                    email=f"reader{k:04d}@{org.slug}.bench.example.org",
                    password="!bench-unusable",
                    first_name="Bench",
                    last_name=f"{org.slug} {k}",
                    is_active=rng.random() > 0.03,
                    date_joined=joined,
                    last_login=None if never else now - timedelta(days=rng.uniform(0, 60)),
                )
            )
            memberships_for.append((org, role, never))
    User.objects.bulk_create(users, batch_size=2000)
    Membership.objects.bulk_create(
        [Membership(user=user, national_society=org, role=role) for user, (org, role, _n) in zip(users, memberships_for)],
        batch_size=2000,
    )
    # Demo accounts read too (member@colombia... are used by throughput.py and console.py).
    demo = list(Membership.objects.select_related("user", "national_society").exclude(user__in=users))
    actors = []
    org_weight = {org.pk: w for org, w in zip(organisations, weights)}
    per_org = {}
    for _user, (org, _role, _never) in zip(users, memberships_for):
        per_org[org.pk] = per_org.get(org.pk, 0) + 1
    for user, (org, role, never) in zip(users, memberships_for):
        activity = 0.0 if never else org_weight[org.pk] / per_org[org.pk] * rng.lognormvariate(0, 1.2)
        actors.append((user, org, role, activity))
    positive = sorted(a[3] for a in actors if a[3] > 0)
    typical = positive[len(positive) // 2]
    for membership in demo:
        actors.append((membership.user, membership.national_society, membership.role, typical))
    return actors


def build_lookup_tables(cursor, actors, messages, rng):
    cursor.execute("DROP TABLE IF EXISTS bench_actor; DROP TABLE IF EXISTS bench_slot")
    cursor.execute(
        """CREATE TEMP TABLE bench_actor (
               rn int PRIMARY KEY, user_id bigint, email text, org_id bigint, org_name text,
               role text, user_agent text, ip_prefix text)"""
    )
    rows = []
    for rn, (user, org, role, _activity) in enumerate(actors, start=1):
        ip_prefix = f"10.{(user.pk >> 8) & 255}.{user.pk & 255}."
        rows.append((rn, user.pk, user.email, org.pk, org.name, role, rng.choice(USER_AGENTS), ip_prefix))
    with cursor.copy("COPY bench_actor FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    total = sum(a[3] for a in actors)
    slots = []
    for rn, (_u, _o, _r, activity) in enumerate(actors, start=1):
        if activity > 0:
            slots += [rn] * max(1, round(activity / total * USER_SLOTS))
    rng.shuffle(slots)
    cursor.execute("CREATE TEMP TABLE bench_slot (slot int PRIMARY KEY, rn int)")
    with cursor.copy("COPY bench_slot FROM STDIN") as copy:
        for slot, rn in enumerate(slots):
            copy.write_row((slot, rn))
    # Zipf-like popularity of the messages, in a shuffled order so that it is not the document order.
    # (Lookup tables, not array subscripts: subscripting a long text[] walks it, per row.)
    ranked = list(messages)
    rng.shuffle(ranked)
    message_list = weighted_list([(m, 1 / (rank + 1) ** 0.9) for rank, m in enumerate(ranked)], 2000)
    action_list = weighted_list(ACTION_MIX, 1000)
    for table, column, values in (("bench_message", "identifier", message_list), ("bench_action", "action", action_list)):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} (slot int PRIMARY KEY, {column} text)")
        with cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for slot, value in enumerate(values):
                copy.write_row((slot, value))
    cursor.execute("ANALYZE bench_actor; ANALYZE bench_slot; ANALYZE bench_message; ANALYZE bench_action")
    return len(slots), len(message_list), len(action_list)


# Stage 1 (once): TEMPLATE_ROWS random events with every column but id, time and request id: who
# (weighted by activity), what (action mix), which message (popularity), from where.
TEMPLATE_SQL = """
CREATE UNLOGGED TABLE bench_template AS
SELECT
    row_number() OVER (ORDER BY g.n) - 1 AS rn,
    CASE WHEN ba.action = 'login_failed' THEN NULL ELSE a.user_id END AS actor_user_id,
    CASE WHEN ba.action = 'login_failed' THEN '' ELSE a.email END AS actor_email,
    CASE WHEN ba.action = 'login_failed' THEN NULL ELSE a.org_id END AS actor_organisation_id,
    CASE WHEN ba.action = 'login_failed' THEN '' ELSE a.org_name END AS actor_organisation,
    CASE WHEN ba.action = 'login_failed' THEN '' ELSE a.role END AS actor_role,
    ba.action,
    CASE ba.action
        WHEN 'viewed_message' THEN 'message' WHEN 'copied_message' THEN 'message'
        WHEN 'viewed_section' THEN 'section' WHEN 'viewed_topic' THEN 'topic'
        WHEN 'viewed_document' THEN 'document' WHEN 'searched' THEN 'search'
        WHEN 'printed' THEN 'message' WHEN 'login_failed' THEN 'login'
        WHEN 'access_denied' THEN 'url' WHEN 'rules_acknowledged' THEN 'edition'
        WHEN 'exported_log' THEN 'access_log' WHEN 'note_viewed' THEN 'contextnote'
        ELSE '' END AS target_type,
    CASE ba.action
        WHEN 'viewed_message' THEN bm.identifier WHEN 'copied_message' THEN bm.identifier WHEN 'printed' THEN bm.identifier
        WHEN 'viewed_section' THEN (%(sections)s::text[])[1 + floor(g.r2 * %(n_sections)s)::int]
        WHEN 'viewed_topic' THEN (%(topics)s::text[])[1 + floor(g.r2 * %(n_topics)s)::int]
        WHEN 'viewed_document' THEN %(document)s
        WHEN 'login_failed' THEN CASE WHEN g.r2 < 0.7 THEN a.email ELSE 'unknown' || floor(g.r2 * 500)::int || '@example.com' END
        WHEN 'access_denied' THEN (%(denied)s::text[])[1 + floor(g.r2 * %(n_denied)s)::int]
        WHEN 'rules_acknowledged' THEN '1'
        WHEN 'note_viewed' THEN (1 + floor(g.r2 * 40)::int)::text
        ELSE '' END AS target_id,
    CASE WHEN ba.action IN ('viewed_message', 'copied_message', 'printed') THEN bm.identifier ELSE '' END AS message_identifier,
    CASE WHEN ba.action IN ('viewed_message', 'copied_message', 'printed') THEN 1 END AS message_version,
    CASE WHEN ba.action IN ('login_failed', 'access_denied') THEN 'denied' ELSE 'allowed' END AS outcome,
    CASE ba.action WHEN 'login_failed' THEN 'wrong email or password' WHEN 'access_denied' THEN 'not found' ELSE '' END AS reason,
    CASE WHEN ba.action = 'searched' THEN (%(terms)s::text[])[1 + floor(g.r2 * %(n_terms)s)::int] ELSE '' END AS query,
    (a.ip_prefix || (1 + floor(g.r3 * 4)::int))::inet AS ip,
    a.user_agent,
    CASE WHEN ba.action = 'searched' THEN jsonb_build_object('page', 1 + floor(g.r3 * g.r3 * 3)::int)
         WHEN ba.action = 'mfa_used' THEN jsonb_build_object('type', 'totp', 'reauthentication', g.r3 < 0.1)
         WHEN ba.action = 'exported_log' THEN jsonb_build_object('organisation', a.org_name)
         ELSE '{}'::jsonb END AS details
FROM (
    SELECT
        n,
        floor(random() * %(n_slots)s)::int AS slot,
        floor(random() * %(n_actions)s)::int AS action_slot,
        floor(random() * %(n_messages)s)::int AS message_slot,
        random() AS r2,
        random() AS r3
    FROM generate_series(1, %(template_rows)s) AS n
    OFFSET 0
) AS g
JOIN bench_slot s ON s.slot = g.slot
JOIN bench_actor a ON a.rn = s.rn
JOIN bench_action ba ON ba.slot = g.action_slot
JOIN bench_message bm ON bm.slot = g.message_slot
ORDER BY g.n
"""

COLUMNS = (
    "actor_user_id, actor_email, actor_organisation_id, actor_organisation, actor_role, action, target_type, "
    "target_id, message_identifier, message_version, outcome, reason, query, ip, user_agent, details"
)

# Stage 2 (per pass of the template): event n = pass * TEMPLATE_ROWS + rn gets id offset + n, a time
# that grows with n (usage grows over the years: time = start + span * (n / total)^0.7, +/- 10 s)
# and a request id. Ids follow time, as they do in production.
PASS_SQL = f"""
INSERT INTO audit_auditevent (id, occurred_at, request_id, {COLUMNS})
SELECT
    %(id_offset)s + n,
    %(start)s::timestamptz + %(span)s::interval * power(n::float8 / %(total)s::float8, 0.7)
        + (random() - 0.5) * interval '20 seconds',
    md5(n::text || %(seed)s),
    {COLUMNS}
FROM (SELECT rn + %(first)s AS n, t.* FROM bench_template t WHERE rn < %(count)s) AS e
"""

TEMPLATE_ROWS = 500_000


def run_parallel(jobs, dsn, setup_statements=(), workers=2):
    """Run SQL jobs [(label, sql, params)] on `workers` connections of their own, in order of the list."""
    import queue
    import threading

    import psycopg

    todo = queue.Queue()
    for job in jobs:
        todo.put(job)
    errors = []

    def work():
        with psycopg.connect(dsn, autocommit=True) as conn:
            for statement in setup_statements:
                conn.execute(statement)
            while not errors:
                try:
                    label, sql, params = todo.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    conn.execute(sql, params)
                except Exception as error:  # noqa: BLE001  (re-raised in the main thread)
                    errors.append(error)
                    return
                print(f"  {label} ({time.perf_counter() - started:5.1f} s)", flush=True)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--loaders", type=int, default=2, help="parallel loader connections")
    args = parser.parse_args()
    name = bench_db_name()
    django_setup()

    from django.db import connection, transaction
    from django.utils import timezone

    from audit.models import AuditEvent
    from messages_app.catalogue.models import Document, Edition, Message, Section, Topic

    rng = random.Random(SEED)
    started = time.perf_counter()
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.4242])
    existing = AuditEvent.objects.count()
    if existing > 1000:
        raise SystemExit(f"{name}.audit_auditevent already holds {existing} events: re-create the database first")

    t = time.perf_counter()
    with transaction.atomic():
        actors = create_accounts(args.users, rng)
    timings["accounts_s"] = round(time.perf_counter() - t, 2)
    print(f"{len(actors)} accounts ({timings['accounts_s']} s)", flush=True)

    messages = list(Message.objects.filter(retired_in__isnull=True).values_list("identifier", flat=True))
    sections = list(Section.objects.values_list("key", flat=True))
    topics = list(Topic.objects.values_list("slug", flat=True))
    document = Document.objects.values_list("slug", flat=True).first() or "key-messages"

    now = timezone.now()
    end = now - timedelta(minutes=5)
    span = timedelta(days=365.25 * args.years)
    start = end - span

    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent")
        id_offset = cursor.fetchone()[0]
        n_slots, n_messages, n_actions = build_lookup_tables(cursor, actors, messages, rng)
        cursor.execute(
            """SELECT indexname, indexdef FROM pg_indexes
               WHERE tablename = 'audit_auditevent' AND indexname <> 'audit_auditevent_pkey'
               ORDER BY indexname"""
        )
        index_defs = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'audit_auditevent'::regclass AND conname = 'audit_auditevent_pkey'"
        )
        pkey_def = cursor.fetchone()[0]
        for index_name, _definition in index_defs:
            cursor.execute(f'DROP INDEX "{index_name}"')
        cursor.execute("ALTER TABLE audit_auditevent DROP CONSTRAINT audit_auditevent_pkey")
        print(f"dropped the primary key and {len(index_defs)} secondary indexes for the load", flush=True)

        template_rows = min(TEMPLATE_ROWS, args.events)
        params = {
            "n_slots": n_slots, "n_actions": n_actions, "n_messages": n_messages, "template_rows": template_rows,
            "sections": sections, "n_sections": len(sections), "topics": topics, "n_topics": len(topics),
            "document": document, "denied": DENIED_PATHS, "n_denied": len(DENIED_PATHS),
            "terms": SEARCH_TERMS, "n_terms": len(SEARCH_TERMS),
        }
        t = time.perf_counter()
        cursor.execute("DROP TABLE IF EXISTS bench_template")
        cursor.execute(TEMPLATE_SQL, params)
        timings["template_s"] = round(time.perf_counter() - t, 1)
        print(f"  {template_rows:,} template events ({timings['template_s']} s)", flush=True)

    # Two loader connections (the machine has 2 cores), each taking the next pass of the template.
    dsn = psycopg_dsn()
    jobs = []
    for first in range(0, args.events, template_rows):
        count = min(template_rows, args.events - first)
        pass_params = {
            "id_offset": id_offset + 1, "seed": str(SEED), "start": start, "span": span,
            "total": args.events, "first": first, "count": count,
        }
        jobs.append((f"inserted events {first + 1:>10,} to {first + count:>10,}", PASS_SQL, pass_params))
    t = time.perf_counter()
    run_parallel(jobs, dsn, ["SET synchronous_commit = off"], workers=args.loaders)
    timings["insert_s"] = round(time.perf_counter() - t, 1)

    t = time.perf_counter()
    index_jobs = [("re-created audit_auditevent_pkey", f"ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey {pkey_def}", None)]
    index_jobs += [(f"re-created {index_name}", definition, None) for index_name, definition in index_defs]
    run_parallel(
        index_jobs, dsn, ["SET maintenance_work_mem = '1GB'", "SET max_parallel_maintenance_workers = 0"], workers=args.loaders
    )
    timings["indexes_s"] = round(time.perf_counter() - t, 1)

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_template")
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), (SELECT max(id) FROM audit_auditevent))")
        t = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE) audit_auditevent")
        timings["vacuum_analyze_s"] = round(time.perf_counter() - t, 1)

        # The content was loaded a minute ago; a real edition has been read for months.
        Edition.objects.filter(pk=Edition.objects.order_by("-sequence").values("pk")[:1]).update(
            loaded_at=now - timedelta(days=180)
        )

        cursor.execute("SELECT count(*), min(occurred_at), max(occurred_at) FROM audit_auditevent")
        count, first_at, last_at = cursor.fetchone()
        cursor.execute(
            "SELECT pg_size_pretty(pg_table_size('audit_auditevent')), pg_size_pretty(pg_indexes_size('audit_auditevent')),"
            " pg_table_size('audit_auditevent'), pg_indexes_size('audit_auditevent')"
        )
        table_size, index_size, table_bytes, index_bytes = cursor.fetchone()
        cursor.execute(
            """SELECT actor_organisation, count(*) FROM audit_auditevent
               WHERE actor_organisation_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"""
        )
        per_org = cursor.fetchall()
        cursor.execute("SELECT action, count(*) FROM audit_auditevent GROUP BY 1 ORDER BY 2 DESC")
        per_action = cursor.fetchall()
        cursor.execute("SELECT count(DISTINCT actor_user_id) FROM audit_auditevent")
        distinct_users = cursor.fetchone()[0]

    timings["total_s"] = round(time.perf_counter() - started, 1)
    rate = args.events / timings["insert_s"] if timings["insert_s"] else math.nan
    print(
        f"{count:,} events from {first_at:%Y-%m-%d} to {last_at:%Y-%m-%d %H:%M}, {distinct_users} distinct users; "
        f"table {table_size}, indexes {index_size}\n"
        f"template {timings['template_s']} s, insert {timings['insert_s']} s ({rate:,.0f} rows/s), indexes {timings['indexes_s']} s, "
        f"VACUUM ANALYZE {timings['vacuum_analyze_s']} s, total {timings['total_s']} s",
        flush=True,
    )
    write_result(
        "fill",
        {
            "database": name,
            "events": count,
            "requested_events": args.events,
            "accounts": len(actors),
            "distinct_actor_users": distinct_users,
            "first_event": first_at,
            "last_event": last_at,
            "table_size": table_size,
            "index_size": index_size,
            "table_bytes": table_bytes,
            "index_bytes": index_bytes,
            "timings": timings,
            "indexes": [name for name, _definition in index_defs],
            "insert_rows_per_s": round(rate),
            "per_organisation": per_org,
            "per_action": per_action,
        },
    )


if __name__ == "__main__":
    main()
