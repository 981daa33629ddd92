"""axe on every page of the route matrix (tests/config/test_route_matrix.py), in the four languages.

Each HTML page a visitor can reach by GET is opened as the first persona the matrix lets through
(a member first, then the roles with more pages), in the interface language under test, and checked
with axe-core (WCAG 2.1 A and AA, the rules of test_accessibility.py, none switched off). The pages
come from walking the URLconf, so a new page is checked without being listed here.

`make test` checks every page once, the four languages taking turns over the pages (each language a
quarter of them), in one test (about 30 s); `make axe` (KM_AXE_EVERY_LANGUAGE=1) checks every page in
every language, one test per language (about two minutes): run it before a release and after changing
a template. CI leaves the sweep out (marker `axe_sweep`): its five minutes do not hold it on two cores;
the main pages' axe checks (test_accessibility.py and the other browser tests) stay in CI.
"""

import os
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from django.conf import settings
from django.urls import reverse

from tests.browser.conftest import signed_in
from tests.browser.test_accessibility import _describe, assert_none, axe_violations
from tests.config.test_route_matrix import OK, PUBLIC, REACHABLE, URL_ROUTES, _rule, build_world

pytestmark = [pytest.mark.browser, pytest.mark.axe_sweep]

LANGUAGES = [code for code, _name in settings.LANGUAGES]
EVERY_LANGUAGE = os.environ.get("KM_AXE_EVERY_LANGUAGE") == "1"
# Who opens each page: the first of these the route matrix lets through.
VISITORS = ("member_a", "admin_a", "ifrc_focal", "platform_admin", "doc_editor", "doc_reviewer", "privileged_no_mfa")
# Reachable without signing in but not a page (probes, metrics, robots.txt) or only a redirect.
NOT_PAGES = {"healthz", "readyz", "metrics", "robots_txt", "account_logout", "admin:login", "national_societies:language"}
FILES = re.compile(r"export|pdf|download|print_marks")  # CSV, YAML, PDF, text and CSS answers: no page


def _pages():
    """(name, keys, visitor) of every GET route with an HTML page for someone, in a stable order."""
    pages = []
    for name, keys, _view in sorted(URL_ROUTES, key=lambda route: route[0]):
        rule = _rule(name)
        if rule is None or rule[0] != "GET" or name.startswith("admin:") or name in NOT_PAGES or FILES.search(name):
            continue
        if name in PUBLIC:
            pages.append((name, keys, "anonymous"))
            continue
        visitor = next((role for role in VISITORS if rule[1].get(role) in (OK, REACHABLE)), None)
        if visitor is not None:
            pages.append((name, keys, visitor))
    return pages


PAGES = _pages()


@pytest.mark.parametrize("language", LANGUAGES if EVERY_LANGUAGE else ["each"])
def test_every_page_of_the_route_matrix_passes_axe(request, new_page, live_server, language):
    names = {name for name, _keys, _visitor in PAGES}
    assert {"messages:home", "messages:document", "messages:detail", "messages:search", "console:events",
            "editorial:draft", "mfa_authenticate", "account_login", "national_societies:members"} <= names
    users, sample = build_world()
    browsers = {}
    failures, checked = [], 0
    for index, (name, keys, visitor) in enumerate(PAGES):
        page_language = LANGUAGES[index % len(LANGUAGES)] if language == "each" else language
        if visitor not in browsers:
            page = new_page()
            browsers[visitor] = page if visitor == "anonymous" else signed_in(page, users[visitor], live_server)
        page = browsers[visitor]
        # The language cookie wins over the account's and the browser's language (LocaleMiddleware).
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": page_language, "url": live_server.url}])
        url = reverse(name, kwargs={key: sample[key] for key in keys})
        try:
            response = page.goto(url)
        except PlaywrightError:  # an answer without a body (405 to a GET of a POST-only form)
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue  # a file, a redirect's end elsewhere ("nothing to show"), or no page for this sample
        assert page.locator("html").get_attribute("lang") == page_language, f"{url}: not in {page_language}"
        checked += 1
        violations = axe_violations(page)
        if violations:
            failures.append(_describe(f"{name} ({url}) as {visitor} in {page_language}", violations))
    assert checked >= len(PAGES) * 0.8, f"only {checked} of {len(PAGES)} pages answered with a page"
    assert_none(request, failures)
