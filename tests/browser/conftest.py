"""Real-browser tests: Playwright (sync API) driving Debian's Chromium, headless, against pytest-django's
`live_server`.

- The browser is the system package (`make browser-deps` installs `chromium` with apt); Playwright never
  downloads one. `CHROMIUM` overrides the path.
- Each test gets a fresh browser context (no shared cookies) and a page; when a test fails, a full-page
  screenshot of each of its pages is saved to test-artifacts/screenshots/<test>.png (git-ignored).
- The live server needs committed data, so these tests are transactional: see `browser_db`; the people
  are the personas of tests/conftest.py.
"""

import os
import re
import time
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from tests.accounts import acknowledge_rules
from tests.accounts import person as make_user  # noqa: F401  (used by the browser test modules)
from tests.factories import TEST_PASSWORD
from tests.totp import totp_code

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
TRACE_CODE = re.compile(r"KM-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")


# --- The browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run.

    Playwright's sync API runs an asyncio event loop in this thread, and Django refuses synchronous
    database calls when it sees one ("You cannot call this from an async context"). The test code
    here is plain synchronous code between browser calls, so the check is switched off for as long
    as Playwright runs, and only then.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `make browser-deps` (apt-get install chromium).", pytrace=False)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()
    finally:
        # Database work done while Playwright's event loop was current used connections of their own:
        # closed here, or they would still be open when the test database is dropped.
        connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, for the screenshot in `page`'s teardown."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _artefact_name(nodeid: str) -> str:
    # tests/browser/test_flows.py::test_search[x] -> test_flows.test_search-x
    name = nodeid.split("/")[-1].replace(".py::", ".").replace("::", ".")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture
def new_page(browser, live_server, request):
    """Opens pages in fresh contexts (own cookies), against the live server; screenshots them on failure."""
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(base_url=live_server.url, viewport=viewport or VIEWPORT, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    if failed and getattr(request.node, "report_setup", None) and request.node.report_setup.passed:
        folder = request.config.rootpath / "test-artifacts" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        pages = [p for context in contexts for p in context.pages]
        for index, failed_page in enumerate(pages):
            suffix = "" if index == 0 else f"-{index + 1}"
            try:
                failed_page.screenshot(path=str(folder / f"{_artefact_name(request.node.nodeid)}{suffix}.png"), full_page=True)
            except Exception as error:  # noqa: BLE001  (a screenshot must not hide the test's own failure)
                print(f"Could not save a screenshot: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280 x 900)."""
    return new_page()


# --- Data ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def browser_db(audit_log_flushable, live_server, library):
    """Every browser test commits (the live server reads the database from its own thread).

    Committed data the live server can read: the organisations and the library, which the harness
    loads once and puts back after the flush that ends each transactional test (tests/conftest.py);
    `audit_log_flushable` lets that flush empty the append-only access-log tables the test filled.
    The people are the personas of tests/conftest.py (`member` is `member_a`, `society_admin` is
    `admin_a`, `focal_point` is `ifrc_focal`).
    """
    return library


# --- Signing in ----------------------------------------------------------------------------------


def signed_in(page, user, live_server):
    """Skip the login form: a session made on the server, its cookie given to the browser, rules
    confirmed. For tests about something else than signing in."""
    client = Client()
    client.force_login(user)
    acknowledge_rules(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page


def fresh_totp_code():
    """The current code, never in the last 3 seconds of its 30-second window (it could expire in transit)."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return totp_code()


def click_and_wait(page, locator):
    """Click something that loads a new page (a form's submit button) and wait until it has loaded."""
    with page.expect_navigation():
        locator.click()


def log_in(page, email, password=TEST_PASSWORD):
    """Fill and send the login form (the page lands wherever the app sends the user next)."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    click_and_wait(page, page.locator("main form button[type=submit]"))


def enter_totp(page, code=None):
    """On the second-factor step: type the authenticator code (the current one unless given), send it."""
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", code or fresh_totp_code())
    click_and_wait(page, page.locator("main form button[type=submit]:not([form])"))


def confirm_rules(page):
    """From the library (where signing in lands): open the document, whose rules come first; confirm."""
    page.wait_for_url(re.compile(r"/$|/documents/migration-americas/how-to-use/"))
    if "/how-to-use/" not in page.url:
        click_and_wait(page, page.locator("main a[href='/documents/migration-americas/']"))
    page.wait_for_url(re.compile(r"/documents/migration-americas/how-to-use/"))
    page.check("#id_confirm")
    click_and_wait(page, page.locator("main form button[type=submit]"))


@pytest.fixture
def migration_document_loaded(library):
    from messages_app.catalogue.models import Document

    return Document.objects.get(slug="migration-americas")
