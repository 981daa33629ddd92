"""Several documents in one library: each owns its sections, messages and topics, so that loading one
never touches another, and the reading pages of one never show another's messages."""


import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import Action, AuditEvent
from messages_app.briefings.models import Briefing
from messages_app.catalogue.models import Document, Message, RulesAcknowledgement, Section, Topic
from national_societies.models import NationalSociety
from messages_app.catalogue.services import key_messages_load
from tests.conftest import shipped_content
from tests.messages_app.content import JOINT_SECRET, load_joint_document

SECRET = JOINT_SECRET
SECRET_HTML = escape(SECRET)  # as pages show it (the apostrophe escaped)


@pytest.fixture
def second_document(library):
    """The IFRC and ICRC's own document: its audience is those two organisations only."""
    return load_joint_document(shipped_content())


JOINT = "joint-statement"


def _documents_found(client, query):
    """The documents of the messages a search shows (texts are highlighted: compare documents, not text)."""
    page = client.get(reverse("messages:search") + query)
    assert page.status_code == 200
    return {message.document.slug for message, *_ in page.context["results"]}


def _joint_paths():
    """Every page of the joint document a reader could ask for (GET), and its POST actions."""
    gets = [
        reverse("messages:document", args=[JOINT]),
        reverse("messages:section", args=[JOINT, "general-information"]),
        reverse("messages:detail", args=[JOINT, "GEN-01"]),
        reverse("messages:version", args=[JOINT, "GEN-01", 1]),
        reverse("messages:compare", args=[JOINT, "GEN-01"]),
        reverse("messages:social", args=[JOINT, "GEN-01"]),
        reverse("messages:topics", args=[JOINT]),
        reverse("messages:changes", args=[JOINT]),
        reverse("messages:help", args=[JOINT]),
        reverse("messages:acknowledge_rules", args=[JOINT]),
        reverse("messages:message_note", args=[JOINT, "GEN-01"]),
        reverse("messages:section_note", args=[JOINT, "general-information"]),
        reverse("messages:notes_coverage", args=[JOINT]),
        reverse("messages:section_print", args=[JOINT, "general-information"]),
        reverse("messages:section_pdf", args=[JOINT, "general-information"]),
        reverse("messages:document_print", args=[JOINT]),
        reverse("messages:document_pdf", args=[JOINT]),
    ]
    posts = [
        reverse("messages:copied", args=[JOINT, "GEN-01"]),
        reverse("messages:edition_notice_dismiss", args=[JOINT]),
    ]
    return gets, posts


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


def test_a_document_outside_the_readers_audience_is_404_on_every_path_and_each_denial_is_logged(second_document, member_a_client, member_a):
    gets, posts = _joint_paths()
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    for url in gets:
        response = member_a_client.get(url)
        assert response.status_code == 404, url
        assert SECRET_HTML not in response.content.decode(), url
    for url in posts:
        assert member_a_client.post(url).status_code == 404, url
    denials = AuditEvent.objects.filter(pk__gt=before, action=Action.ACCESS_DENIED, actor_user_id=member_a.pk)
    assert sorted(denials.values_list("target_id", flat=True)) == sorted(gets + posts)
    assert set(denials.values_list("reason", flat=True)) == {"document not readable by this reader (audience or retired)"}
    # A document that does not exist answers the same 404 (its row says why).
    assert member_a_client.get(reverse("messages:document", args=["no-such-document"])).status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).latest("pk").reason == "no such document"


def test_nor_does_it_appear_in_the_library_search_briefings_or_notes_of_that_reader(second_document, member_a_client, member_a):
    library = member_a_client.get(reverse("messages:home")).content.decode()
    assert "Joint statement" not in library
    assert Document.objects.get(slug="migration-americas").title in library
    for query in ("?q=IFRC+ICRC+staff", "?q=IFRC+ICRC+staff&document=joint-statement", "?q=GEN-01"):
        assert JOINT not in _documents_found(member_a_client, query), query
    # Asking to add its message to a briefing adds nothing.
    response = member_a_client.post(reverse("messages:briefing_add"), {"briefing": "new", "message": f"{JOINT}:GEN-01"})
    new_page = member_a_client.get(response["Location"])
    assert list(new_page.context["chosen"]) == []


def test_its_audience_reads_it_searches_it_and_mixes_it_in_a_briefing(second_document, ifrc_focal_client, ifrc_focal):
    library = ifrc_focal_client.get(reverse("messages:home")).content.decode()
    assert "Joint statement" in library
    assert ifrc_focal_client.get(reverse("messages:detail", args=[JOINT, "GEN-01"])).status_code == 200
    everything = ifrc_focal_client.get(reverse("messages:search") + "?q=GEN-01")
    assert [(m.document.slug, m.identifier) for m, *_ in everything.context["results"]] == [
        ("joint-statement", "GEN-01"), ("migration-americas", "GEN-01"),
    ] or {(m.document.slug, m.identifier) for m, *_ in everything.context["results"]} == {
        ("joint-statement", "GEN-01"), ("migration-americas", "GEN-01"),
    }
    only_joint = ifrc_focal_client.get(reverse("messages:search") + "?q=staff&document=joint-statement")
    assert {m.document.slug for m, *_ in only_joint.context["results"]} == {"joint-statement"}
    assert 'value="joint-statement" selected' in only_joint.content.decode()

    # One briefing with GEN-01 of each document: both texts, each linking to its own document.
    response = ifrc_focal_client.post(
        reverse("messages:briefing_new"),
        {"title": "Both", "occasion": "meeting", "message": ["migration-americas:GEN-01", f"{JOINT}:GEN-01"]},
    )
    briefing = Briefing.objects.get(owner=ifrc_focal)
    page = ifrc_focal_client.get(reverse("messages:briefing", args=[briefing.pk])).content.decode()
    assert SECRET_HTML in page
    assert reverse("messages:detail", args=[JOINT, "GEN-01"]) in page
    assert reverse("messages:detail", args=["migration-americas", "GEN-01"]) in page

    # The audience changes: the briefing keeps the item but no longer shows it.
    second_document.audience.set(NationalSociety.objects.filter(slug="icrc-americas"))
    page = ifrc_focal_client.get(reverse("messages:briefing", args=[briefing.pk]))
    assert response.status_code == 302 and page.status_code == 200
    assert SECRET_HTML not in page.content.decode()
    assert page.context["page"].withheld == 1


def test_a_retired_document_leaves_readers_library_and_search_but_focal_points_still_read_it(second_document, member_a_client, ifrc_focal_client):
    second_document.audience_all = True
    second_document.save(update_fields=["audience_all"])
    search = "?q=IFRC+ICRC+staff"
    assert JOINT in _documents_found(member_a_client, search)  # the searches below would find it
    second_document.retired_at = timezone.now()
    second_document.save(update_fields=["retired_at"])
    assert JOINT not in _documents_found(member_a_client, search)
    assert member_a_client.get(reverse("messages:detail", args=[JOINT, "GEN-01"])).status_code == 404
    assert "Joint statement" not in member_a_client.get(reverse("messages:home")).content.decode()
    assert ifrc_focal_client.get(reverse("messages:detail", args=[JOINT, "GEN-01"])).status_code == 200
    library = ifrc_focal_client.get(reverse("messages:home")).content.decode()
    assert "Joint statement" in library and "Retired" in library
    assert JOINT not in _documents_found(ifrc_focal_client, search)


def test_a_new_document_asks_its_readers_to_confirm_its_own_rules(second_document, ifrc_focal_client, ifrc_focal):
    RulesAcknowledgement.objects.filter(user=ifrc_focal, document=second_document).delete()
    # Its pages ask for its rules; the first document's pages do not.
    detail = reverse("messages:detail", args=[JOINT, "GEN-01"])
    assert ifrc_focal_client.get(detail)["Location"].startswith(reverse("messages:acknowledge_rules", args=[JOINT]))
    assert ifrc_focal_client.get(reverse("messages:detail", args=["migration-americas", "GEN-01"])).status_code == 200
    # Pages spanning documents wait for it too; the library says what is waiting.
    assert ifrc_focal_client.get(reverse("messages:search"))["Location"].startswith(reverse("messages:acknowledge_rules", args=[JOINT]))
    assert reverse("messages:acknowledge_rules", args=[JOINT]) in ifrc_focal_client.get(reverse("messages:home")).content.decode()
    ifrc_focal_client.post(reverse("messages:acknowledge_rules", args=[JOINT]), {"confirm": "on"})
    assert ifrc_focal_client.get(detail).status_code == 200


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/messages/GEN-01/", "/documents/migration-americas/messages/GEN-01/"),
        ("/messages/GEN-01/compare/?from=1&to=2", "/documents/migration-americas/messages/GEN-01/compare/?from=1&to=2"),
        ("/sections/general-information/print/", "/documents/migration-americas/sections/general-information/print/"),
        ("/topics/", "/documents/migration-americas/topics/"),
        ("/topics/detention/", "/documents/migration-americas/topics/detention/"),
        ("/changes/", "/documents/migration-americas/changes/"),
        ("/help/", "/documents/migration-americas/help/"),
        ("/how-to-use/?next=%2F", "/documents/migration-americas/how-to-use/?next=%2F"),
        ("/print/", "/documents/migration-americas/print/"),
        ("/print/pdf/", "/documents/migration-americas/print/pdf/"),
        ("/notes/coverage/", "/documents/migration-americas/notes/coverage/"),
    ],
)
def test_the_urls_of_the_single_document_library_redirect_for_good(member_a_client, library, old, new):
    response = member_a_client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new




def test_the_notes_overview_names_each_notes_document_when_the_society_reads_several(second_document, library):
    from messages_app.notes.services import note_save
    from tests.accounts import persona, sign_in
    from django.test import Client

    second_document.audience_all = True
    second_document.save(update_fields=["audience_all"])
    admin = persona("admin_a")
    for document in (Document.objects.get(slug="migration-americas"), second_document):
        note_save(acting_user=admin, message=Message.objects.get(document=document, identifier="GEN-01"), text=f"Note on {document.slug}.", visibility="society", expected_revision=None)
    page = sign_in(Client(), admin).get(reverse("messages:notes_overview")).content.decode()
    assert "<th scope=\"col\">Document</th>" in page
    assert page.count(reverse("messages:detail", args=[JOINT, "GEN-01"])) == 1
    assert page.count(reverse("messages:detail", args=["migration-americas", "GEN-01"])) == 1
    assert "<td>Joint statement</td>" in page


@pytest.mark.parametrize("retired", [False, True])
def test_who_reads_a_document_is_the_same_rule_from_the_documents_side_and_from_the_readers(second_document, retired):
    from django.contrib.auth import get_user_model

    from messages_app.catalogue.permissions import document_readers_filter, readable_documents_filter
    from tests.accounts import PERSONAS, persona

    if retired:
        second_document.retired_at = timezone.now()
        second_document.save(update_fields=["retired_at"])
    people = [persona(name) for name in PERSONAS]
    from_the_document = set(get_user_model().objects.filter(document_readers_filter(second_document)).values_list("pk", flat=True))
    from_each_reader = {p.pk for p in people if Document.objects.filter(readable_documents_filter(p), pk=second_document.pk).exists()}
    assert from_the_document & {p.pk for p in people} == from_each_reader
    assert from_each_reader  # the IFRC and ICRC's people (or, retired, their focal points) read it


def test_only_its_audience_is_told_of_a_new_edition_of_a_document(second_document, mailoutbox):
    from messages_app.editorial.notify import tell_readers_of_edition
    from tests.accounts import persona

    member, admin, focal = persona("member_a"), persona("admin_a"), persona("ifrc_focal")
    assert tell_readers_of_edition(second_document.editions.get()) >= 1
    told = {address for email in mailoutbox for address in email.to}
    assert focal.email in told and admin.email not in told and member.email not in told
