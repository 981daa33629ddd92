"""Several documents in one library: each owns its sections, messages and topics, so that loading one
never touches another, and the reading pages of one never show another's messages."""

import dataclasses

import pytest
from django.urls import reverse

from messages_app.catalogue.models import Document, Message, Section, Topic
from messages_app.catalogue.services import key_messages_load
from tests.conftest import shipped_content

SECRET = "A message of the IFRC and ICRC's own document, for their staff only."


def _second_document():
    """A document reusing the shipped one's identifiers, section keys and topic slugs."""
    content = shipped_content()
    first_section = content.sections[0]
    message = dataclasses.replace(first_section.messages[0], text=SECRET, children=())
    section = dataclasses.replace(first_section, messages=(message,), subsections=())
    return dataclasses.replace(content, slug="joint-statement", title="Joint statement", edition="1", sections=(section,))


@pytest.fixture
def second_document(library):
    report = key_messages_load(content=_second_document())
    assert report.edition_created
    return Document.objects.get(slug="joint-statement")


def test_loading_another_document_leaves_the_first_as_it_was(second_document):
    migration = Document.objects.get(slug="migration-americas")
    assert Message.objects.filter(document=migration, retired_in__isnull=True).count() == 65
    assert Topic.objects.filter(document=migration).count() == len(shipped_content().topics)
    assert not Section.objects.filter(document=migration, retired_in__isnull=False).exists()
    assert Message.objects.filter(identifier="GEN-01").count() == 2
    assert Message.objects.get(document=second_document, identifier="GEN-01").current_version.text == SECRET
    # And loading the first again changes nothing of either.
    assert not key_messages_load(content=shipped_content()).changed_anything
    assert Message.objects.filter(document=second_document, retired_in__isnull=True).count() == 1


def test_the_migration_documents_pages_never_show_another_documents_messages(second_document, member_a_client):
    pages = [
        reverse("messages:home"),
        reverse("messages:detail", args=["GEN-01"]),
        reverse("messages:section", args=["general-information"]),
        reverse("messages:topic", args=["protection"]),
        reverse("messages:search") + "?q=IFRC+ICRC+staff",
        reverse("messages:search") + "?q=GEN-01",
        reverse("messages:compare", args=["GEN-01"]),
    ]
    for url in pages:
        response = member_a_client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


def test_a_briefing_takes_the_migration_documents_message_of_that_identifier(second_document, member_a):
    from messages_app.briefings.services import messages_by_identifier

    [message] = messages_by_identifier(["GEN-01"])
    assert message.document.slug == "migration-americas"
