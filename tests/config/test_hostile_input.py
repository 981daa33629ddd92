"""No 500 on hostile input: every query parameter, form field and URL parameter of every view.

Walks the URLconf like test_route_matrix.py (whose route table, rules and sample world it reuses).
Each route is visited by someone who may reach it (a member for the library, a society admin for the
society pages, the platform admin for the console and the Django admin, nobody for public pages).

What each view reads is found, not listed by hand (a new parameter is covered without an edit here):
- a first visit of every page records the query parameters the view reads (QueryDict lookups);
- the forms on every page give the fields each form's target reads, with what a browser would send
  (GET forms: more query parameters; POST forms: the fields and their defaults), and the links give
  the query parameters of the pages they lead to (pagination, filters, sort orders);
- EXTRA_QUERY adds what a first visit cannot see (a parameter read only once another one is set).

Then every parameter and every field, one at a time, gets every value of CORPUS (NUL, invalid UTF-8,
10,000 characters, far dates, huge and negative numbers, bidi overrides, emoji, SQL and HTML), and
every URL parameter gets the values its pattern lets through (a 23-digit id, a NUL in a trace code).
Every answer must be below 500 (400, 404, 410, a form error, a redirect are all fine); the inputs
that did answer 500 are also checked for the clear answer they get now (CLEAR_ANSWERS). In the Django
admin: its lists' search, sort, pages and filters, and one URL id per model (ADMIN_CORPUS).

Speed: the world is built and everyone signed in once per module (in a transaction rolled back at
the end), one test per route, and each hostile request runs in a savepoint rolled back after it, so
requests do not change what the next one sees. Runs on SQLite and PostgreSQL, where NUL and overflows
fail differently.
"""

import logging
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.datastructures import MultiValueDict

from console.forms import EventFilterForm
from tests.accounts import sign_in
from tests.config.test_route_matrix import (
    OK,
    POST_DATA,
    PUBLIC_PAGE,
    REACHABLE,
    STAFF,
    STEP_UP,
    URL_ROUTES,
    _rule,
    build_world,
)

# The admin's date filters (`?created_at__gte=9999-12-31`) warn about a naive datetime: Django's own, harmless.
pytestmark = pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")

# Percent-encoded, as they go into a query string, a form body or a URL path. Text features that do
# not mask one another share a value (what refuses one refuses the others alike); NUL, length, dates,
# numbers and line breaks each have their own.
CORPUS = {
    "NUL": "%00",
    "NUL inside": quote("GEN-01 migration\x00KM-7F3K-Q9XA"),  # past a check that only looks for words
    "10,000 characters": "x" * 10_000,
    "far future date": "9999-12-31",
    "year one": "0001-01-01",
    "23 digits": "9" * 23,
    "negative": "-1",
    # Bytes that are not UTF-8 (an overlong "/", a surrogate), a bidi override, emoji, SQL and HTML.
    "invalid UTF-8, bidi, emoji, SQL, HTML": "%ff%fe%c0%af%ed%a0%80"
    + quote("\u202eKM-7F3K\u202c 🧨👩🏽‍⚕️ ' OR 1=1; -- \"><script>alert(1)</script> %_\\ %00"),
    "CRLF": quote("/\r\nSet-Cookie: hostile=1"),
}
# The Django admin (Django's views; ours are the search fields and list filters): its lists' parameters
# and one URL id per model, with fewer values.
ADMIN_CORPUS = {label: CORPUS[label] for label in ("NUL", "far future date", "23 digits")}
# For numbers in URLs (<int:…>, <id:…>): what [0-9]+ lets through. 2**63 is one past the largest bigint.
INT_EDGES = {"23 digits": "9" * 23, "2**63": str(2**63), "zero": "0"}

# Query parameters a first visit cannot see (read only once another one is set, or by a POST).
EXTRA_QUERY = {
    "messages:search": ["q", "page"],
    "console:events": [*EventFilterForm.base_fields, "after"],
    "console:export": [*EventFilterForm.base_fields],
    "console:flags": ["page"],
    "national_societies:members": ["q", "status", "page"],
    "messages:briefing_new": ["message"],
    "messages:copied": ["language", "source"],
    "messages:acknowledge_rules": ["next"],
    **{name: ["paper"] for name, _keys, _view in URL_ROUTES if name.endswith(("_print", "_pdf"))},
}
BASE_QUERY = {"messages:search": {"q": "migration"}}  # `page` is read only for a search
# Forms a first visit does not show (the rules, once confirmed, are shown without their form).
EXTRA_POST = {"messages:acknowledge_rules": {"confirm": "on", "rules_version": "", "next": "/"}}
# The parameters this test must reach (the issue's list): checked against what it found.
MUST_COVER = {
    "q", "page", "organisation", "user", "action", "message", "trace_code", "outcome", "since", "until", "after",
    "status", "paper", "language", "next",
}

KEYS = {name: keys for name, keys, _view in URL_ROUTES}
# In the admin, a model's delete and history pages read their URL id as its change page does.
ROUTE_NAMES = sorted(
    name for name in KEYS if not (name.startswith("admin:") and name.endswith(("_add", "_delete", "_history")))
)

# Who visits: the first of these a route lets through (the console and the admin: the platform admin,
# who sees every organisation).
ROLE_ORDER = ("member_a", "admin_a", "ifrc_focal", "platform_admin", "doc_editor", "doc_reviewer")
PASSING = (OK, STAFF, REACHABLE, STEP_UP)


def _role_for(name):
    _method, expectations = _rule(name)
    if all(outcome == PUBLIC_PAGE for outcome in expectations.values()):
        return "anonymous"
    if name.startswith(("console:", "admin:")):
        return "platform_admin"
    return next(role for role in ROLE_ORDER if expectations[role] in PASSING)


class _Browser:
    """A role's signed-in session, made once per module; a fresh client per request carries it."""

    def __init__(self, user=None, step_up=False):
        self.session_key = None
        if user is not None:
            client = sign_in(Client(), user)
            if step_up:  # the CSV export asks for a recent second factor
                session = client.session
                # An hour ahead: still "just now" when the module's last test runs.
                session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "type": "totp", "at": time.time() + 3600}]
                session.save()
            self.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def client(self):
        client = Client()
        if self.session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_key
        return client


class _Forms(HTMLParser):
    """The forms of a page (method, action, [(name, default)]) and the query keys of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links = [], []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "", "fields": []}
            self.forms.append(self._form)
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if self._form is None or (not attrs.get("name") and tag != "option"):
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                fields.append((attrs["name"], None))  # sent only when clicked: not in the defaults
            elif kind in ("checkbox", "radio"):
                fields.append((attrs["name"], attrs.get("value", "on") if "checked" in attrs else None))
            else:
                fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "button":
            fields.append((attrs["name"], None))
        elif tag == "select":
            self._select = [attrs["name"], None, False]
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[1] is None or ("selected" in attrs and not self._select[2]):
                self._select[1], self._select[2] = value, "selected" in attrs
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass
class _Plan:
    role: str
    method: str
    url: str
    query: set = field(default_factory=set)  # query parameters
    body: dict | None = None  # a POST form as a browser sends it: {name: default or None}
    post_url: str = ""


def _route_name(url, page_url):
    target = urljoin(page_url, url)
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != "testserver":
        return None, None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None, None
    return match.view_name, parts


@contextmanager
def _reads_recorded():
    """The keys looked up in any QueryDict (request.GET, request.POST) while inside."""
    read = set()
    originals = {name: getattr(MultiValueDict, name) for name in ("__getitem__", "getlist", "__contains__")}

    def recording(original):
        def lookup(self, key, *args, **kwargs):
            if isinstance(self, QueryDict) and isinstance(key, str):
                read.add(key)
            return original(self, key, *args, **kwargs)

        return lookup

    with pytest.MonkeyPatch.context() as patch:
        for name, original in originals.items():
            patch.setattr(MultiValueDict, name, recording(original))
        yield read


def _sample_url(name, keys, sample, **override):
    return reverse(name, kwargs={key: override.get(key, sample[key]) for key in keys})


def _is_admin_list(name):
    return name.startswith("admin:") and name.endswith("_changelist")


def _plans(browsers, sample):
    """Visit every page once and work out what each route reads. In the Django admin, only its lists
    (search, filters, sort, pages) and its URL ids: its forms are Django's model forms, and the rest of
    its query parameters (`_popup`, `_to_field`…) Django's own controls, alike on every page."""
    plans = {}
    for name, keys, _view in URL_ROUTES:
        method, _expectations = _rule(name)
        plans[name] = _Plan(role=_role_for(name), method=method, url=_sample_url(name, keys, sample))
    for name, plan in plans.items():
        plan.query.update(EXTRA_QUERY.get(name, ()))
        if plan.method != "GET" or (name.startswith("admin:") and not _is_admin_list(name)):
            continue
        with _reads_recorded() as read, transaction.atomic():
            response = browsers[plan.role].client().get(plan.url)
            transaction.set_rollback(True)  # what a first visit records is not kept
        plan.query.update(read)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Forms()
        page.feed(response.content.decode(errors="replace"))
        for form in page.forms:
            target, parts = _route_name(form["action"], plan.url)
            if target not in plans:
                continue
            fields = {entry[0]: entry[1] for entry in form["fields"] if entry[0] != "csrfmiddlewaretoken"}
            if form["method"] == "get":
                plans[target].query.update(fields)
            elif plans[target].body is None and not target.startswith("admin:"):
                plans[target].body = fields
                plans[target].post_url = parts.path + (f"?{parts.query}" if parts.query else "")
        for href in page.links:
            target, parts = _route_name(href, plan.url)
            if target in plans and parts.query:
                plans[target].query.update(key for key, _value in parse_qsl(parts.query, keep_blank_values=True))
    for name, plan in plans.items():
        if name.startswith("admin:") and not _is_admin_list(name):
            plan.query.clear()
        elif name.startswith("admin:"):  # ours: search, sort, page and the list filters; not Django's controls
            plan.query = {key for key in plan.query if not key.startswith("_") and key != "all"}
        if plan.body is None and name in EXTRA_POST:
            plan.body, plan.post_url = dict(EXTRA_POST[name]), plan.url
        if plan.method == "POST" and plan.body is None:
            plan.body = dict(POST_DATA.get(name, {}))
    return plans


@pytest.fixture(scope="module")
def hostile_site(django_db_setup, django_db_blocker):
    """The route matrix's world (the library is in every test database: tests/conftest.py), a signed-in
    session for each role that visits, and each route's plan; in a transaction rolled back after the
    module."""
    with pytest.MonkeyPatch.context() as patch:
        # PDFs run every check and record, then skip WeasyPrint (test_printing.py renders them).
        patch.setattr("messages_app.printing.views.render_pdf", lambda html: b"%PDF-1.7 (not rendered)")
        for logger in ("django.request", "django.security"):  # 404s and 400s by the thousand; 500s fail the test
            patch.setattr(logging.getLogger(logger), "disabled", True)
        with django_db_blocker.unblock():
            module_transaction = transaction.atomic()
            module_transaction.__enter__()
            try:
                users, sample = build_world()
                browsers = {"anonymous": _Browser()}
                for name in KEYS:
                    role = _role_for(name)
                    if role not in browsers:
                        browsers[role] = _Browser(users[role], step_up=role == "platform_admin")
                plans = _plans(browsers, sample)
            except BaseException:
                transaction.set_rollback(True)
                module_transaction.__exit__(None, None, None)
                raise
        try:
            yield browsers, plans, sample
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                module_transaction.__exit__(None, None, None)


def _send(browser, method, url, body=""):
    """One request in a savepoint rolled back after it. The failure (a 500 or the view's exception), or None."""
    failure, status = _attempt(browser, method, url, body)
    if status == 429:  # a rate limit (sign-in attempts…) lives in the cache, which no rollback resets
        cache.clear()
        failure, status = _attempt(browser, method, url, body)
    return failure


def _attempt(browser, method, url, body):
    status = None
    with transaction.atomic():
        try:
            status = _request(browser, method, url, body).status_code
            failure = f"HTTP {status}" if status >= 500 else None
        except Exception as error:  # noqa: BLE001  the view's own exception, re-raised by the test client
            failure = f"{type(error).__name__}: {str(error)[:200]}"
        transaction.set_rollback(True)
    return failure, status


def _request(browser, method, url, body=""):
    """The response; the test client raises the view's exception instead of a 500."""
    client = browser.client()
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    if response.streaming:
        b"".join(response.streaming_content)  # a CSV export would fail while streaming
    return response


def _encoded(values):
    return "&".join(f"{quote(key)}={value}" for key, value in values)


def _with_query(url, query):
    return url + ("&" if "?" in url else "?") + query if query else url


CONVERTER_RE = re.compile(r"<(?:(\w+):)?(\w+)>")  # <int:briefing_id>, <id:user_id>, <token>
NUMERIC = ("int", "id")


def _path_variants(name, keys, sample, corpus):
    """URLs with one URL parameter at the edge: big integers for a number (<int:…>, <id:…>), the corpus
    for free text (str, slug, path; a value the pattern refuses is a 404 of the resolver, also fine)."""
    route = resolve(_sample_url(name, keys, sample)).route
    converters = {key: kind or "str" for kind, key in CONVERTER_RE.findall(route)}
    for key in keys:
        kind = converters.get(key)
        if kind not in (*NUMERIC, "str", "slug", "path"):
            continue  # a regex of its own (the admin's app labels) or an identifier: nothing free to vary
        marker = "987654321987654" if kind in NUMERIC else "zzmarkerzz"
        try:
            template = _sample_url(name, keys, sample, **{key: marker})
        except NoReverseMatch:
            continue  # the pattern is a closed list (the admin's app labels)
        for label, value in (INT_EDGES if kind in NUMERIC else corpus).items():
            yield f"{key}={label}", template.replace(marker, value.replace("/", "%2F"))


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_no_server_error_on_hostile_input(hostile_site, db, name):
    """Every query parameter, form field and URL parameter of the route, one at a time, with every value
    of the corpus: never a 500. The failures name the input and the exception."""
    browsers, plans, sample = hostile_site
    plan = plans[name]
    browser = browsers[plan.role]
    corpus = ADMIN_CORPUS if name.startswith("admin:") else CORPUS
    post_url = plan.post_url or plan.url
    query_url = post_url if plan.method == "POST" else plan.url
    defaults = [(key, value) for key, value in (plan.body or {}).items() if value is not None]
    default_body = _encoded((key, quote(value)) for key, value in defaults)
    base = BASE_QUERY.get(name, {})
    failures = []
    for parameter in sorted(plan.query):
        for label, value in corpus.items():
            query = _encoded([*((key, quote(v)) for key, v in base.items() if key != parameter), (parameter, value)])
            if failure := _send(browser, plan.method, _with_query(query_url, query), default_body):
                failures.append(f"{plan.method} ?{parameter}={label}: {failure}")
    for parameter in sorted(plan.body or {}):
        for label, value in corpus.items():
            others = [(key, quote(default)) for key, default in defaults if key != parameter]
            if failure := _send(browser, "POST", post_url, _encoded([*others, (parameter, value)])):
                failures.append(f"POST {parameter}={label}: {failure}")
    for label, url in _path_variants(name, KEYS[name], sample, corpus):
        if failure := _send(browser, plan.method, url, default_body):
            failures.append(f"{plan.method} path {label}: {failure}")
    assert failures == [], f"{name} as {plan.role}:\n" + "\n".join(failures)


def test_the_parameters_of_the_issue_are_reached(hostile_site):
    """The walk found (at least) the parameters the issue names: the discovery has not gone stale."""
    _browsers, plans, _sample = hostile_site
    reached = set().union(*(plan.query for plan in plans.values()), *(plan.body or {} for plan in plans.values()))
    assert MUST_COVER - reached == set()


def _case(label, role, method, url, status, shows=None, *, body=""):
    return pytest.param(role, method, url, body, status, shows, id=label)


# The inputs that answered 500 before, and the clear answer each gets now. `shows`: in the page, or
# the redirect's Location.
CLEAR_ANSWERS = [
    # A date whose next day does not exist: a form error in the console (both databases).
    _case("console until 9999-12-31", "platform_admin", "GET", reverse("console:events") + "?until=9999-12-31", 200, "Choose a date before"),
    _case("export until 9999-12-31", "platform_admin", "GET", reverse("console:export") + "?until=9999-12-31", 302, "/audit/?until=9999-12-31"),
    # NUL, which PostgreSQL refuses in a query: no such organisation, print or filter; searched without it.
    _case("console organisation NUL", "platform_admin", "GET", reverse("console:events") + "?organisation=colombia%00", 404),
    _case("print trace code NUL", "member_a", "GET", "/print/marks/KM-TEST-C%00DE.css", 404),
    _case("search NUL", "member_a", "GET", reverse("messages:search") + "?q=migration%00", 200, "migration"),
    _case("briefing message NUL", "member_a", "GET", reverse("messages:briefing_new") + "?message=GEN-01%00", 200),
    _case("admin list filter NUL", "platform_admin", "GET", "/admin/audit/auditevent/?action__exact=viewed%00", 400),
    # An id beyond the database's integers (SQLite: OverflowError): no such member.
    _case("member id of 23 digits", "admin_a", "GET", "/society/colombia/members/" + "9" * 23 + "/", 404),
    # `next` is a path on this site or nothing, never a view name for redirect().
    _case("language next", "anonymous", "POST", reverse("national_societies:language"), 302, "/", body="language=fr&next=9999-12-31"),
    _case("rules next", "member_a", "POST", reverse("messages:acknowledge_rules", args=["migration-americas"]), 302, reverse("messages:document", args=["migration-americas"]), body="confirm=on&next=-1"),
    # allauth searched sessions by a username our users do not have.
    _case("admin session search", "platform_admin", "GET", "/admin/usersessions/usersession/?q=member", 200),
]


@pytest.mark.parametrize(("role", "method", "url", "body", "status", "shows"), CLEAR_ANSWERS)
def test_what_answered_500_gets_a_clear_answer(hostile_site, db, role, method, url, body, status, shows):
    """Not only below 500: the answer each of them gets (a form error, 404, 400, a safe redirect)."""
    browsers, _plans, _sample = hostile_site
    response = _request(browsers[role], method, url, body)
    assert response.status_code == status
    if shows and status == 302:
        assert response["Location"] == shows
    elif shows:
        assert shows in response.content.decode()
