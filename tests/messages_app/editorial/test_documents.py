"""New documents started in the editorial desk, and who reads and approves a document."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from core.rules import NotAllowed
from messages_app.catalogue.models import Document, Edition, Message
from messages_app.editorial import services
from messages_app.editorial.models import DocumentRole, Draft
from national_societies.models import NationalSociety


def _new(user, **overrides):
    fields = {
        "slug": "joint-statement", "title": "Joint statement on migration", "original_language": "en", "audience_all": False,
        "audience": list(NationalSociety.objects.filter(slug__in=["ifrc-americas", "icrc-americas"])),
        "section_title": "Why we speak together", "section_key": "why", "section_prefix": "JNT",
    }
    return services.document_create(acting_user=user, **{**fields, **overrides})


def test_an_editor_starts_a_document_and_becomes_its_editor(doc_editor):
    draft = _new(doc_editor)
    document = Document.objects.get(slug="joint-statement")
    assert (document.audience_all, sorted(document.audience.values_list("slug", flat=True))) == (False, ["icrc-americas", "ifrc-americas"])
    assert DocumentRole.objects.filter(document=document, user=doc_editor, kind="editor").exists()
    assert (draft.document, draft.label, draft.state) == (document, "1", Draft.State.EDITING)
    assert draft.sections.get().prefix == "JNT"
    assert AuditEvent.objects.filter(action=Action.DOCUMENT_CREATED, target_id="joint-statement").count() == 1
    assert not Edition.objects.filter(document=document).exists()  # nothing published, nothing readable


def test_the_first_edition_of_a_new_document_goes_through_review_and_publication(doc_editor, doc_reviewer):
    draft = _new(doc_editor)
    document = draft.document
    services.document_role_grant(acting_user=_platform_admin(), document=document, user=doc_reviewer, kind="reviewer")
    section = draft.sections.get()
    draft = services.draft_topics_save(acting_user=doc_editor, draft=draft, topics=[("unity", "Speaking together")], base_revision=draft.frame_revision)
    services.draft_message_add(acting_user=doc_editor, draft=draft, section=section, text="We speak with one voice.", topics=["unity"])
    services.draft_frame_save(
        acting_user=doc_editor, draft=draft, base_revision=draft.frame_revision,
        texts=services.FrameTexts(label="1", release_note="First edition.", introduction=["Why this document."], handling_rules=["Not public."], contacts=["IFRC and ICRC."], summary="A joint statement."),
    )
    draft.refresh_from_db()
    services.draft_submit(acting_user=doc_editor, draft=draft)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    edition = services.draft_publish(acting_user=doc_editor, draft=draft)
    assert (edition.document, edition.label, edition.sequence) == (document, "1", 1)
    assert Message.objects.get(document=document).identifier == "JNT-01"
    assert Message.objects.filter(document__slug="migration-americas", retired_in__isnull=True).count() == 65


def _platform_admin():
    from tests.accounts import persona

    return persona("platform_admin")


@pytest.mark.parametrize("who", ["member_a", "admin_a", "ifrc_focal", "doc_reviewer"])
def test_who_may_not_start_a_document(request, library, who):
    with pytest.raises(NotAllowed):
        _new(request.getfixturevalue(who))
    assert not Document.objects.filter(slug="joint-statement").exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "migration-americas"}, "slug"),
        ({"title": "  "}, "title"),
        ({"audience": []}, "audience"),
        ({"section_prefix": "j1"}, "section_prefix"),
        ({"section_key": "No Key"}, "section_key"),
    ],
)
def test_bad_input_names_its_field_and_creates_nothing(doc_editor, overrides, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        _new(doc_editor, **overrides)
    assert field in error.value.message_dict
    assert Document.objects.count() == 1


def test_the_new_document_form(doc_editor_client):
    url = reverse("editorial:document_new")
    assert doc_editor_client.get(url).status_code == 200
    bad = doc_editor_client.post(url, {"title": "Joint", "slug": "joint", "original_language": "en", "audience_all": "0", "section_title": "S", "section_key": "s", "section_prefix": "JNT"})
    assert bad.status_code == 400 and "Choose the organisations" in bad.content.decode()
    ifrc = NationalSociety.objects.get(slug="ifrc-americas")
    good = doc_editor_client.post(url, {"title": "Joint", "slug": "joint", "original_language": "en", "audience_all": "0", "audience": [ifrc.slug], "section_title": "S", "section_key": "s", "section_prefix": "JNT"})
    assert good.status_code == 302
    assert doc_editor_client.get(good["Location"]).status_code == 200


def test_settings_are_the_platform_admins_and_recorded(platform_admin_client, doc_editor_client, migration_document):
    url = reverse("editorial:document_settings", args=[migration_document.slug])
    assert doc_editor_client.get(url).status_code == 404
    icrc = NationalSociety.objects.get(slug="icrc-americas")
    ifrc = NationalSociety.objects.get(slug="ifrc-americas")
    response = platform_admin_client.post(url, {"audience_all": "1", "approving_organisations": [ifrc.slug, icrc.slug], "retired": ""})
    assert response.status_code == 302
    assert set(migration_document.approving_organisations.all()) == {ifrc, icrc}
    event = AuditEvent.objects.get(action=Action.DOCUMENT_SETTINGS_CHANGED)
    assert event.details["after"]["approving"] == ["icrc-americas", "ifrc-americas"]
    assert platform_admin_client.post(url, {"audience_all": "0", "retired": ""}).status_code == 400
    migration_document.refresh_from_db()
    assert migration_document.audience_all


def test_topics_in_use_are_not_removed_and_bad_ones_are_named(doc_editor, migration_document):
    from django.core.exceptions import ValidationError

    draft = services.draft_start(acting_user=doc_editor, document=migration_document)
    with pytest.raises(ValidationError) as error:
        services.draft_topics_save(acting_user=doc_editor, draft=draft, topics=[("protection", "Protection"), ("Bad Slug", "x"), ("protection", "Again")], base_revision=draft.frame_revision)
    text = " ".join(error.value.messages)
    assert "Bad Slug" in text and "given twice" in text and "take it off the message first" in text
    draft.refresh_from_db()
    assert len(draft.topics) > 10  # unchanged


def test_the_topics_form_reads_one_topic_per_line(doc_editor_client, doc_editor):
    draft = _new(doc_editor)
    url = reverse("editorial:topics", args=[draft.pk])
    response = doc_editor_client.post(url, {"topics": "unity: Speaking together\nFamily links\n\n", "revision": draft.frame_revision})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.topics == [["unity", "Speaking together"], ["family-links", "Family links"]]
