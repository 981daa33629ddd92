"""WCAG 2.1 AA on the main pages, checked with axe-core in a real browser.

axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0, LICENSE beside it) so that the tests
need no network. The app's Content-Security-Policy forbids inline scripts, so the script is not added
as a <script> tag: it is evaluated through the DevTools protocol (`page.evaluate`), which the page's
CSP does not govern, and the page itself is left as served.

No rule is switched off. A violation fails the test with the rule, the elements and axe's advice (and
the full list is written to test-artifacts/axe/<test>.txt).

One thing is left out of the checked context, not out of the rules: the reader's watermark drawn over
every page (`.screen-watermark`, `.print-diagonal`). It is aria-hidden decoration, deliberately almost
transparent, and WCAG 2.1 SC 1.4.3 exempts such text ("pure decoration ... no contrast requirement");
axe cannot know that and reports its contrast. Nothing else in those pages is excluded.
"""

from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from messages_app.briefings.services import briefing_create
from messages_app.catalogue.models import Message
from messages_app.notes.services import note_save
from national_societies.models import Membership
from tests.browser.conftest import log_in, make_user, signed_in
from tests.messages_app.translations.files import SPANISH, load_translation, spanish_headings

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DECORATIVE_WATERMARKS = [".screen-watermark[aria-hidden=true]", ".print-diagonal[aria-hidden=true]"]
PHONE = {"width": 390, "height": 844}
NARROWEST = {"width": 320, "height": 720}  # WCAG 2.1 SC 1.4.10: 320 CSS pixels wide


@lru_cache(maxsize=1)
def _axe_source():
    return AXE.read_text(encoding="utf-8")


def axe_violations(page):
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """async ([tags, decorative]) => {
            const context = {include: [document], exclude: decorative.filter(s => document.querySelector(s))};
            const results = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160), summary: n.failureSummary})),
                count: v.nodes.length,
            }));
        }""",
        [WCAG_21_AA, DECORATIVE_WATERMARKS],
    )


def _describe(where, violations):
    lines = [f"{where}: {len(violations)} WCAG 2.1 A/AA violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['count']} element(s)) {v['url']}")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}  {node['html']}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


def check_pages(page, paths, *, navigate=True):
    """Open each path and run axe; the violations found, described (empty if none)."""
    failures = []
    for path in paths:
        if navigate:
            response = page.goto(path)
            assert response.ok, f"{path}: HTTP {response.status}"
        assert page.url.endswith(path), f"{path}: landed on {page.url}"
        violations = axe_violations(page)
        if violations:
            failures.append(_describe(f"{path} at {page.viewport_size['width']} px", violations))
    return failures


def assert_none(request, failures):
    """Fail once, with every page's violations, also written to test-artifacts/axe/<test>.txt."""
    if failures:
        folder = request.config.rootpath / "test-artifacts" / "axe"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{request.node.name}.txt").write_text("\n\n".join(failures), encoding="utf-8")
    assert not failures, "\n\n".join(failures)


def too_wide(page, paths, viewport):
    """SC 1.4.10 Reflow, which axe does not measure: the pages that scroll sideways at this width."""
    page.set_viewport_size(viewport)
    widths = {}
    for path in paths:
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > viewport["width"]:
            widths[path] = width
    return [f"Wider than {viewport['width']} px (SC 1.4.10 Reflow): {widths}"] if widths else []


@pytest.fixture
def noted_message(member):
    """DET-04 with notes beside it: the member's society's own note and another society's, shared."""
    message = Message.objects.get(identifier="DET-04")
    colombian_editor = make_user("colombia", email="editor@colombia.example.org", editor=True)
    note_save(acting_user=colombian_editor, message=message, text="In Colombia, call **155**.\n\n- Cúcuta\n- Bogotá", visibility="society", expected_revision=None)
    mexican_admin = make_user("mexico", Membership.Role.SOCIETY_ADMIN, email="admin@mexico.example.org")
    note_save(acting_user=mexican_admin, message=message, text="In Mexico, see the *COMAR* office.", visibility="region", expected_revision=None)
    return message


@pytest.fixture
def briefing(member, noted_message):
    messages = list(Message.objects.filter(identifier__in=["DET-01", "DET-04", "STA-02"]).order_by("identifier"))
    return briefing_create(acting_user=member, messages=messages, title="Radio interview", occasion="media_interview", occasion_date=date(2026, 3, 12), include_notes=True)


def test_the_login_page_and_the_second_factor(request, page, society_admin):
    failures = check_pages(page, ["/accounts/login/"])
    log_in(page, society_admin.email)
    failures += check_pages(page, ["/accounts/2fa/authenticate/"], navigate=False)
    assert_none(request, failures)


def test_a_members_pages_on_a_desktop_and_on_a_phone(request, new_page, member, noted_message, briefing, live_server):
    page = signed_in(new_page(), member, live_server)
    failures = check_pages(
        page,
        [
            "/",
            "/documents/migration-americas/sections/detention-deportation/",
            "/documents/migration-americas/messages/DET-04/",
            "/search/?q=detention",
            f"/briefings/{briefing.pk}/",
            f"/briefings/{briefing.pk}/print/",
        ],
    )
    assert page.locator(".print-note").count() == 1  # the print included the member's society's note
    phone = signed_in(new_page(viewport=PHONE), member, live_server)
    failures += check_pages(phone, ["/", "/documents/migration-americas/messages/DET-04/"])
    failures += too_wide(phone, ["/", "/documents/migration-americas/messages/DET-04/", "/search/?q=detention", f"/briefings/{briefing.pk}/"], NARROWEST)
    assert_none(request, failures)


def test_a_society_admins_members_page_and_a_focal_points_access_log(request, new_page, society_admin, focal_point, member, live_server):
    admin_page = signed_in(new_page(), society_admin, live_server)
    failures = check_pages(admin_page, ["/society/colombia/members/"])
    assert admin_page.locator("main table tbody tr").count() >= 2  # the admin and the member
    # The console lists the member's and the admin's reads.
    focal_page = signed_in(new_page(), focal_point, live_server)
    failures += check_pages(focal_page, ["/audit/"])
    assert focal_page.locator("table.events-table tbody tr").count() >= 2
    assert_none(request, failures)


def test_a_focal_points_regional_overview_and_an_alerts_triage_on_a_desktop_and_on_a_phone(request, new_page, focal_point, member, live_server):
    from django.utils import timezone

    from audit.models import AuditFlag
    from national_societies.models import NationalSociety

    colombia = NationalSociety.objects.get(slug="colombia")
    flag = AuditFlag.objects.create(
        rule="many_messages", subject=member.email, actor_user_id=member.pk, actor_organisation_id=colombia.pk,
        actor_organisation=colombia.name, window_start=timezone.now(), window_end=timezone.now(), summary="40 different messages in 10 minutes",
    )
    paths = ["/audit/organisations/?sort=-reads", f"/audit/flags/{flag.pk}/", "/audit/flags/?status=all"]
    page = signed_in(new_page(), focal_point, live_server)
    failures = check_pages(page, paths)
    # Sorting is a link per column header, the sorted one marked for assistive technology.
    page.goto(paths[0])
    assert page.locator("th[aria-sort=descending] a").count() == 1
    page.locator("thead th a").nth(5).click()  # open alerts, ascending
    assert page.url.endswith("?sort=alerts")
    # Triage by the buttons of the flag's page: acknowledge, then close with a comment.
    page.goto(paths[1])
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_label("Comment").fill("Training session.")
    page.locator("button[value=close]").click()
    assert page.locator(".flag-history li").count() == 2
    failures += check_pages(page, [paths[1]], navigate=False)
    phone = signed_in(new_page(viewport=PHONE), focal_point, live_server)
    failures += check_pages(phone, paths)
    failures += too_wide(phone, paths, PHONE)
    assert_none(request, failures)


def test_the_checker_finds_a_planted_fault(page, member, live_server):
    """The harness itself: axe runs, sees through the watermark, and reports what it should."""
    signed_in(page, member, live_server).goto("/documents/migration-americas/messages/DET-04/")
    assert axe_violations(page) == []
    page.evaluate(
        """() => {
            const faint = document.createElement("p");
            faint.textContent = "Planted: too faint to read";
            faint.style.color = "#c8c8c8";
            const image = document.createElement("img");
            image.src = "/static/img/favicon.svg";
            document.querySelector("main").append(faint, image);
        }"""
    )
    found = {v["id"]: v for v in axe_violations(page)}
    assert set(found) == {"color-contrast", "image-alt"}
    assert "Planted" in found["color-contrast"]["nodes"][0]["html"]


def test_a_member_reading_the_official_spanish_translation_on_a_desktop_and_on_a_phone(request, new_page, member, live_server):
    load_translation(texts=SPANISH, edit=spanish_headings)
    member.language = "es"
    member.save(update_fields=["language"])
    page = signed_in(new_page(), member, live_server)
    pages = ["/", "/documents/migration-americas/sections/detention-deportation/", "/documents/migration-americas/messages/DET-04/", "/search/?q=detenidos", "/documents/migration-americas/how-to-use/", "/documents/migration-americas/help/"]
    failures = check_pages(page, pages)
    # On a list the original of a translated text is one keypress away, and is announced as English.
    page.goto("/documents/migration-americas/sections/detention-deportation/")
    original = page.locator("#original-DET-04")
    assert not original.is_visible()
    page.locator("#DET-04 details.original-text summary").focus()
    page.keyboard.press("Enter")
    assert original.is_visible() and original.locator("xpath=..").get_attribute("lang") == "en"
    assert page.locator("#text-DET-04").inner_text() == SPANISH["DET-04"]
    phone = signed_in(new_page(viewport=PHONE), member, live_server)
    failures += check_pages(phone, ["/documents/migration-americas/messages/DET-04/", "/documents/migration-americas/sections/detention-deportation/"])
    failures += too_wide(phone, pages, NARROWEST)
    assert_none(request, failures)
