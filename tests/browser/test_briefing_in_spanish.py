"""The flagship flow: "A member can go from login to a printed, watermarked briefing of five messages
with their society's notes in under a minute of clicks, in Spanish; the print and each view appear in
the access log."

Selectors avoid English labels (the interface is in Spanish by then): ids, hrefs, roles and form
structure. The Spanish strings themselves may not all be translated yet; the one translated word
checked ("Sign out") is checked only when the Spanish catalogue has it.
"""

import re
import time

import pytest
from django.db.models import Q
from django.utils import translation

from audit.models import Action, AuditEvent
from messages_app.catalogue.models import Message
from messages_app.notes.services import note_save
from national_societies.models import Membership, NationalSociety
from tests.browser.conftest import TRACE_CODE, click_and_wait, confirm_rules, log_in, make_user
from tests.messages_app.translations.files import SPANISH, load_translation

pytestmark = pytest.mark.browser

SECTION = "detention-deportation"
CHOSEN = ("DET-01", "DET-02", "DET-03", "DET-04", "DET-05")
NOTED = "DET-03"
NOTE_TEXT = "Nota de la Cruz Roja Colombiana: en Cúcuta, derivar a la línea 155. CanaryFlagship7"


@pytest.fixture
def editor(browser_db):
    """A member of the Colombian Red Cross whom the society admin made an editor, with a note on DET-03;
    an official Spanish translation of DET-04 is loaded (the other four have none)."""
    load_translation(texts=SPANISH)
    user = make_user("colombia", Membership.Role.MEMBER, email="editor@colombia.example.org", editor=True, first_name="Camila", last_name="Rojas")
    note_save(acting_user=user, message=Message.objects.get(identifier=NOTED), text=NOTE_TEXT, visibility="society", expected_revision=None)
    return user


def _add_to_briefing(page, target):
    form = page.locator("form.add-to-briefing")
    form.locator("#briefing-target").select_option(target)
    form.locator("button[type=submit]").click()


def _lang(page):
    return page.locator("html").get_attribute("lang")


def test_a_member_prints_a_watermarked_briefing_of_five_messages_with_notes_in_spanish_in_under_a_minute(page, editor):
    colombia = NationalSociety.objects.get(slug="colombia")
    started = time.monotonic()

    # Log in (a member: no second factor), confirm the rules.
    log_in(page, editor.email)
    confirm_rules(page)
    assert page.locator("#header-q").is_visible()

    # Switch to Spanish in the footer; the same page comes back in Spanish.
    page.select_option("#language-select", "es")
    click_and_wait(page, page.locator(".language-switcher button[type=submit]"))
    assert _lang(page) == "es"

    # Open a section from the library's table of contents.
    page.locator(f'main a[href="/documents/migration-americas/sections/{SECTION}/"]').first.click()
    page.wait_for_url(re.compile(rf"/documents/migration-americas/sections/{SECTION}/$"))
    assert _lang(page) == "es"

    # Its first message into a new briefing.
    page.locator(f'main a.message-id[href="/documents/migration-americas/messages/{CHOSEN[0]}/"]').click()
    page.wait_for_url(re.compile(rf"/documents/migration-americas/messages/{CHOSEN[0]}/$"))
    _add_to_briefing(page, "new")
    page.wait_for_url(re.compile(r"/briefings/new/"))
    page.fill("#id_title", "Reunión con la Defensoría, Cúcuta")
    assert page.locator("#id_include_notes").is_checked()
    page.locator("main form.stacked-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/briefings/\d+/$"))
    briefing_id = re.search(r"/briefings/(\d+)/$", page.url).group(1)

    # Four more: from the briefing back to the last message added, on to the next one, add it.
    for previous, identifier in zip(CHOSEN, CHOSEN[1:]):
        page.locator(f'ol.briefing-items > li:last-child a.message-id[href="/documents/migration-americas/messages/{previous}/"]').click()
        page.wait_for_url(re.compile(rf"/documents/migration-americas/messages/{previous}/$"))
        page.locator(".pager a[rel=next]").click()
        page.wait_for_url(re.compile(rf"/documents/migration-americas/messages/{identifier}/$"))
        if identifier == NOTED:  # the society's note, beside the canonical text
            assert "CanaryFlagship7" in page.locator(".notes-panel .context-note.own").inner_text()
        _add_to_briefing(page, briefing_id)
        page.wait_for_url(re.compile(rf"/briefings/{briefing_id}/$"))
    assert page.locator("ol.briefing-items > li a.message-id").all_inner_texts() == list(CHOSEN)

    # Print (A4).
    page.locator(".page-head a.button.primary[href$='/print/']").click()
    page.wait_for_url(re.compile(r"/briefings/\d+/print/$"))
    elapsed = time.monotonic() - started

    # The printed briefing: Spanish, five messages, the note, the watermark with its trace code.
    assert _lang(page) == "es"
    assert page.locator("tr.print-message").count() == 5
    assert "CanaryFlagship7" in page.locator(".print-note").inner_text()
    bottom_mark = page.locator(".print-mark-bottom").inner_text()
    trace_code = TRACE_CODE.search(bottom_mark).group(0)
    assert editor.email in bottom_mark
    watermark = page.locator(".print-mark-top").text_content() + " " + bottom_mark
    assert colombia.name in watermark or colombia.local_name in watermark
    assert trace_code in page.title()
    # DET-04 in its official translation with the original below it; the others in the original, with a note.
    translated = page.locator("tr.print-message").nth(3)
    assert translated.locator('blockquote[lang="es"]').inner_text() == SPANISH["DET-04"]
    assert translated.locator('blockquote[lang="en"]').inner_text() == Message.objects.get(identifier="DET-04").current_version.text
    assert page.locator("tr.print-message .translation-missing").count() == 4

    # The access log: the print with that code, and each view, for this user.
    events = AuditEvent.objects.filter(actor_user_id=editor.pk)
    printed = events.get(action=Action.PRINTED, trace_code=trace_code)
    assert printed.target_type == "briefing"
    assert printed.details["messages"] == list(CHOSEN)
    assert printed.details["translation_shown"] == "es"
    assert events.filter(action=Action.VIEWED_SECTION, target_id=SECTION).exists()
    # Every message text shown is recorded: those of the section page, the briefing and its print.
    viewed = set(events.filter(action=Action.VIEWED_MESSAGE).values_list("message_identifier", flat=True))
    on_section_page = set(
        Message.objects.filter(retired_in__isnull=True)
        .filter(Q(section__key=SECTION) | Q(section__parent__key=SECTION))
        .values_list("identifier", flat=True)
    )
    assert viewed == set(CHOSEN) | on_section_page
    printed_texts = events.filter(action=Action.VIEWED_MESSAGE, request_id=printed.request_id)
    assert sorted(printed_texts.values_list("message_identifier", flat=True)) == sorted(CHOSEN)
    assert {row.details["page"] for row in printed_texts} == {"print"}
    assert events.filter(action=Action.LOGGED_IN).exists()

    # One translated word, once the Spanish catalogue has it: the nav's "Sign out" button.
    with translation.override("es"):
        sign_out_es = translation.gettext("Sign out")
    if sign_out_es != "Sign out":
        page.go_back()
        assert page.locator(".nav-account form button[type=submit]").inner_text().strip() == sign_out_es

    assert elapsed < 60, f"From login to the printed briefing took {elapsed:.1f} s"
