"""Drafting, four-eyes review and publication of an edition, through the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEvent
from core.rules import NotAllowed
from messages_app.catalogue.content_export import edition_content
from messages_app.catalogue.models import Edition, Message
from messages_app.editorial import services
from messages_app.editorial.drafts import draft_content
from messages_app.editorial.models import Draft, DraftMessage, DraftReview
from national_societies.models import NationalSociety
from national_societies.permissions import needs_mfa
from tests.accounts import person
from tests.messages_app.editorial.conftest import give_role


def _message(draft, identifier):
    return DraftMessage.objects.get(draft=draft, identifier=identifier)


def _edit(editor, draft, identifier, text):
    message = _message(draft, identifier)
    return services.draft_message_save(
        acting_user=editor, draft=draft, identifier=identifier, text=text, topics=message.topics, base_revision=message.revision
    )


@pytest.fixture
def draft(doc_editor, migration_document):
    return services.draft_start(acting_user=doc_editor, document=migration_document)


def test_a_new_draft_is_a_copy_of_the_current_edition_under_the_next_label(draft):
    current = edition_content(Edition.objects.current_first().first())
    content = draft_content(draft)
    assert draft.label == "2"
    assert content.sections == current.sections
    assert (content.introduction, content.handling_rules, content.contacts, content.summary, content.topics) == (
        current.introduction, current.handling_rules, current.contacts, current.summary, current.topics
    )
    assert AuditEvent.objects.filter(action=Action.DRAFT_STARTED, actor_email="editor@ifrc.example.org").count() == 1


def test_one_open_draft_per_document(draft, doc_editor, migration_document):
    with pytest.raises(ValidationError, match="already open"):
        services.draft_start(acting_user=doc_editor, document=migration_document)


def test_only_the_documents_editors_start_a_draft(migration_document, doc_reviewer, platform_admin, member_a):
    for someone in (doc_reviewer, platform_admin, member_a):
        with pytest.raises(NotAllowed):
            services.draft_start(acting_user=someone, document=migration_document)
    assert not Draft.objects.exists()


def test_saving_a_message_bumps_its_revision_and_is_recorded(draft, doc_editor):
    saved = _edit(doc_editor, draft, "DET-04", "  A new text for detention.  ")
    assert (saved.text, saved.revision, saved.last_edited_by) == ("A new text for detention.", 2, doc_editor)
    event = AuditEvent.objects.get(action=Action.DRAFT_EDITED)
    assert event.details["message"] == "DET-04" and event.actor_email == doc_editor.email
    assert set(draft.authors.all()) == {doc_editor}


def test_a_save_based_on_an_older_revision_is_a_conflict_and_writes_nothing(draft, doc_editor, migration_document):
    colleague = give_role(person("ifrc-americas"), migration_document, "editor")
    opened = _message(draft, "DET-04").revision
    _edit(colleague, draft, "DET-04", "The colleague's text.")
    with pytest.raises(services.EditConflict) as clash:
        services.draft_message_save(acting_user=doc_editor, draft=draft, identifier="DET-04", text="Mine.", topics=[], base_revision=opened)
    assert clash.value.current.text == "The colleague's text."
    assert _message(draft, "DET-04").text == "The colleague's text."
    assert AuditEvent.objects.filter(action=Action.DRAFT_EDITED).count() == 1


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_an_empty_text_is_refused(draft, doc_editor, text):
    before = _message(draft, "DET-04").text
    with pytest.raises(ValidationError):
        _edit(doc_editor, draft, "DET-04", text)
    assert _message(draft, "DET-04").text == before


def test_unknown_topics_are_refused(draft, doc_editor):
    message = _message(draft, "DET-04")
    with pytest.raises(ValidationError, match="Unknown topic"):
        services.draft_message_save(acting_user=doc_editor, draft=draft, identifier="DET-04", text="x", topics=["no-such"], base_revision=message.revision)


def test_a_new_message_takes_the_next_number_of_its_sections_prefix(draft, doc_editor):
    section = _message(draft, "DET-04").section
    highest = max(int(i.split("-")[1][:2]) for i in Message.objects.filter(identifier__startswith="DET-").values_list("identifier", flat=True))
    added = services.draft_message_add(acting_user=doc_editor, draft=draft, section=section, text="A new message.", topics=[])
    assert added.identifier == f"DET-{highest + 1:02d}"
    assert draft_content(draft).sections  # still valid as a whole
    child = services.draft_message_add(acting_user=doc_editor, draft=draft, section=section, text="Under it.", topics=[], parent=added)
    assert child.identifier == f"{added.identifier}.1"


def test_retired_identifiers_are_never_given_again(draft, doc_editor):
    section = _message(draft, "DET-04").section
    first = services.draft_message_add(acting_user=doc_editor, draft=draft, section=section, text="One.", topics=[])
    services.draft_message_retire(acting_user=doc_editor, draft=draft, message=first)
    second = services.draft_message_add(acting_user=doc_editor, draft=draft, section=section, text="Two.", topics=[])
    assert second.identifier != first.identifier
    assert first.identifier not in {m.identifier for s in draft_content(draft).sections for m in s.messages}


def test_retiring_a_message_takes_its_children_and_bringing_it_back_restores_them(draft, doc_editor):
    parent = DraftMessage.objects.filter(draft=draft, children__isnull=False).distinct().first()
    services.draft_message_retire(acting_user=doc_editor, draft=draft, message=parent)
    assert all(m.retired for m in DraftMessage.objects.filter(draft=draft, parent=parent))
    services.draft_message_retire(acting_user=doc_editor, draft=draft, message=parent, retired=False)
    assert not any(m.retired for m in DraftMessage.objects.filter(pk=parent.pk) | DraftMessage.objects.filter(parent=parent))


def test_moving_a_message_up_swaps_it_with_its_neighbour(draft, doc_editor):
    services.draft_message_move(acting_user=doc_editor, draft=draft, message=_message(draft, "GEN-02"), direction="up")
    general = draft_content(draft).sections[0].messages
    assert [m.identifier for m in general[:2]] == ["GEN-02", "GEN-01"]


def test_a_section_without_messages_is_refused_at_submission_with_the_loaders_words(draft, doc_editor):
    services.draft_section_add(acting_user=doc_editor, draft=draft, key="climate", title="Climate", prefix="CLI")
    with pytest.raises(ValidationError, match="a section needs messages or sub-sections"):
        services.draft_submit(acting_user=doc_editor, draft=draft)
    draft.refresh_from_db()
    assert draft.state == Draft.State.EDITING


def test_the_edition_label_must_be_new(draft, doc_editor):
    texts = services.FrameTexts(label="1", release_note="", introduction=draft.introduction, handling_rules=draft.handling_rules, contacts=draft.contacts, summary=draft.summary)
    with pytest.raises(ValidationError) as error:
        services.draft_frame_save(acting_user=doc_editor, draft=draft, texts=texts, base_revision=draft.frame_revision)
    assert "label" in error.value.message_dict


def _submitted(draft, editor):
    return services.draft_submit(acting_user=editor, draft=draft)


def test_submitting_tells_the_reviewers_without_any_message_text(draft, doc_editor, doc_reviewer):
    _edit(doc_editor, draft, "DET-04", "A corrected text that must not travel by email.")
    mail.outbox.clear()
    _submitted(draft, doc_editor)
    assert [m.to for m in mail.outbox] == [[doc_reviewer.email]]
    body = mail.outbox[0].body
    assert f"/editorial/drafts/{draft.pk}/" in body
    assert "corrected text" not in body and "detention" not in body.lower()


def test_four_eyes_an_author_cannot_approve(draft, doc_editor, doc_reviewer, migration_document):
    give_role(doc_editor, migration_document, "reviewer")
    _edit(doc_editor, draft, "DET-04", "Changed by the editor.")
    _submitted(draft, doc_editor)
    with pytest.raises(NotAllowed, match="another reviewer"):
        services.draft_review(acting_user=doc_editor, draft=draft, decision="approved")
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    assert DraftReview.objects.filter(decision="approved").count() == 1


def test_an_edit_after_approval_withdraws_it(draft, doc_editor, doc_reviewer):
    _edit(doc_editor, draft, "DET-04", "First.")
    _submitted(draft, doc_editor)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    _edit(doc_editor, draft, "DET-04", "Second thoughts.")
    assert DraftReview.objects.get().withdrawn_at is not None
    with pytest.raises(NotAllowed, match="approval"):
        services.draft_publish(acting_user=doc_editor, draft=draft)


def test_a_reviewer_of_another_document_has_no_right_on_this_one(draft, doc_editor, library):
    from messages_app.catalogue.models import Document

    other = Document.objects.create(slug="other", title="Other")
    outsider = give_role(person("icrc-americas"), other, "reviewer")
    _submitted(draft, doc_editor)
    with pytest.raises(NotAllowed):
        services.draft_review(acting_user=outsider, draft=draft, decision="approved")


def test_publishing_makes_the_edition_as_the_loader_does_and_records_who(draft, doc_editor, doc_reviewer):
    old_version = Message.objects.get(identifier="DET-04").current_version
    _edit(doc_editor, draft, "DET-04", "The corrected text of DET-04.")
    rules = [*draft.handling_rules, "A new rule about social media."]
    services.draft_frame_save(
        acting_user=doc_editor, draft=draft, base_revision=draft.frame_revision,
        texts=services.FrameTexts(label="2", release_note="DET-04 corrected.", introduction=draft.introduction, handling_rules=rules, contacts=draft.contacts, summary=draft.summary),
    )
    draft.refresh_from_db()
    _submitted(draft, doc_editor)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    edition = services.draft_publish(acting_user=doc_editor, draft=draft)

    assert (edition.label, edition.note, edition.sequence) == ("2", "DET-04 corrected.", 2)
    message = Message.objects.select_related("current_version").get(identifier="DET-04")
    assert (message.current_version.number, message.current_version.text) == (2, "The corrected text of DET-04.")
    assert message.versions.get(number=1) == old_version  # the earlier text stays readable
    assert edition.rules_version != Edition.objects.get(sequence=1).rules_version
    draft.refresh_from_db()
    assert (draft.state, draft.published_edition) == (Draft.State.PUBLISHED, edition)
    event = AuditEvent.objects.get(action=Action.PUBLISHED_EDITION)
    assert event.details["authors"] == [doc_editor.email]
    assert event.details["approvers"] == [doc_reviewer.email]
    assert event.details["publisher"] == doc_editor.email
    assert event.details["changed"] == ["DET-04"] and event.details["rules_changed"] is True
    assert AuditEvent.objects.filter(action=Action.LOADED_EDITION, actor_email=doc_editor.email).count() == 1


def test_a_joint_document_needs_an_approval_from_each_organisation(draft, doc_editor, doc_reviewer, migration_document):
    ifrc, icrc = NationalSociety.objects.get(slug="ifrc-americas"), NationalSociety.objects.get(slug="icrc-americas")
    migration_document.approving_organisations.set([ifrc, icrc])
    _edit(doc_editor, draft, "DET-04", "Joint text.")
    _submitted(draft, doc_editor)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    with pytest.raises(NotAllowed, match=ifrc.name):
        services.draft_publish(acting_user=doc_editor, draft=draft)
    ifrc_reviewer = give_role(person("ifrc-americas"), migration_document, "reviewer")
    services.draft_review(acting_user=ifrc_reviewer, draft=draft, decision="approved")
    assert services.draft_publish(acting_user=doc_editor, draft=draft).label == "2"


def test_a_scheduled_publication_happens_at_its_time_in_the_schedulers_name(draft, doc_editor, doc_reviewer):
    _edit(doc_editor, draft, "DET-04", "Scheduled text.")
    _submitted(draft, doc_editor)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    when = timezone.now() + timedelta(hours=2)
    assert services.draft_publish(acting_user=doc_editor, draft=draft, publish_at=when) is None
    assert services.publish_due_drafts(now=timezone.now()) == []
    [edition] = services.publish_due_drafts(now=when + timedelta(minutes=1))
    assert edition.label == "2"
    assert AuditEvent.objects.get(action=Action.PUBLISHED_EDITION).actor_email == doc_editor.email


def test_a_scheduled_publication_whose_approval_was_withdrawn_does_not_happen(draft, doc_editor, doc_reviewer):
    _edit(doc_editor, draft, "DET-04", "Scheduled text.")
    _submitted(draft, doc_editor)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    when = timezone.now() + timedelta(hours=2)
    services.draft_publish(acting_user=doc_editor, draft=draft, publish_at=when)
    _edit(doc_editor, draft, "DET-04", "Edited after approval.")
    assert services.publish_due_drafts(now=when + timedelta(minutes=1)) == []
    assert Edition.objects.count() == 1


def test_requesting_changes_needs_a_comment_and_tells_the_editors(draft, doc_editor, doc_reviewer):
    _submitted(draft, doc_editor)
    with pytest.raises(ValidationError):
        services.draft_review(acting_user=doc_reviewer, draft=draft, decision="changes_requested", comment="  ")
    mail.outbox.clear()
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="changes_requested", comment="Say 'people'.", message_identifier="DET-04")
    assert [m.to for m in mail.outbox] == [[doc_editor.email]]
    assert "Say 'people'" not in mail.outbox[0].body


def test_an_imported_file_becomes_a_draft_never_an_edition(doc_editor, migration_document):
    from messages_app.catalogue.content_file import write_content

    content = edition_content(Edition.objects.current_first().first())
    raw = write_content(content.__class__(**{**content.__dict__, "edition": "2", "edition_note": "Offline work."}))
    draft = services.draft_import(acting_user=doc_editor, document=migration_document, raw=raw, source_name="offline.yaml")
    assert (draft.label, draft.release_note, draft.state) == ("2", "Offline work.", Draft.State.EDITING)
    assert draft_content(draft).sections == content.sections
    assert Edition.objects.count() == 1


@pytest.mark.parametrize(
    "raw, words",
    [
        ("format: 1\n", "required field is missing"),
        ("{not yaml", "not valid YAML"),
    ],
)
def test_a_bad_file_is_refused_with_the_loaders_words(doc_editor, migration_document, raw, words):
    with pytest.raises(ValidationError, match=words):
        services.draft_import(acting_user=doc_editor, document=migration_document, raw=raw, source_name="bad.yaml")
    assert not Draft.objects.exists()


def test_an_import_of_an_existing_edition_label_is_refused(doc_editor, migration_document):
    from messages_app.catalogue.content_file import write_content

    raw = write_content(edition_content(Edition.objects.current_first().first()))
    with pytest.raises(ValidationError, match="exists already"):
        services.draft_import(acting_user=doc_editor, document=migration_document, raw=raw, source_name="same.yaml")


def test_a_document_role_requires_mfa_and_only_platform_admins_give_it(migration_document, platform_admin, admin_a, member_a):
    assert not needs_mfa(member_a)
    with pytest.raises(NotAllowed):
        services.document_role_grant(acting_user=admin_a, document=migration_document, user=member_a, kind="editor")
    role = services.document_role_grant(acting_user=platform_admin, document=migration_document, user=member_a, kind="editor")
    member_a.membership.refresh_from_db()
    assert needs_mfa(member_a)
    services.document_role_revoke(acting_user=platform_admin, role=role)
    member_a.membership.refresh_from_db()
    assert not needs_mfa(member_a)
    assert list(AuditEvent.objects.filter(target_id=str(member_a.pk)).values_list("action", flat=True).order_by("id")) == [
        Action.DOCUMENT_ROLE_GRANTED, Action.DOCUMENT_ROLE_REVOKED
    ]


def test_the_scheduled_publication_job_runs_on_the_queue_and_twice_is_once(draft, doc_editor, doc_reviewer):
    from messages_app.tasks import publish_due_editions

    _edit(doc_editor, draft, "DET-04", "Queued text.")
    _submitted(draft, doc_editor)
    services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
    services.draft_publish(acting_user=doc_editor, draft=draft, publish_at=timezone.now() + timedelta(hours=1))
    Draft.objects.filter(pk=draft.pk).update(publish_at=timezone.now() - timedelta(minutes=1))  # the hour has passed
    assert publish_due_editions.delay().get() == "published migration-americas edition 2"
    assert publish_due_editions.delay().get() == "Nothing due."
    assert Edition.objects.filter(label="2").count() == 1
