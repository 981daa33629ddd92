"""Editorial desk: what opening, editing and publishing a draft costs, as the document grows.

    .venv/bin/python bench/editor.py [--sizes 65,300,600] [--runs 5] [--start-runs 3] [--publish-runs 4]
        [--database-url postgres://postgres@127.0.0.1:5432/km_bench_editor]
        [--check | --max-publish-seconds 2.0 --publish-size 300] [--verbose] [--keep-db] [--no-results]

The goal (issue): "a 300-message document: opening the editor, saving a message and publishing keep a
constant number of queries; publishing takes <= 2 s on this machine."

In one run, on a PostgreSQL database of its own (default km_bench_editor, created at the start and
dropped at the end, also on failure or SIGTERM, unless --keep-db), with the settings of
bench/pages.py (bench.pages_settings: config.settings.test, DEBUG off, ATOMIC_REQUESTS on, the
production middleware):

  * brings it up: migrate, createcachetable, load_key_messages, create_demo_accounts --demo,
    create_demo_editorial --demo (editor@ifrc.example.org and reviewer@icrc.example.org);
  * for each size N (--sizes), builds a synthetic document of N messages as a ContentDocument
    (sections of up to 30 messages, every third section a sub-section, one child message per ten,
    texts of ~300 characters, the shipped edition's topics, introduction, rules, contacts and
    summary; identifiers Z<size letter><section letter>-NN[.1], unique in the library), loads it with
    catalogue.services.key_messages_load, and has the demo platform admin give the demo editor and
    reviewer their roles on it (editorial.services.document_role_grant); then measures, one size
    after the other (each document right after its own load):
      a. draft_start (service);
      b. GET /editorial/drafts/<id>/ (the draft page) as the editor, through django.test.Client
         (force_login, handling rules confirmed through /how-to-use/): 200 and the messages shown;
      c. GET /editorial/drafts/<id>/messages/<ID>/ (a message's edit page): 200 and its text shown;
      d. POST of that page (text, topics, revision): 302 back to the draft, text and revision saved;
      e. draft_submit by the editor, draft_review "approved" by the reviewer (services);
      f. POST /editorial/drafts/<id>/publish/ with when=now: 302, a new current Edition with the
         draft's label, the draft published, the changed texts live in the library. Twice: a draft
         with 1 changed message, and one with 10% of the messages changed;
    each step's SQL statements are counted with CaptureQueriesContext on its first run (with the
    line of the application that ran each one), its wall time is the median of the other runs;
  * prints a Markdown table (step x size: queries, median ms), the verdict, and, when a count is not
    the same at every size, which statements grew (normalised SQL, count per size, where it runs;
    --verbose also prints every statement of those steps); writes bench/out/editor.json and replaces
    the block between <!-- bench:editor:start --> and <!-- bench:editor:end --> of the section
    "## Editorial desk (bench/editor.py)" of bench/RESULTS.md (--no-results: not).

--check: exit 1 if a step that should not depend on the document's size (a-e, publish with 1
change) made a different number of queries at two sizes, or if publishing (either draft) at
--publish-size (300) messages took more than --max-publish-seconds (2.0) (median).

Exit codes: 0 fine; 1 a threshold exceeded (with --check); 3 the run failed (set-up, database, a step
that did not do what it should: its response or its effect was wrong), with the reason.
"""

import argparse
import io
import math
import os
import random
import re
import signal
import statistics
import sys
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import (
    bench_db_name,
    git_state,
    machine,
    wait_for_quiet,
    write_result,
)
from bench.pages import bring_up, django_setup, pg_create, pg_drop, server_version

SETTINGS_MODULE = "bench.pages_settings"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/km_bench_editor"
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Editorial desk (bench/editor.py)"
START_MARKER, END_MARKER = "<!-- bench:editor:start -->", "<!-- bench:editor:end -->"
EDITOR = "editor@ifrc.example.org"
REVIEWER = "reviewer@icrc.example.org"
PLATFORM_ADMIN = "platform@ifrc.example.org"
SHIPPED_DOCUMENT = "migration-americas"
USER_AGENT = "km-bench/1.0 (bench/editor.py)"
SECTION_SIZE = 30
CHECK_DEFAULTS = {"max_publish_seconds": 2.0}

# The steps, in the table's order; `constant`: its queries must not depend on the document's size.
STEPS = [
    ("draft_start", "a. start a draft (`draft_start`)", True),
    ("draft_page", "b. open the draft page (GET)", True),
    ("message_page", "c. open a message's edit page (GET)", True),
    ("message_save", "d. save a message (POST)", True),
    ("submit", "e. submit for review (`draft_submit`)", True),
    ("approve", "e. approve (`draft_review`, reviewer)", True),
    ("publish_1", "f. publish, 1 message changed (POST)", True),
    ("publish_10", "f. publish, 10% of messages changed (POST)", False),
]
PUBLISH_STEPS = ("publish_1", "publish_10")
TRANSACTION_STATEMENTS = ("BEGIN", "COMMIT", "ROLLBACK")

SAMPLE_TEXT = (
    "migrants refugees returnees people on the move host communities National Societies Movement "
    "humanitarian assistance protection dignity safety access services health care water shelter "
    "restoring family links information routes borders detention alternatives children families "
    "unaccompanied minors trafficking violence risks needs vulnerabilities regardless of legal status "
    "principled neutral impartial independent action volunteers branches authorities cooperation "
    "States obligations international law support integration communities inclusion livelihoods "
    "psychosocial first aid emergency response preparedness coordination along the migratory route"
)
WORDS = SAMPLE_TEXT.split()


class StepFailed(Exception):
    """A measured step did not do what it should (an error page, nothing saved...): the run failed."""


def expect(ok, what):
    if not ok:
        raise StepFailed(what)


# --- the synthetic documents ---------------------------------------------------------------------


def _letters(number: int, width: int) -> str:
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = chr(65 + digit) + out
    return out


def section_prefix(size_index: int, section_index: int) -> str:
    """Z + one letter per size + one (or two, past 26 sections) per section: ZAA, ZAB, ... ZBA ..."""
    width = 1 if section_index < 26 else 2
    return "Z" + _letters(size_index, 1) + _letters(section_index, width)


def _text(rng: random.Random, identifier: str, length: int = 300) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    sentence = " ".join(words)
    return f"{identifier}: {sentence[0].upper()}{sentence[1:]}."


def synthetic_content(size_index: int, size: int, frame):
    """A ContentDocument of `size` messages shaped like the shipped one (sections with sub-sections,
    a few child messages, topics), with its own slug, section keys and identifiers."""
    from messages_app.catalogue.content_file import (
        ContentDocument,
        MessageSpec,
        SectionSpec,
    )

    rng = random.Random(size * 7919 + size_index)
    topic_slugs = [topic.slug for topic in frame.topics]
    count = math.ceil(size / SECTION_SIZE)
    per_section = [size // count + (1 if i < size % count else 0) for i in range(count)]
    specs = []
    for i, messages_here in enumerate(per_section):
        prefix = section_prefix(size_index, i)
        children = messages_here // 10
        top_level = messages_here - children
        if top_level > 99:
            raise SystemExit(f"bench/editor.py: {messages_here} messages in one section exceed the 99 numbers of a prefix")
        messages = []
        for number in range(1, top_level + 1):
            identifier = f"{prefix}-{number:02d}"
            kids = ()
            if number <= children:
                child = f"{identifier}.1"
                kids = (MessageSpec(identifier=child, text=_text(rng, child), topics=tuple(rng.sample(topic_slugs, 1))),)
            messages.append(
                MessageSpec(identifier=identifier, text=_text(rng, identifier), topics=tuple(rng.sample(topic_slugs, rng.randint(1, 3))), children=kids)
            )
        specs.append(
            {
                "spec": {
                    "key": f"bench-{size}-section-{i + 1:02d}", "title": f"Section {i + 1} of the {size}-message document",
                    "number": "", "lead": "", "messages": tuple(messages),
                },
                "sub": i % 3 == 2,  # every third section is a sub-section of the one before
            }
        )
    sections = []
    pending = None  # (spec dict, [subsections])
    for item in specs:
        if item["sub"] and pending is not None:
            pending[1].append(SectionSpec(**item["spec"]))
            continue
        if pending is not None:
            sections.append(SectionSpec(**pending[0], subsections=tuple(pending[1])))
        pending = (item["spec"], [])
    sections.append(SectionSpec(**pending[0], subsections=tuple(pending[1])))
    return ContentDocument(
        slug=f"bench-editor-{size}", title=f"Editorial bench: a document of {size} messages", edition="1", edition_note="",
        introduction=frame.introduction, handling_rules=frame.handling_rules, contacts=frame.contacts, summary=frame.summary,
        topics=frame.topics, sections=tuple(sections), source_name=f"bench/editor.py ({size} messages)",
    )


def content_messages(content):
    return [spec for spec, _section, _parent in content.iter_messages()]


# --- measuring -----------------------------------------------------------------------------------


def _origin():
    """The innermost line of the application (not Django, not this script) that ran a statement."""
    frames = list(reversed(traceback.extract_stack()[:-3]))  # innermost first, without this and the wrapper
    via_template = False
    app = []
    for frame in frames:
        filename = frame.filename
        if not app and "/django/template/" in filename:
            via_template = True
        if filename.startswith(str(ROOT)) and "/.venv/" not in filename and not filename.startswith(str(ROOT / "bench")):
            app.append(frame)
            if not frame.name.startswith("<"):
                break
    if not app:
        return "?"
    first = app[0]
    where = f"{Path(first.filename).relative_to(ROOT)}:{first.lineno} {first.name}"
    if first.name.startswith("<") and len(app) > 1:  # a comprehension or lambda: name the function it is in
        where += f" in {app[-1].name}"
    return where + (" (template)" if via_template else "")


class Measured:
    """Wall time of a call; with capture=True, also its statements (CaptureQueriesContext) and where each ran."""

    def __init__(self, capture):
        self.capture = capture
        self.seconds = None
        self.sql = []
        self.origins = []
        self.statement_seconds = []  # per statement (0 for BEGIN/COMMIT, which the wrappers do not see)

    def run(self, call):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        if not self.capture:
            started = time.perf_counter()
            result = call()
            self.seconds = time.perf_counter() - started
            return result

        executed = []  # [statement, origin, seconds] of each statement that went through the execute wrappers

        def wrapper(execute, sql, params, many, context):
            entry = [sql, _origin(), 0.0]
            executed.append(entry)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                entry[2] = time.perf_counter() - started

        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(wrapper):
            started = time.perf_counter()
            result = call()
            self.seconds = time.perf_counter() - started
        self.sql = [query["sql"] for query in captured.captured_queries]
        # CaptureQueriesContext also logs the BEGIN and COMMIT of a transaction, which never go through
        # the execute wrappers: align the two lists around them.
        position = 0
        for sql in self.sql:
            if sql.strip().upper() in TRANSACTION_STATEMENTS and not (
                position < len(executed) and executed[position][0].strip().upper() == sql.strip().upper()
            ):
                self.origins.append("(transaction)")
                self.statement_seconds.append(0.0)
                continue
            self.origins.append(executed[position][1] if position < len(executed) else "?")
            self.statement_seconds.append(executed[position][2] if position < len(executed) else 0.0)
            position += 1
        return result


def normalise(sql: str) -> str:
    """A statement without its values: the same query with other parameters reads the same."""
    sql = re.sub(r'"s\d+_x\d+"', '"s…"', sql)  # savepoint names
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?\b", "?", sql)
    sql = re.sub(r"\(\s*\?(?:\s*,\s*\?)*\s*\)", "(?…)", sql)
    sql = re.sub(r"\(\?…\)(?:\s*,\s*\(\?…\))+", "(?…), …", sql)
    sql = re.sub(r"\(\s*(?:\?|NULL|true|false|DEFAULT)(?:::\w+)?(?:\s*,\s*(?:\?|NULL|true|false|DEFAULT|\(\?…\))(?:::\w+(?:\[\])?)?)*\s*\)", "(?…)", sql)
    sql = re.sub(r"\(\?…\)(?:\s*,\s*\(\?…\))+", "(?…), …", sql)
    return re.sub(r"\s+", " ", sql).strip()


class Step:
    def __init__(self, key):
        self.key = key
        self.runs = []  # Measured

    def add(self, measured):
        self.runs.append(measured)

    @property
    def captured(self):
        return next((m for m in self.runs if m.capture), None)

    def summary(self):
        timed = [m.seconds for m in self.runs if not m.capture] or [m.seconds for m in self.runs]
        ms = [s * 1000 for s in timed]
        captured = self.captured
        templates = Counter()
        where = {}
        spent = Counter()
        for sql, origin, seconds in zip(captured.sql, captured.origins, captured.statement_seconds):
            template = normalise(sql)
            templates[template] += 1
            spent[template] += seconds
            where.setdefault(template, Counter())[origin] += 1
        return {
            "queries": len(captured.sql),
            "median_ms": round(statistics.median(ms), 1),
            "min_ms": round(min(ms), 1),
            "max_ms": round(max(ms), 1),
            "timed_runs": len(ms),
            "captured_run_ms": round(captured.seconds * 1000, 1),
            "captured_run_sql_ms": round(sum(captured.statement_seconds) * 1000, 1),
            "statements": [
                {"sql": template, "count": n, "ms": round(spent[template] * 1000, 2), "where": dict(where[template].most_common())}
                for template, n in templates.most_common()
            ],
            "sequence": [[sql if len(sql) <= 2000 else sql[:2000] + " …", origin] for sql, origin in zip(captured.sql, captured.origins)],
        }


# --- the editor's and reviewer's ways in -------------------------------------------------------------


def signed_in_client(user):
    """`user` signed in (force_login), the handling rules confirmed through /how-to-use/ as a reader does."""
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_USER_AGENT=USER_AGENT)
    client.force_login(user)
    page = client.get("/documents/migration-americas/how-to-use/")
    expect(page.status_code == 200, f"/documents/migration-americas/how-to-use/ answered {page.status_code} to {user.email}")
    form = {"confirm": "on", "next": "/"}
    version = re.search(rb'name="rules_version" value="([^"]*)"', page.content)
    if version:
        form["rules_version"] = version.group(1).decode()
    confirmed = client.post("/documents/migration-americas/how-to-use/", form)
    expect(confirmed.status_code == 302, f"confirming the handling rules answered {confirmed.status_code} to {user.email}")
    probe = client.get(reverse("editorial:home"))
    expect(probe.status_code == 200, f"{reverse('editorial:home')} answered {probe.status_code} {probe.get('Location', '')} to {user.email} (MFA? rules?)")
    return client


# --- one document ------------------------------------------------------------------------------------


class SizeRun:
    """Everything measured on one synthetic document."""

    def __init__(self, args, size_index, size, people, frame, client):
        from messages_app.catalogue.models import Document, Message

        self.args = args
        self.size = size
        self.editor, self.reviewer, self.platform_admin = people
        self.client = client
        self.steps = {key: Step(key) for key, _label, _constant in STEPS}
        self.content = synthetic_content(size_index, size, frame)
        self.specs = content_messages(self.content)
        expect(len(self.specs) == size, f"the synthetic document has {len(self.specs)} messages, not {size}")
        identifiers = [spec.identifier for spec in self.specs]
        clash = Message.objects.filter(identifier__in=identifiers).values_list("identifier", flat=True)[:5]
        expect(not clash, f"identifiers of the synthetic document already in the library: {list(clash)}")
        expect(not Document.objects.filter(slug=self.content.slug).exists(), f"document {self.content.slug} exists already")
        # The message edited in steps c/d: a top-level message of the second section (of the first if only one).
        sections = [s for s, _parent in self.content.iter_sections()]
        chosen = sections[1] if len(sections) > 1 else sections[0]
        self.edited = chosen.messages[min(4, len(chosen.messages) - 1)].identifier
        self.notes = {}

    # -- set-up

    def load(self):
        from django.db.models import Q

        from messages_app.catalogue.models import Document, Message, Topic
        from messages_app.catalogue.services import key_messages_load
        from messages_app.editorial import services

        def alive_elsewhere():
            return Message.objects.filter(retired_in__isnull=True).filter(~Q(section__document__slug=self.content.slug)).count()

        before_alive, before_topics = alive_elsewhere(), Topic.objects.count()
        started = time.perf_counter()
        report = key_messages_load(content=self.content, loaded_as="bench/editor.py")
        self.notes["load_seconds"] = round(time.perf_counter() - started, 2)
        expect(report.edition_created and len(report.messages_created) == self.size,
               f"loading the {self.size}-message document created {len(report.messages_created)} messages")
        after_alive = alive_elsewhere()
        # The library's other documents should not be touched by loading this one.
        self.notes["other_documents_messages_retired_by_load"] = before_alive - after_alive
        self.notes["topics_before_after_load"] = [before_topics, Topic.objects.count()]
        self.document = Document.objects.get(slug=self.content.slug)
        for user, kind in ((self.editor, "editor"), (self.reviewer, "reviewer")):
            services.document_role_grant(acting_user=self.platform_admin, document=self.document, user=user, kind=kind)

    # -- helpers

    def _fresh_session(self):
        """A request just before a counted one: the session middleware writes the session's "last seen"
        at most once a minute, and that write must not fall into the counted request of one size only."""
        from django.urls import reverse

        response = self.client.get(reverse("editorial:home"))
        expect(response.status_code == 200, f"GET {reverse('editorial:home')} answered {response.status_code}")

    def _measure(self, key, call, capture, request=False):
        if capture and request:
            self._fresh_session()
        measured = Measured(capture)
        result = measured.run(call)
        self.steps[key].add(measured)
        return result

    def _open_draft(self):
        from messages_app.editorial.models import Draft

        return Draft.objects.filter(document=self.document, state__in=[Draft.State.EDITING, Draft.State.IN_REVIEW]).first()

    def _start(self, capture=False, measure=True):
        from messages_app.editorial import services
        from messages_app.editorial.models import Draft, DraftMessage

        if (draft := self._open_draft()) is not None:
            services.draft_discard(acting_user=self.editor, draft=draft)
        call = lambda: services.draft_start(acting_user=self.editor, document=self.document)
        draft = self._measure("draft_start", call, capture) if measure else call()
        expect(Draft.objects.filter(pk=draft.pk, state=Draft.State.EDITING).exists(), "draft_start left no draft being edited")
        rows = DraftMessage.objects.filter(draft=draft).count()
        expect(rows == self.size, f"the draft of the {self.size}-message document holds {rows} messages")
        return draft

    def _save_service(self, draft, identifier, text):
        from messages_app.editorial import services
        from messages_app.editorial.models import DraftMessage

        message = DraftMessage.objects.get(draft=draft, identifier=identifier)
        saved = services.draft_message_save(
            acting_user=self.editor, draft=draft, identifier=identifier, text=text, topics=message.topics, base_revision=message.revision,
        )
        expect(saved.text == text and saved.revision == message.revision + 1, f"saving {identifier} through the service changed nothing")

    # -- the steps

    def measure_pages_and_save(self, draft):
        from django.urls import reverse
        from django.utils.html import escape

        from messages_app.editorial.models import DraftMessage

        runs = self.args.runs
        draft_url = reverse("editorial:draft", args=[draft.pk])
        edit_url = reverse("editorial:message_edit", args=[draft.pk, self.edited])
        last = self.specs[-1]

        def get_draft_page():
            response = self.client.get(draft_url)
            expect(response.status_code == 200, f"GET {draft_url} answered {response.status_code} {response.get('Location', '')}")
            body = response.content.decode()
            expect(self.edited in body and last.identifier in body and escape(last.text)[:60] in body,
                   f"GET {draft_url}: the draft's messages are not on the page")
            return response

        def get_edit_page():
            response = self.client.get(edit_url)
            expect(response.status_code == 200, f"GET {edit_url} answered {response.status_code} {response.get('Location', '')}")
            message = DraftMessage.objects.get(draft=draft, identifier=self.edited)
            expect(escape(message.text)[:60] in response.content.decode(), f"GET {edit_url}: the message's text is not on the page")
            return response

        get_draft_page()  # warm-up: the first request of a size fills what later ones reuse
        get_edit_page()
        for i in range(runs + 1):
            self._measure("draft_page", get_draft_page, capture=i == 0, request=True)
        for i in range(runs + 1):
            self._measure("message_page", get_edit_page, capture=i == 0, request=True)

        original = next(spec.text for spec in self.specs if spec.identifier == self.edited)
        for i in range(runs + 1):
            message = DraftMessage.objects.get(draft=draft, identifier=self.edited)
            text = f"{original} Revised by the bench, save {i + 1}."
            form = {"text": text, "topics": list(message.topics), "revision": message.revision}

            def post(form=form):
                return self.client.post(edit_url, form)

            response = self._measure("message_save", post, capture=i == 0, request=True)
            location = urlsplit(response.get("Location", ""))
            expect(response.status_code == 302 and location.path == draft_url and location.fragment == f"m-{self.edited}",
                   f"POST {edit_url} answered {response.status_code} {response.get('Location', '')} (expected 302 to {draft_url}…#m-{self.edited})")
            saved = DraftMessage.objects.get(draft=draft, identifier=self.edited)
            expect(saved.text == text and saved.revision == message.revision + 1, f"POST {edit_url}: the text was not saved")
        return text

    def publish(self, draft, key, changed: dict, capture):
        """Submit (editor), approve (reviewer), publish through the view; check the new edition."""
        from django.core import mail
        from django.urls import reverse

        from messages_app.catalogue.models import Edition, Message
        from messages_app.editorial import services
        from messages_app.editorial.models import Draft, DraftReview

        submitted = self._measure("submit", lambda: services.draft_submit(acting_user=self.editor, draft=draft), capture)
        expect(submitted.state == Draft.State.IN_REVIEW, "draft_submit did not put the draft in review")
        review = self._measure(
            "approve", lambda: services.draft_review(acting_user=self.reviewer, draft=submitted, decision=DraftReview.Decision.APPROVED), capture,
        )
        expect(review.pk and review.decision == DraftReview.Decision.APPROVED, "the reviewer's approval was not recorded")

        editions_before = Edition.objects.filter(document=self.document).count()
        url = reverse("editorial:publish", args=[draft.pk])
        response = self._measure(key, lambda: self.client.post(url, {"when": "now"}), capture, request=True)
        expect(response.status_code == 302 and urlsplit(response.get("Location", "")).path == reverse("editorial:home"),
               f"POST {url} answered {response.status_code} {response.get('Location', '')}")
        current = Edition.objects.current_first(self.document).first()
        expect(Edition.objects.filter(document=self.document).count() == editions_before + 1 and current.label == submitted.label,
               f"publishing made no new edition {submitted.label} (current: {current.label})")
        expect(Draft.objects.get(pk=draft.pk).state == Draft.State.PUBLISHED, "the draft is not marked published")
        live = {
            m.identifier: m.current_version.text
            for m in Message.objects.filter(section__document=self.document, identifier__in=list(changed)).select_related("current_version")
        }
        wrong = [identifier for identifier, text in changed.items() if live.get(identifier) != text]
        expect(not wrong, f"after publishing, {len(wrong)} changed message(s) do not read the new text: {wrong[:5]}")
        mail.outbox = []  # the locmem backend's outbox: the readers' emails of each edition

    def run(self):
        args = self.args
        print(f"\n{self.size} messages: loading ...", flush=True)
        self.load()
        print(f"  loaded in {self.notes['load_seconds']} s; measuring ...", flush=True)

        # a. draft_start, b-d on the last draft started, then e-f with its 1 changed message.
        for i in range(args.start_runs):
            draft = self._start(capture=i == 0)
        text = self.measure_pages_and_save(draft)
        self.publish(draft, "publish_1", {self.edited: text}, capture=True)

        # More publications of 1 change, for the time (each: a new draft, 1 message saved).
        for i in range(args.publish_runs - 1):
            draft = self._start(measure=False)
            text = f"{text.rsplit(' Revised', 1)[0]} Revised again, publication {i + 2}."
            self._save_service(draft, self.edited, text)
            self.publish(draft, "publish_1", {self.edited: text}, capture=False)

        # Publications of 10% of the messages changed.
        every = 10
        self.changed_10 = math.ceil(self.size / every)
        for i in range(args.publish_runs):
            draft = self._start(measure=False)
            changed = {}
            for spec in self.specs[::every]:
                new = f"{spec.text} Updated for edition {i + 2}."
                self._save_service(draft, spec.identifier, new)
                changed[spec.identifier] = new
            expect(len(changed) == self.changed_10, f"{len(changed)} messages changed, not {self.changed_10}")
            self.publish(draft, "publish_10", changed, capture=i == 0)
        return {key: step.summary() for key, step in self.steps.items()}


# --- the run -----------------------------------------------------------------------------------------


def run(args, db_label):
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    from messages_app.catalogue.content_export import edition_content
    from messages_app.catalogue.models import Edition

    report = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": db_label,
        "settings": SETTINGS_MODULE,
        "sizes": args.sizes,
        "runs": args.runs,
        "start_runs": args.start_runs,
        "publish_runs": args.publish_runs,
        "machine": machine(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "application": git_state(),
    }
    print(f"setting up the {db_label} database ...", flush=True)
    report["setup_seconds"] = bring_up()
    started = time.perf_counter()
    call_command("create_demo_editorial", demo=True, verbosity=0, stdout=io.StringIO())
    report["setup_seconds"]["create_demo_editorial"] = round(time.perf_counter() - started, 1)
    report["server_version"] = server_version(connection)
    expect(connection.settings_dict.get("ATOMIC_REQUESTS") is True, "ATOMIC_REQUESTS is off: not the settings of the app")

    User = apps.get_model("national_societies", "User")
    people = tuple(User.objects.get(email=email) for email in (EDITOR, REVIEWER, PLATFORM_ADMIN))
    frame = edition_content(Edition.objects.current_first(SHIPPED_DOCUMENT).first())
    client = signed_in_client(people[0])

    report["quiet"] = wait_for_quiet("bench/editor.py")
    results, notes, edited = {}, {}, {}
    measure_started = time.perf_counter()
    for size_index, size in enumerate(args.sizes):
        size_run = SizeRun(args, size_index, size, people, frame, client)
        results[size] = size_run.run()
        notes[size] = {**size_run.notes, "changed_in_publish_10": size_run.changed_10}
        edited[size] = size_run.edited
        for key, _label, _constant in STEPS:
            summary = results[size][key]
            print(f"  {key:14s} {summary['queries']:5d} queries  {summary['median_ms']:9.1f} ms (median of {summary['timed_runs']})", flush=True)
    report["measure_seconds"] = round(time.perf_counter() - measure_started, 1)
    report["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["notes"] = notes
    report["edited_message"] = edited
    report["results"] = results
    report["analysis"] = analyse(args, results, notes)
    return report


def analyse(args, results, notes):
    """Which steps made the same number of queries at every size, which statements grew, the 2 s limit."""
    sizes = args.sizes
    constancy, growing = {}, {}
    for key, _label, constant in STEPS:
        counts = [results[size][key]["queries"] for size in sizes]
        same = len(set(counts)) == 1
        constancy[key] = {"counts": counts, "same": same, "must_be_constant": constant}
        if not same:
            per_size = {size: {s["sql"]: s for s in results[size][key]["statements"]} for size in sizes}
            templates = list(dict.fromkeys(t for size in sizes for t in per_size[size]))
            rows = []
            for template in templates:
                counts_here = [per_size[size][template]["count"] if template in per_size[size] else 0 for size in sizes]
                if len(set(counts_here)) > 1:
                    where = Counter()
                    for size in sizes:
                        if template in per_size[size]:
                            where.update(per_size[size][template]["where"])
                    ms_here = [per_size[size][template]["ms"] if template in per_size[size] else 0 for size in sizes]
                    rows.append({"sql": template, "counts": counts_here, "ms": ms_here, "where": [w for w, _n in where.most_common(3)]})
            growing[key] = rows
    # Per changed message: what publishing 10% costs beyond publishing 1 change.
    per_change = {}
    for size in sizes:
        extra = notes[size]["changed_in_publish_10"] - 1
        if extra > 0:
            per_change[size] = round((results[size]["publish_10"]["queries"] - results[size]["publish_1"]["queries"]) / extra, 2)
    limit = args.max_publish_seconds
    publish_time = None
    if args.publish_size in results:
        medians = {key: results[args.publish_size][key]["median_ms"] for key in PUBLISH_STEPS}
        publish_time = {
            "size": args.publish_size, "median_ms": medians, "limit_s": limit,
            "within": None if limit is None else all(ms <= limit * 1000 for ms in medians.values()),
        }
    return {"constancy": constancy, "growing": growing, "queries_per_changed_message": per_change, "publish_time": publish_time}


# --- output --------------------------------------------------------------------------------------


def step_label(key, notes, sizes):
    label = next(label for k, label, _c in STEPS if k == key)
    if key == "publish_10":
        label += " (" + " / ".join(str(notes[size]["changed_in_publish_10"]) for size in sizes) + " messages)"
    return label


def markdown_table(report):
    sizes = report["sizes"]
    results, notes, analysis = report["results"], report["notes"], report["analysis"]
    head = "| step | " + " | ".join(f"{size} msgs: queries | {size}: median ms" for size in sizes) + " | same queries at every size? |"
    align = "|---|" + "---:|---:|" * len(sizes) + "---|"
    lines = [head, align]
    for key, _label, constant in STEPS:
        cells = []
        for size in sizes:
            summary = results[size][key]
            cells += [str(summary["queries"]), f"{summary['median_ms']:.1f}"]
        same = analysis["constancy"][key]["same"]
        verdict = ("yes" if same else "**no**") if constant else ("yes" if same else "no (grows with the changed messages)")
        lines.append(f"| {step_label(key, notes, sizes)} | " + " | ".join(cells) + f" | {verdict} |")
    return "\n".join(lines)


def verdict_lines(report):
    analysis = report["analysis"]
    sizes = report["sizes"]
    lines = []
    checked = [(key, label) for key, label, constant in STEPS if constant]
    failing = [(key, label) for key, label in checked if not analysis["constancy"][key]["same"]]
    named = {"draft_page": "draft page", "message_page": "message page", "message_save": "save", "publish_1": "publish with 1 change"}
    headline = ", ".join(
        f"{named[key]} {'✔' if analysis['constancy'][key]['same'] else '✘ ' + ' / '.join(map(str, analysis['constancy'][key]['counts']))}"
        for key in ("draft_page", "message_page", "message_save", "publish_1")
    )
    lines.append(f"- **Constant in document size** (same number of queries at {' / '.join(map(str, sizes))} messages): {headline}.")
    others = [(key, label) for key, label in checked if key not in named]
    same = [label.split(" (")[0] for key, label in others if analysis["constancy"][key]["same"]]
    differ = [
        f"{label.split(' (')[0]} ({' / '.join(map(str, analysis['constancy'][key]['counts']))})"
        for key, label in others if not analysis["constancy"][key]["same"]
    ]
    parts = ([f"also constant: {', '.join(same)}"] if same else []) + ([f"**not** constant: {', '.join(differ)}"] if differ else [])
    if parts:
        lines.append("- " + "; ".join(parts)[0].upper() + "; ".join(parts)[1:] + ".")
    if analysis["queries_per_changed_message"]:
        lines.append(
            "- Publishing 10% vs 1 change: "
            + ", ".join(f"{q:g} queries per extra changed message at {size}" for size, q in analysis["queries_per_changed_message"].items())
            + "."
        )
    publish = analysis["publish_time"]
    if publish:
        ms = publish["median_ms"]
        limit = publish["limit_s"]
        state = "" if limit is None else (" ✔" if publish["within"] else " ✘")
        spread = {
            key: report["results"][publish["size"]][key] for key in PUBLISH_STEPS
        }
        lines.append(
            f"- **Publish ≤ {limit if limit is not None else 2:g} s at {publish['size']} messages**{state}: "
            + ", ".join(
                f"{ms[key] / 1000:.2f} s with {'1 change' if key == 'publish_1' else '10% changed'} "
                f"(median of {spread[key]['timed_runs']}: {spread[key]['min_ms'] / 1000:.2f}–{spread[key]['max_ms'] / 1000:.2f} s)"
                for key in PUBLISH_STEPS
            )
            + "."
        )
    if failing:
        lines.append("- What grew with the document: see below.")
    return lines


def growth_lines(report, limit=8):
    lines = []
    sizes = report["sizes"]
    for key, rows in report["analysis"]["growing"].items():
        if not rows:
            continue
        label = step_label(key, report["notes"], sizes)
        lines.append(f"{label}: statements whose count differs between {' / '.join(map(str, sizes))} messages:")
        for row in sorted(rows, key=lambda r: -max(r["counts"]))[:limit]:
            sql = row["sql"] if len(row["sql"]) <= 160 else row["sql"][:157] + "..."
            ms = " / ".join(f"{m:.0f}" for m in row["ms"])
            lines.append(f"  - {' / '.join(map(str, row['counts']))} × `{sql}` ({ms} ms in all) — {'; '.join(f'`{w}`' for w in row['where'])}")
        if len(rows) > limit:
            lines.append(f"  - … {len(rows) - limit} more (bench/out/editor.json)")
    return lines


def publish_time_lines(report):
    """Where a publication's time goes (counted run): in SQL statements, in the slowest of them, elsewhere."""
    lines = []
    for size in report["sizes"]:
        parts = []
        for key in PUBLISH_STEPS:
            summary = report["results"][size][key]
            slowest = max(summary["statements"], key=lambda row: row["ms"])
            sql = slowest["sql"]
            short = (sql[:60] + "…") if len(sql) > 60 else sql
            parts.append(
                f"{'1 change' if key == 'publish_1' else '10%'}: {summary['captured_run_ms']:.0f} ms, of which "
                f"{summary['captured_run_sql_ms']:.0f} ms in SQL (slowest: {slowest['ms']:.0f} ms in {slowest['count']} × `{short}`, "
                f"`{next(iter(slowest['where']), '?')}`)"
            )
        lines.append(f"- {size} messages — " + "; ".join(parts))
    return lines


def command_line():
    return " ".join([".venv/bin/python bench/editor.py", *sys.argv[1:]])


def results_block(report):
    app = report["application"]
    notes = report["notes"]
    sizes = report["sizes"]
    moved = {size: notes[size]["other_documents_messages_retired_by_load"] for size in sizes}
    lines = [
        START_MARKER,
        f"### {report['server_version']} — {report['started'][:10]}",
        "",
        f"- Run: {report['started']} → {report['finished']} (UTC), `{command_line()}`; settings `{report['settings']}`; database {report['database']}",
        (
            f"- Synthetic documents of {' / '.join(map(str, sizes))} messages (sections of ≤ {SECTION_SIZE}, every third a sub-section, "
            f"a child per ten messages, ~300-character texts, the shipped edition's topics and rules); "
            f"loaded with `key_messages_load` in {' / '.join(str(notes[s]['load_seconds']) for s in sizes)} s"
        ),
        (
            f"- Queries: `CaptureQueriesContext` on the first run of each step; times: median of the other runs "
            f"({report['start_runs'] - 1} for a, {report['runs']} for b–d, {report['publish_runs'] - 1} for e–f; wall clock, in-process, "
            f"`django.test.Client` through the whole middleware stack, ATOMIC_REQUESTS on)"
        ),
        (
            f"- Machine: {report['machine'].get('cpu', '?')}, {report['machine'].get('cpus')} cores; Python {report['machine'].get('python')}; "
            f"load average {' / '.join(map(str, report['loadavg_at_start']))} at start, {' / '.join(map(str, report['loadavg_at_end']))} at end"
        ),
        f"- Application: git {app['commit']}" + (" plus uncommitted changes" if app["uncommitted_changes"] else ""),
        "",
        markdown_table(report),
        "",
        *verdict_lines(report),
    ]
    growth = growth_lines(report)
    if growth:
        lines += ["", *growth]
    lines += ["", "Where publishing's time goes (the counted run, statements timed by an execute wrapper; BEGIN/COMMIT not included):", *publish_time_lines(report)]
    if any(moved.values()):
        lines += ["", "Loading each document retired the messages of the documents loaded before it: "
                  + ", ".join(f"{n} at {size}" for size, n in moved.items()) + " (see the notes below)."]
    lines.append(END_MARKER)
    return "\n".join(lines)


SECTION_INTRO = """\
What the editorial desk costs as a document grows: a 65-, a 300- and a 600-message document (synthetic,
shaped like the shipped one), each step run by the demo editor and reviewer as they would — the pages
through `django.test.Client` and the whole middleware stack, submit and approval through the services.
Every measured step checks that it did what it should (status, redirect, the text saved, the new
edition live). Generated by `bench/editor.py` (see README.md); the block is replaced by the next run.
"""


def write_results(report):
    block = results_block(report)
    text = RESULTS.read_text() if RESULTS.exists() else ""
    if START_MARKER in text and END_MARKER in text:
        head, rest = text.split(START_MARKER, 1)
        _old, tail = rest.split(END_MARKER, 1)
        text = head + block + tail
    elif HEADING in text.splitlines():
        lines = text.splitlines(keepends=True)
        at = lines.index(HEADING + "\n") if HEADING + "\n" in lines else lines.index(HEADING)
        end = next((i for i in range(at + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        section = "".join(lines[at:end]).rstrip("\n") + "\n\n" + block + "\n"
        text = "".join(lines[:at]) + section + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    else:
        text = text.rstrip("\n") + "\n\n" + f"{HEADING}\n\n{SECTION_INTRO}\n{block}\n"
    RESULTS.write_text(text)
    return RESULTS


# --- main ----------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_PG_URL, help=f"PostgreSQL database to create, use and drop (default {DEFAULT_PG_URL}); its name must start with km_bench")
    parser.add_argument("--sizes", default="65,300,600", help="document sizes in messages, comma-separated (default 65,300,600)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the pages and of the save (default 5), after one counted run")
    parser.add_argument("--start-runs", type=int, default=3, help="runs of draft_start (default 3: one counted, two timed)")
    parser.add_argument("--publish-runs", type=int, default=4, help="publications of each kind per size (default 4: one counted, three timed)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a size-independent step's queries differ between sizes, or publishing exceeds --max-publish-seconds")
    parser.add_argument("--max-publish-seconds", type=float, help="limit on the median publication time at --publish-size (--check: 2.0)")
    parser.add_argument("--publish-size", type=int, default=300, help="the document size the time limit applies to (default 300)")
    parser.add_argument("--verbose", action="store_true", help="print every statement of the steps whose count differs between sizes")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args()
    try:
        args.sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()})
    except ValueError:
        parser.error("--sizes: comma-separated numbers of messages")
    if len(args.sizes) < 2 or min(args.sizes) < 10:
        parser.error("--sizes: at least two sizes, each of 10 messages or more")
    if len(args.sizes) > 26:
        parser.error("--sizes: at most 26 sizes")
    if args.runs < 1 or args.start_runs < 2 or args.publish_runs < 2:
        parser.error("--runs >= 1, --start-runs >= 2, --publish-runs >= 2 (one run is counted, the others timed)")
    if args.check and args.max_publish_seconds is None:
        args.max_publish_seconds = CHECK_DEFAULTS["max_publish_seconds"]
    return args


def print_verbose(report):
    sizes = report["sizes"]
    for key, rows in report["analysis"]["growing"].items():
        if not rows:
            continue
        print(f"\n--- {key}: every statement, per size (counted run) ---")
        for size in sizes:
            summary = report["results"][size][key]
            print(f"\n[{size} messages] {summary['queries']} statements:")
            for row in summary["statements"]:
                print(f"  {row['count']:4d} × {row['ms']:8.2f} ms  {row['sql'][:300]}")
                for where, n in row["where"].items():
                    print(f"         {n:4d} from {where}")
        print(f"\n--- {key}: what differs ---")
        for row in rows:
            print(f"  {' / '.join(map(str, row['counts']))} × {row['sql'][:400]}")
            print(f"      from {'; '.join(row['where'])}")


def main():
    args = parse_args()
    if os.environ.get("KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT"):
        print("bench/editor.py measures the desk with its access log: unset KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT", file=sys.stderr)
        return 3
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a CI timeout still runs the clean-up below

    database_url = args.database_url
    os.environ["DATABASE_URL"] = database_url  # what bench._common's guard reads
    try:
        name = bench_db_name(database_url)  # refuses anything but postgres://…/km_bench*
    except SystemExit as refusal:
        print(refusal, file=sys.stderr)
        return 3
    if name == "km_bench":
        print("bench/editor.py: km_bench is the database of `make bench`; use another km_bench* name", file=sys.stderr)
        return 3
    db_label = f"PostgreSQL `{name}` (created and dropped by the run)"

    report = None
    created = False
    try:
        pg_create(database_url, name)
        created = True
        django_setup(database_url)
        report = run(args, db_label)
    except StepFailed as error:
        print(f"\nbench/editor.py: a step failed: {error}", file=sys.stderr)
        return 3
    except Exception:  # noqa: BLE001  (reported with its traceback, after the clean-up)
        traceback.print_exc()
        print("\nbench/editor.py: the run itself failed (see above)", file=sys.stderr)
        return 3
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110  (Django may not even be set up)
            pass
        if args.keep_db:
            print(f"kept the database: {database_url}", flush=True)
        elif created:
            pg_drop(database_url, name)

    print()
    print(f"{report['server_version']}, {report['started']} UTC, settings {SETTINGS_MODULE}, measured in {report['measure_seconds']} s")
    print()
    print(markdown_table(report))
    print()
    for line in verdict_lines(report):
        print(line)
    growth = growth_lines(report)
    if growth:
        print()
        for line in growth:
            print(line)
    print()
    for line in publish_time_lines(report):
        print(line)
    moved = {size: n["other_documents_messages_retired_by_load"] for size, n in report["notes"].items()}
    if any(moved.values()):
        print(f"\nNOTE: loading a document retired messages of the documents loaded before it: {moved}")
    if args.verbose:
        print_verbose(report)
    report["thresholds"] = {"check": args.check, "max_publish_seconds": args.max_publish_seconds, "publish_size": args.publish_size}
    out = write_result("editor", report)
    print(f"\nraw results: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if not args.no_results:
        print(f"wrote {write_results(report).relative_to(ROOT)} (section {HEADING!r})")

    exceeded = []
    if args.check:
        for key, label, constant in STEPS:
            state = report["analysis"]["constancy"][key]
            if constant and not state["same"]:
                exceeded.append(f"{label}: {' / '.join(map(str, state['counts']))} queries at {' / '.join(map(str, args.sizes))} messages")
    publish = report["analysis"]["publish_time"]
    if args.max_publish_seconds is not None:
        if publish is None:
            print(f"no {args.publish_size}-message document measured: the publication time limit is not applied", file=sys.stderr)
        elif not publish["within"]:
            exceeded.append(
                f"publishing at {publish['size']} messages: "
                + ", ".join(f"{key} {ms / 1000:.2f} s" for key, ms in publish["median_ms"].items())
                + f" (limit {args.max_publish_seconds:g} s)"
            )
    for text in exceeded:
        print(f"THRESHOLD EXCEEDED: {text}", file=sys.stderr)
    if exceeded:
        return 1
    if args.check:
        print("thresholds met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
