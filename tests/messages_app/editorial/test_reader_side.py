"""What readers see of a published edition: the new text, the release note, the diff between versions,
the changed handling rule at re-confirmation, and their society's notes flagged for review."""

import pytest
from django.test import Client
from django.urls import reverse

from messages_app.catalogue.models import Message
from messages_app.editorial import services
from messages_app.editorial.models import DraftMessage
from messages_app.notes.services import note_save
from tests.accounts import sign_in

NEW_RULE = "Never post a message as an image without its text."


@pytest.fixture
def published(doc_editor, doc_reviewer, migration_document, admin_a):
    note_save(acting_user=admin_a, message=Message.objects.get(identifier="DET-04"), text="In Colombia, detention is rare.", visibility="society", expected_revision=None)
    draft = services.draft_start(acting_user=doc_editor, document=migration_document)
    message = DraftMessage.objects.get(draft=draft, identifier="DET-04")
    services.draft_message_save(acting_user=doc_editor, draft=draft, identifier="DET-04", text=message.text + " Detention must be a last resort.", topics=message.topics, base_revision=message.revision)
    services.draft_frame_save(
        acting_user=doc_editor, draft=draft, base_revision=draft.frame_revision,
        texts=services.FrameTexts(label="2", release_note="Detention clarified; one new rule.", introduction=draft.introduction, handling_rules=[*draft.handling_rules, NEW_RULE], contacts=draft.contacts, summary=draft.summary),
    )
    draft.refresh_from_db()
    services.draft_submit(acting_user=doc_editor, draft=draft)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    return services.draft_publish(acting_user=doc_editor, draft=draft)


def test_a_reader_is_asked_to_confirm_again_and_sees_which_rule_changed(member_a_client, published):
    response = member_a_client.get(reverse("messages:document", args=["migration-americas"]))
    assert response.status_code == 302 and reverse("messages:acknowledge_rules", args=["migration-americas"]) in response["Location"]
    page = member_a_client.get(reverse("messages:acknowledge_rules", args=["migration-americas"])).content.decode()
    assert "What changed since you last confirmed the rules" in page
    assert f"<ins>{NEW_RULE}</ins>" in page


def test_a_reader_who_never_confirmed_sees_no_changes_section(member_b, published):
    page = Client()
    page.force_login(member_b)
    assert "What changed since you last confirmed" not in page.get(reverse("messages:acknowledge_rules", args=["migration-americas"])).content.decode()


def test_the_new_text_the_release_note_and_the_diff(member_a, published):
    client = sign_in(Client(), member_a)  # confirms the current rules
    assert "Detention must be a last resort." in client.get(reverse("messages:detail", args=["migration-americas", "DET-04"])).content.decode()
    assert "Detention clarified; one new rule." in client.get(reverse("messages:document", args=["migration-americas"])).content.decode()
    page = client.get(reverse("messages:compare", args=["migration-americas", "DET-04"])).content.decode()
    added = "".join(part.split("</ins>")[0] for part in page.split("<ins>")[1:])
    assert added.split() == "Detention must be a last resort.".split()
    assert "<del>" not in page


def test_the_societys_note_on_the_changed_message_is_flagged(admin_a, published):
    client = sign_in(Client(), admin_a)
    page = client.get(reverse("messages:detail", args=["migration-americas", "DET-04"])).content.decode()
    assert "Canonical text changed — review" in page


def test_comparing_a_message_with_one_version_says_so(member_a_client):
    response = member_a_client.get(reverse("messages:compare", args=["migration-americas", "GEN-01"]))
    assert response.status_code == 200 and "nothing to compare yet" in response.content.decode()


@pytest.mark.parametrize("query, status", [("?from=9&to=1", 404), ("?from=abc", 200), ("?to=99999999999", 200), ("?from=2&to=1", 200)])
def test_version_numbers_that_are_not_versions(member_a, published, query, status):
    """An unknown version is 404; what is not a number is ignored (the default comparison)."""
    response = sign_in(Client(), member_a).get(reverse("messages:compare", args=["migration-americas", "DET-04"]) + query)
    assert response.status_code == status
