"""The editorial pages: who gets through, what a form does with bad input, and what each page costs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.catalogue.models import Document, Edition
from messages_app.editorial import services
from messages_app.editorial.models import Draft, DraftMessage
from tests.accounts import person, sign_in
from tests.messages_app.editorial.conftest import give_role


@pytest.fixture
def draft(doc_editor, migration_document):
    return services.draft_start(acting_user=doc_editor, document=migration_document)


def _pages(draft):
    return [
        reverse("editorial:draft", args=[draft.pk]),
        reverse("editorial:preview", args=[draft.pk]),
        reverse("editorial:message_edit", args=[draft.pk, "DET-04"]),
        reverse("editorial:frame", args=[draft.pk]),
        reverse("editorial:section_new", args=[draft.pk]),
        reverse("editorial:message_new", args=[draft.pk]) + "?section=general-information",
        reverse("editorial:draft_export", args=[draft.pk]),
        reverse("editorial:discard", args=[draft.pk]),
    ]


def test_the_editor_opens_every_page_of_a_draft(doc_editor_client, draft):
    assert doc_editor_client.get(reverse("editorial:home")).status_code == 200
    for url in _pages(draft):
        assert doc_editor_client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["member_a_client", "admin_a_client", "ifrc_focal_client"])
def test_people_without_a_role_on_the_document_get_404_everywhere(request, who, draft):
    client = request.getfixturevalue(who)
    assert client.get(reverse("editorial:home")).status_code == 404
    for url in _pages(draft):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("editorial:submit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "Hijack.", "revision": 1}).status_code == 404
    assert DraftMessage.objects.get(draft=draft, identifier="DET-04").revision == 1
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).exists()


def test_a_reviewer_of_another_document_gets_404(draft, library):
    other = Document.objects.create(slug="other-document", title="Other")
    client = sign_in(Client(), give_role(person("icrc-americas"), other, "reviewer"))
    for url in _pages(draft):
        assert client.get(url).status_code == 404, url


def test_a_reviewer_reads_the_draft_but_cannot_edit_it(doc_reviewer_client, draft):
    for url in (reverse("editorial:frame", args=[draft.pk]), reverse("editorial:publish", args=[draft.pk])):
        assert doc_reviewer_client.get(url).status_code == 403
    assert doc_reviewer_client.get(reverse("editorial:draft", args=[draft.pk])).status_code == 200
    url = reverse("editorial:message_edit", args=[draft.pk, "DET-04"])
    assert doc_reviewer_client.get(url).status_code == 403
    assert doc_reviewer_client.post(url, {"text": "Reviewer's own text.", "revision": 1}).status_code == 403
    assert DraftMessage.objects.get(draft=draft, identifier="DET-04").revision == 1


def test_an_editor_without_mfa_is_sent_to_set_it_up(draft, migration_document):
    editor = person("ifrc-americas")
    from messages_app.editorial.models import DocumentRole
    from national_societies.models import Membership

    DocumentRole.objects.create(user=editor, document=migration_document, kind="editor")
    Membership.objects.filter(user=editor).update(holds_document_role=True)
    response = sign_in(Client(), editor).get(reverse("editorial:draft", args=[draft.pk]))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_saving_a_message_through_the_form(doc_editor_client, draft):
    url = reverse("editorial:message_edit", args=[draft.pk, "DET-04"])
    response = doc_editor_client.post(url, {"text": "New DET-04.\r\nSecond line.", "topics": ["detention"], "revision": 1})
    assert response.status_code == 302
    message = DraftMessage.objects.get(draft=draft, identifier="DET-04")
    assert (message.text, message.topics) == ("New DET-04.\nSecond line.", ["detention"])


def test_an_empty_text_is_answered_400_with_the_form(doc_editor_client, draft):
    response = doc_editor_client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "   ", "revision": 1})
    assert response.status_code == 400
    assert "A message needs its text." in response.content.decode()


def test_a_conflict_keeps_what_the_editor_typed_and_shows_the_other_text(doc_editor_client, draft, migration_document):
    colleague = give_role(person("ifrc-americas"), migration_document, "editor")
    services.draft_message_save(acting_user=colleague, draft=draft, identifier="DET-04", text="Colleague's words.", topics=[], base_revision=1)
    response = doc_editor_client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "My careful words.", "revision": 1})
    page = response.content.decode()
    assert response.status_code == 409
    assert "My careful words." in page and "Colleague&#x27;s words." in page
    assert 'name="revision" value="2"' in page  # saving again replaces theirs, knowingly
    assert DraftMessage.objects.get(draft=draft, identifier="DET-04").text == "Colleague's words."


def test_hostile_text_renders_inert(doc_editor_client, draft):
    doc_editor_client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "<script>alert(1)</script><img src=x onerror=alert(2)>", "revision": 1})
    for url in (reverse("editorial:draft", args=[draft.pk]), reverse("editorial:preview", args=[draft.pk])):
        page = doc_editor_client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_whole_journey_in_the_browserless_client(doc_editor_client, doc_reviewer_client, draft, member_a_client):
    doc_editor_client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "Published through the app.", "revision": 1})
    assert doc_editor_client.post(reverse("editorial:submit", args=[draft.pk])).status_code == 302
    assert doc_editor_client.post(reverse("editorial:review", args=[draft.pk]), {"decision": "approved"}).status_code == 403
    doc_reviewer_client.post(reverse("editorial:review", args=[draft.pk]), {"decision": "changes_requested", "comment": "Tighten it.", "message": "DET-04"})
    doc_editor_client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "Published through the app, tightened.", "revision": 2})
    doc_reviewer_client.post(reverse("editorial:review", args=[draft.pk]), {"decision": "approved"})
    assert doc_editor_client.get(reverse("editorial:publish", args=[draft.pk])).status_code == 200
    response = doc_editor_client.post(reverse("editorial:publish", args=[draft.pk]), {"when": "now"})
    assert response.status_code == 302
    assert Edition.objects.current_first().first().label == "2"
    page = member_a_client.get(reverse("messages:detail", args=["migration-americas", "DET-04"]), follow=True).content.decode()
    assert "Published through the app, tightened." in page


def test_a_forged_approval_by_an_author_is_refused_and_recorded(doc_editor_client, doc_editor, doc_reviewer_client, draft, migration_document):
    give_role(doc_editor, migration_document, "reviewer")
    doc_editor_client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "Mine.", "revision": 1})
    doc_editor_client.post(reverse("editorial:submit", args=[draft.pk]))
    assert doc_editor_client.post(reverse("editorial:review", args=[draft.pk]), {"decision": "approved"}).status_code == 403
    assert not draft.reviews.exists()
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor_email=doc_editor.email).exists()


def test_publishing_before_approval_is_refused(doc_editor_client, draft):
    doc_editor_client.post(reverse("editorial:submit", args=[draft.pk]))
    assert doc_editor_client.post(reverse("editorial:publish", args=[draft.pk]), {"when": "now"}).status_code == 403
    assert Edition.objects.count() == 1


def test_a_schedule_in_the_past_is_refused_with_a_clear_error(doc_editor_client, doc_reviewer_client, draft):
    doc_editor_client.post(reverse("editorial:message_edit", args=[draft.pk, "DET-04"]), {"text": "Later.", "revision": 1})
    doc_editor_client.post(reverse("editorial:submit", args=[draft.pk]))
    doc_reviewer_client.post(reverse("editorial:review", args=[draft.pk]), {"decision": "approved"})
    response = doc_editor_client.post(reverse("editorial:publish", args=[draft.pk]), {"when": "later", "publish_at": "2001-01-01T10:00"})
    assert response.status_code == 400 and "in the future" in response.content.decode()


def test_import_through_the_form_reports_errors_and_keeps_nothing(doc_editor_client, migration_document):
    url = reverse("editorial:import", args=[migration_document.slug])
    response = doc_editor_client.post(url, {"file": SimpleUploadedFile("bad.yaml", b"\xff\xfe not utf-8")})
    assert response.status_code == 400 and "not UTF-8" in response.content.decode()
    response = doc_editor_client.post(url, {"file": SimpleUploadedFile("bad.yaml", b"format: 2\n")})
    assert response.status_code == 400 and "format" in response.content.decode()
    assert not Draft.objects.exists()


def test_edition_export_is_a_recorded_download(doc_editor_client, migration_document):
    response = doc_editor_client.get(reverse("editorial:edition_export", args=[migration_document.slug, "1"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert b"Not public" in response.content and b"id: DET-04" in response.content
    assert AuditEvent.objects.filter(action=Action.EXPORTED_EDITION, actor_email="editor@ifrc.example.org").count() == 1


def test_edition_export_is_404_for_a_member(member_a_client, migration_document):
    assert member_a_client.get(reverse("editorial:edition_export", args=[migration_document.slug, "1"])).status_code == 404


def test_platform_admin_gives_and_takes_roles_society_admin_cannot(platform_admin_client, admin_a_client, member_b, migration_document):
    url = reverse("editorial:roles", args=[migration_document.slug])
    assert admin_a_client.get(url).status_code == 404
    assert admin_a_client.post(url, {"email": member_b.email, "kind": "editor"}).status_code == 404
    response = platform_admin_client.post(url, {"email": member_b.email, "kind": "reviewer"})
    assert response.status_code == 302
    role = member_b.document_roles.get()
    assert role.kind == "reviewer"
    assert platform_admin_client.post(url, {"email": "nobody@example.org", "kind": "editor"}).status_code == 400
    platform_admin_client.post(url, {"revoke": str(role.pk)})
    assert not member_b.document_roles.exists()


def test_the_draft_page_costs_the_same_whatever_the_drafts_size(doc_editor_client, doc_editor, draft, django_assert_num_queries):
    url = reverse("editorial:draft", args=[draft.pk])
    doc_editor_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        doc_editor_client.get(url)
    section = DraftMessage.objects.get(draft=draft, identifier="DET-04").section
    for n in range(5):
        added = services.draft_message_add(acting_user=doc_editor, draft=draft, section=section, text=f"Extra {n}.", topics=[])
    services.draft_message_save(acting_user=doc_editor, draft=draft, identifier="DET-04", text="Changed.", topics=[], base_revision=1)
    services.draft_message_retire(acting_user=doc_editor, draft=draft, message=added)
    with django_assert_num_queries(len(small)):
        assert doc_editor_client.get(url).status_code == 200
