"""Preparing an interview in a real browser, as a society admin: the briefing menu remembers the
briefing last used, talking points are kept and printed as the author's own, the note's history
shows the one list item that changed, and "What changed" stays until it is marked as seen."""

import re

import pytest

from messages_app.briefings.services import briefing_create
from messages_app.catalogue.models import Message
from messages_app.catalogue.services import key_messages_load
from messages_app.notes.services import note_save
from tests.browser.conftest import click_and_wait, signed_in
from tests.conftest import shipped_content
from tests.messages_app.content import with_message_text

pytestmark = pytest.mark.browser

DOC = "/documents/migration-americas"
NEW_TEXT = "Detention of migrants must be an exceptional measure of last resort, reviewed by a judge."


def test_a_society_admin_prepares_an_interview(new_page, live_server, society_admin):
    radio = briefing_create(acting_user=society_admin, title="Radio interview", occasion="media_interview", messages=[])
    briefing_create(acting_user=society_admin, title="Minister meeting", occasion="meeting", messages=[])
    page = signed_in(new_page(), society_admin, live_server)

    # The menu: DET-01 added to the radio interview; on the next message, that briefing comes first.
    page.goto(f"{DOC}/messages/DET-01/")
    page.select_option("#briefing-target", str(radio.pk))
    click_and_wait(page, page.locator("form.add-to-briefing button[type=submit]"))
    page.goto(f"{DOC}/messages/DET-02/")
    assert page.locator("#briefing-target option:checked").inner_text() == "Radio interview"

    # Talking points: saved, kept, printed under the message as the author's own.
    page.goto(f"/briefings/{radio.pk}/")
    page.locator("details.talking-points summary").first.click()
    page.get_by_label("My talking points for DET-01").fill("Say it once: detention is a last resort.")
    click_and_wait(page, page.get_by_role("button", name="Save my talking points"))
    assert page.get_by_label("My talking points for DET-01").input_value() == "Say it once: detention is a last resort."
    page.goto(f"/briefings/{radio.pk}/print/")
    assert "Say it once: detention is a last resort." in page.locator(".print-talking-points").inner_text()

    # The note's history: one list item changed, only that one marked.
    message = Message.objects.get(identifier="DET-01")
    note = note_save(acting_user=society_admin, message=message, text="Offices:\n\n- Cúcuta: border office\n- Bogotá: national office, Monday to Friday", visibility="society", expected_revision=None)
    note_save(acting_user=society_admin, message=message, text="Offices:\n\n- Cúcuta: border office\n- Bogotá: national office, Monday to Saturday", visibility="society", expected_revision=1)
    page.goto(f"/notes/{note.pk}/history/")
    latest = page.locator(".note-diff").first
    assert latest.locator("li.diff-changed").count() == 1
    assert latest.locator("li.diff-changed ins").inner_text() == "Saturday"
    assert latest.locator("li.diff-changed del").inner_text() == "Friday"
    assert latest.locator("li.diff-same", has_text="Cúcuta").count() == 1

    # What changed: a new edition rewords DET-01; the list stays until marked as seen.
    key_messages_load(content=with_message_text(shipped_content(), "DET-01", NEW_TEXT, edition="2"))
    page.goto(f"{DOC}/how-to-use/?next={DOC}/changes/")
    if page.locator("#id_confirm").count():
        page.check("#id_confirm")
        click_and_wait(page, page.locator("main form button[type=submit]"))
    page.goto(f"{DOC}/changes/")
    assert "judge." in " ".join(page.locator("article", has_text="DET-01").locator(".diff ins").all_inner_texts())
    page.reload()
    assert page.locator("a.message-id", has_text="DET-01").count() == 1
    click_and_wait(page, page.get_by_role("button", name="Mark these changes as seen"))
    assert re.search(r"/changes/$", page.url) and "Nothing new" in page.locator("main").inner_text()
