"""The editorial journey in a real browser, as the demo editor and reviewer: a new edition changes a
message and a handling rule, goes through review (the editor's own approval refused, a change asked
and made), is published, and reaches a member; axe checks the editor's pages."""

import re

import pytest

from messages_app.catalogue.models import Edition, Message
from messages_app.notes.services import note_save
from tests.accounts import acknowledge_rules, give_document_role
from tests.browser.conftest import click_and_wait, signed_in
from tests.browser.test_accessibility import PHONE, assert_none, check_pages, too_wide, NARROWEST

pytestmark = pytest.mark.browser

NEW_TEXT = "Detention of migrants must only be a measure of last resort, for the shortest time."
FIXED_TEXT = NEW_TEXT + " Children are never detained."
NEW_RULE = "Never share screenshots of this document on social media."


def test_an_edition_from_draft_to_readers(request, new_page, live_server, doc_editor, doc_reviewer, member_a, admin_a, ifrc_focal, migration_document_loaded):
    note_save(acting_user=admin_a, message=Message.objects.get(identifier="DET-04"), text="In Colombia, see the ombudsman.", visibility="society", expected_revision=None)
    give_document_role(doc_editor, migration_document_loaded, "reviewer")  # so that the refusal of their own approval shows
    acknowledge_rules(member_a)  # the member confirmed edition 1's rules on an earlier visit
    editor = signed_in(new_page(), doc_editor, live_server)
    editor.goto("/editorial/")
    failures = check_pages(editor, ["/editorial/"], navigate=False)
    click_and_wait(editor, editor.get_by_role("button", name="Start the next edition"))
    draft_url = editor.url
    assert re.search(r"/editorial/drafts/\d+/$", draft_url)

    # A message and a handling rule, in the browser's forms.
    editor.goto(draft_url.replace("#", "") + "messages/DET-04/")
    failures += check_pages(editor, [editor.url.replace(live_server.url, "")], navigate=False)
    editor.get_by_role("textbox", name="Text").fill(NEW_TEXT)
    click_and_wait(editor, editor.get_by_role("button", name="Save", exact=True))
    assert "DET-04 saved." in editor.content()
    editor.goto(draft_url + "texts/")
    rules = editor.get_by_label("Handling rules")
    rules.fill(rules.input_value() + "\n\n" + NEW_RULE)
    editor.get_by_label("Release note").fill("DET-04 made precise; a rule on screenshots.")
    click_and_wait(editor, editor.get_by_role("button", name="Save", exact=True))
    assert editor.locator(".rules-diff ins", has_text=NEW_RULE).count() == 1
    click_and_wait(editor, editor.get_by_role("button", name="Submit for review"))
    assert "Submitted for review" in editor.content()

    # The editor changed the draft: their approval is refused with the reason.
    assert "another reviewer must approve it" in editor.content()
    editor.get_by_label("approved").check()
    with editor.expect_navigation() as refused:
        editor.get_by_role("button", name="Send my review").click()
    assert refused.value.status == 403
    assert not Edition.objects.filter(label="2").exists()

    # The reviewer asks for a change on DET-04; the editor makes it; the reviewer approves.
    reviewer = signed_in(new_page(), doc_reviewer, live_server)
    reviewer.goto(draft_url)
    failures += check_pages(reviewer, [draft_url.replace(live_server.url, "")], navigate=False)
    reviewer.locator("#m-DET-04 details summary").click()
    reviewer.locator("#m-DET-04 textarea[name=comment]").fill("Say that children are never detained.")
    click_and_wait(reviewer, reviewer.locator("#m-DET-04 button", has_text="Send"))
    assert "Your request for changes is sent to the editors." in reviewer.content()
    editor.goto(draft_url + "messages/DET-04/")
    editor.get_by_role("textbox", name="Text").fill(FIXED_TEXT)
    click_and_wait(editor, editor.get_by_role("button", name="Save", exact=True))
    reviewer.goto(draft_url)
    reviewer.get_by_label("approved").check()
    click_and_wait(reviewer, reviewer.get_by_role("button", name="Send my review"))
    assert "You approved the draft." in reviewer.content()

    # The editor publishes.
    editor.goto(draft_url)
    click_and_wait(editor, editor.get_by_role("link", name="Publish…"))
    failures += check_pages(editor, [editor.url.replace(live_server.url, "")], navigate=False)
    click_and_wait(editor, editor.get_by_role("button", name="Publish", exact=True))
    assert "Edition 2 is published." in editor.content()

    # A member: the changed rule at re-confirmation, the new text, the diff.
    reader = new_page()
    from django.test import Client

    client = Client()
    client.force_login(member_a)
    reader.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    reader.goto("/documents/migration-americas/")
    reader.wait_for_url(re.compile(r"/documents/migration-americas/how-to-use/"))
    assert reader.locator(".rules-diff ins", has_text=NEW_RULE).count() == 1
    reader.check("#id_confirm")
    click_and_wait(reader, reader.get_by_role("button", name="Confirm and continue"))
    reader.goto("/documents/migration-americas/messages/DET-04/")
    assert FIXED_TEXT in reader.locator(".canonical-text").first.inner_text()
    reader.goto("/documents/migration-americas/messages/DET-04/compare/")
    assert "Children are never detained." in " ".join(reader.locator(".diff ins").all_inner_texts())

    # Colombia's note on DET-04 asks for review; the focal point sees who published and who approved.
    admin = signed_in(new_page(), admin_a, live_server)
    admin.goto("/documents/migration-americas/messages/DET-04/")
    assert "Canonical text changed — review" in admin.content()
    focal = signed_in(new_page(), ifrc_focal, live_server)
    focal.goto("/audit/?action=published_edition")
    assert doc_editor.email in focal.locator("main").inner_text()
    focal.goto("/audit/?action=draft_reviewed")
    assert doc_reviewer.email in focal.locator("main").inner_text()
    assert_none(request, failures)


def test_the_editors_pages_pass_axe_on_a_phone(request, new_page, live_server, doc_editor, migration_document_loaded):
    """On a desktop, every editor page is in the axe sweep (test_axe_sweep.py); here, a phone's width."""
    from messages_app.editorial.services import draft_start

    draft = draft_start(acting_user=doc_editor, document=migration_document_loaded)
    base = f"/editorial/drafts/{draft.pk}/"
    phone = signed_in(new_page(viewport=PHONE), doc_editor, live_server)
    failures = check_pages(phone, [base, base + "messages/DET-04/"])
    failures += too_wide(phone, [base, base + "messages/DET-04/", base + "texts/"], NARROWEST)
    assert_none(request, failures)


def test_text_typed_when_the_session_ended_is_offered_back_after_signing_in_again(new_page, live_server, doc_editor, migration_document_loaded):
    from messages_app.editorial.models import DraftMessage
    from messages_app.editorial.services import draft_start

    draft = draft_start(acting_user=doc_editor, document=migration_document_loaded)
    url = f"/editorial/drafts/{draft.pk}/messages/DET-04/"
    editor = signed_in(new_page(), doc_editor, live_server)
    editor.goto(url)
    typed = "A long careful rewording typed while the session quietly expired."
    editor.get_by_role("textbox", name="Text").fill(typed)
    editor.context.clear_cookies(name="sessionid")  # the session ended (idle timeout) while the editor was typing
    click_and_wait(editor, editor.get_by_role("button", name="Save", exact=True))
    assert "/accounts/login/" in editor.url
    assert DraftMessage.objects.get(draft=draft, identifier="DET-04").revision == 1  # nothing saved

    signed_in(editor, doc_editor, live_server)  # signs in again, in the same tab
    editor.goto(url)
    offer = editor.locator("[data-draft-restore]")
    assert offer.is_visible()
    offer.get_by_role("button").click()
    assert editor.get_by_role("textbox", name="Text").input_value() == typed
    click_and_wait(editor, editor.get_by_role("button", name="Save", exact=True))
    assert DraftMessage.objects.get(draft=draft, identifier="DET-04").text == typed

    editor.goto(url)  # saved: nothing is offered any more
    assert not editor.locator("[data-draft-restore]").is_visible()


JOINT_TEXT = "The IFRC and the ICRC coordinate their operational messages before any public statement."


def test_a_document_for_the_ifrc_and_icrc_created_in_the_browser_is_404_to_a_national_societys_member(
    new_page, live_server, doc_editor, doc_reviewer, member_a, migration_document_loaded
):
    from messages_app.catalogue.models import Document
    from messages_app.editorial.models import Draft
    from messages_app.editorial.services import draft_review
    from tests.accounts import give_document_role

    editor = signed_in(new_page(), doc_editor, live_server)
    editor.goto("/editorial/new-document/")
    editor.get_by_label("Title", exact=True).fill("Joint operational messages")
    editor.get_by_label("Address").fill("joint-operational")
    editor.check("input[name=audience_all][value='0']")
    editor.check("input[name=audience][value='ifrc-americas']")
    editor.check("input[name=audience][value='icrc-americas']")
    editor.get_by_label("Title of its first section").fill("Operations")
    editor.get_by_label("Key of its first section").fill("operations")
    editor.get_by_label("Identifier prefix of its first section").fill("OPS")
    click_and_wait(editor, editor.get_by_role("button", name="Start the document"))
    draft_url = editor.url.split("#")[0]
    editor.goto(draft_url + "topics/")
    editor.get_by_label("Topics").fill("coordination: Coordination")
    click_and_wait(editor, editor.get_by_role("button", name="Save", exact=True))
    editor.goto(draft_url + "messages/new/?section=operations")
    editor.get_by_role("textbox", name="Text").fill(JOINT_TEXT)
    editor.check("input[name=topics][value=coordination]")
    click_and_wait(editor, editor.get_by_role("button", name="Add the message"))
    editor.goto(draft_url + "texts/")
    editor.get_by_label("Introduction").fill("Messages the IFRC and the ICRC agreed on.")
    editor.get_by_label("Handling rules").fill("For IFRC and ICRC staff only.")
    editor.get_by_label("Help contacts").fill("Regional communications, IFRC and ICRC.")
    editor.get_by_label("Summary").fill("Joint operational messages.")
    click_and_wait(editor, editor.get_by_role("button", name="Save", exact=True))
    click_and_wait(editor, editor.get_by_role("button", name="Submit for review"))
    assert "Submitted for review" in editor.content(), editor.locator("main").inner_text()[:1500]
    document = Document.objects.get(slug="joint-operational")
    assert (document.audience_all, sorted(document.audience.values_list("slug", flat=True))) == (False, ["icrc-americas", "ifrc-americas"])
    # A platform admin makes the ICRC's reviewer a reviewer of it (their page is tested elsewhere).
    give_document_role(doc_reviewer, document, "reviewer")
    draft_review(acting_user=doc_reviewer, draft=Draft.objects.get(document=document), decision="approved")
    editor.goto(draft_url)
    click_and_wait(editor, editor.get_by_role("link", name="Publish…"))
    click_and_wait(editor, editor.get_by_role("button", name="Publish", exact=True))
    assert "Edition 1 is published." in editor.content()

    # The editor (IFRC) reads it; a Colombian Red Cross member gets 404 on each of its pages.
    acknowledge_rules(doc_editor)
    editor.goto("/documents/joint-operational/messages/OPS-01/")
    assert JOINT_TEXT in editor.locator(".canonical-text").first.inner_text()
    reader = signed_in(new_page(), member_a, live_server)
    for path in ("", "messages/OPS-01/", "sections/operations/", "topics/", "help/", "how-to-use/", "print/", "messages/OPS-01/social/"):
        response = reader.goto(f"/documents/joint-operational/{path}")
        assert response.status == 404, path
        assert JOINT_TEXT not in reader.content(), path
    reader.goto("/")
    assert "Joint operational messages" not in reader.locator("main").inner_text()
    reader.goto("/search/?q=operational+messages+public+statement")
    assert "OPS-01" not in reader.locator("main").inner_text()
