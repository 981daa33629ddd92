"""The main flows in a real browser: signing in with a second factor, searching, writing a note,
printing a section, signing out. (The whole path to a printed briefing, in Spanish, is in
test_briefing_in_spanish.py.)"""

import re

import pytest

from audit.models import Action, AuditEvent
from messages_app.notes.models import ContextNote
from tests.browser.conftest import TRACE_CODE, click_and_wait, confirm_rules, enter_totp, log_in, signed_in
from tests.totp import totp_code

pytestmark = pytest.mark.browser


def test_a_society_admin_signs_in_with_an_authenticator_code(page, society_admin):
    log_in(page, society_admin.email)
    # A privileged account: the password alone opens nothing.
    assert "/accounts/2fa/authenticate/" in page.url
    enter_totp(page)
    confirm_rules(page)
    assert page.url.endswith("/")
    assert page.locator(".nav-account .user-email").inner_text() == society_admin.email
    assert page.locator("main h1").count() == 1
    actions = set(AuditEvent.objects.filter(actor_user_id=society_admin.pk).values_list("action", flat=True))
    assert {Action.LOGGED_IN, Action.MFA_USED, Action.RULES_ACKNOWLEDGED, Action.VIEWED_DOCUMENT} <= actions


def test_a_wrong_authenticator_code_keeps_the_door_shut(page, society_admin):
    log_in(page, society_admin.email)
    enter_totp(page, code="000000" if totp_code() != "000000" else "111111")
    assert "/accounts/2fa/authenticate/" in page.url
    page.goto("/documents/migration-americas/sections/detention-deportation/")
    assert "/documents/migration-americas/sections/" not in page.url  # back to the login stage, whichever step of it
    assert page.locator("#header-q").count() == 0
    assert not AuditEvent.objects.filter(actor_user_id=society_admin.pk, action=Action.VIEWED_SECTION).exists()
    assert AuditEvent.objects.filter(actor_user_id=society_admin.pk, action=Action.MFA_FAILED).exists()


def test_searching_from_the_header_finds_and_highlights_messages(page, member, live_server):
    signed_in(page, member, live_server)
    page.goto("/")
    page.fill("#header-q", "detention")
    page.press("#header-q", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q=detention"))
    cards = page.locator("main article.message-card")
    assert cards.count() >= 3
    assert page.locator("main article.message-card mark").count() >= 1
    assert page.locator("main a.message-id", has_text="DET-01").count() == 1
    # The results can go into a briefing too.
    assert page.locator("form.add-to-briefing #briefing-target").is_visible()
    assert AuditEvent.objects.filter(actor_user_id=member.pk, action=Action.SEARCHED, query="detention").exists()


def test_a_society_admin_adds_a_note_shown_beside_the_canonical_text(page, society_admin, live_server):
    signed_in(page, society_admin, live_server)
    page.goto("/documents/migration-americas/messages/DET-04/")
    page.locator(".notes-panel a.button[href='/documents/migration-americas/messages/DET-04/note/']").click()
    page.wait_for_url(re.compile(r"/documents/migration-americas/messages/DET-04/note/$"))
    page.fill("textarea[name=text]", "In Colombia, refer detained migrants to the **155** line. CanaryBrowserNote3")
    page.check("input[name=visibility][value=society]")
    page.locator("main form.stacked-form button.primary[type=submit]").click()
    page.wait_for_url(re.compile(r"/documents/migration-americas/messages/DET-04/$"))

    note = page.locator(".notes-panel .context-note.own")
    assert "CanaryBrowserNote3" in note.inner_text()
    assert note.locator("strong", has_text="155").count() == 1  # the note's markup is rendered
    assert ContextNote.objects.get(message__identifier="DET-04").text.endswith("CanaryBrowserNote3")
    # Beside, not instead of: the canonical text is unchanged, to the left of the note on a wide screen.
    canonical = page.locator(".message-main .canonical-text").bounding_box()
    beside = page.locator(".notes-panel").bounding_box()
    assert beside["x"] >= canonical["x"] + canonical["width"]
    assert abs(beside["y"] - canonical["y"]) < canonical["height"] + 100
    assert "Edit our note" in page.locator(".notes-panel a.button").inner_text()
    assert AuditEvent.objects.filter(actor_user_id=society_admin.pk, action=Action.NOTE_CREATED).exists()


def test_the_print_preview_of_a_section_carries_the_watermark(page, member, live_server):
    signed_in(page, member, live_server)
    page.goto("/documents/migration-americas/sections/detention-deportation/")
    page.locator(".page-tools a[href='/documents/migration-americas/sections/detention-deportation/print/']").click()
    page.wait_for_url(re.compile(r"/documents/migration-americas/sections/detention-deportation/print/$"))
    assert page.locator("tr.print-message").count() == 7
    bottom = page.locator(".print-mark-bottom").inner_text()
    trace_code = TRACE_CODE.search(bottom).group(0)
    assert member.email in bottom and "Colombian Red Cross" in page.locator(".print-mark-top").text_content()
    # The diagonal mark and the @page margin marks (a stylesheet made for this print) are loaded.
    assert trace_code in page.locator(".print-diagonal").inner_text()
    marks = page.locator(f"link[rel=stylesheet][href*='{trace_code}']")
    assert marks.count() == 1
    assert page.evaluate("() => [...document.styleSheets].some(s => (s.href || '').includes('/print/marks/'))")
    # The print media styles apply: the on-screen toolbar is hidden on paper.
    page.emulate_media(media="print")
    assert not page.locator(".print-toolbar").is_visible()
    page.emulate_media(media="screen")
    event = AuditEvent.objects.get(action=Action.PRINTED, trace_code=trace_code)
    assert (event.actor_user_id, event.target_type, event.target_id) == (member.pk, "section", "detention-deportation")


def test_signing_out_closes_the_library(page, member, live_server):
    signed_in(page, member, live_server)
    page.goto("/documents/migration-americas/sections/detention-deportation/")
    click_and_wait(page, page.locator(".nav-account form button[type=submit]"))
    assert page.locator("#header-q").count() == 0
    page.goto("/documents/migration-americas/sections/detention-deportation/")
    assert re.search(r"/accounts/login/\?next=/documents/migration-americas/sections/detention-deportation/", page.url)
    assert page.locator("input[name=login]").is_visible()
    assert AuditEvent.objects.filter(actor_user_id=member.pk, action=Action.LOGGED_OUT).exists()
