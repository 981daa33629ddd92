"""A note records the canonical version it was written against; a new edition that changes the
message flags it for review, with the canonical diff, until an editor confirms or edits it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.catalogue.diffs import word_diff
from messages_app.catalogue.models import Message, Section
from messages_app.notes.models import ContextNote, Visibility
from messages_app.notes.selectors import canonical_change
from messages_app.notes.services import note_confirm_review, note_delete, note_restore, note_save
from messages_app.catalogue.services import key_messages_load
from national_societies.models import Membership
from tests.accounts import sign_in
from tests.accounts import person as _person
from tests.conftest import shipped_content
from tests.messages_app.content import with_message_text

CHANGED = "DET-04"
UNCHANGED = "DET-01"
FLAG = "Canonical text changed — review"




def _client(user):
    return sign_in(Client(), user)


def _note(author, identifier, text, visibility=Visibility.SOCIETY):
    return note_save(
        acting_user=author, message=Message.objects.get(identifier=identifier), text=text, visibility=visibility, expected_revision=None
    )


def _new_edition(new_text):
    """Load edition 2, in which DET-04 reads `new_text` (the old text with a change)."""
    key_messages_load(content=with_message_text(shipped_content(), CHANGED, new_text, edition="2"))


@pytest.fixture
def old_text(library):
    return Message.objects.get(identifier=CHANGED).current_version.text


@pytest.fixture
def new_text(old_text):
    # One word removed, two added: "must be respected" becomes "must always be fully respected".
    assert "must be respected" in old_text
    return old_text.replace("must be respected", "must always be fully respected").replace("(Convention against Torture)", "")


@pytest.fixture
def noted(society_admin, old_text):
    """Colombia's notes on a message that will change, on one that will not, and on a section."""
    changed = _note(society_admin, CHANGED, "Our note on the principle.", Visibility.REGION)
    unchanged = _note(society_admin, UNCHANGED, "Our note on another message.")
    section = note_save(
        acting_user=society_admin, section=Section.objects.get(key="detention-deportation"), text="Our section note.", visibility="society", expected_revision=None
    )
    return changed, unchanged, section


def test_a_note_records_the_version_it_was_written_against(noted):
    changed, unchanged, section = noted
    assert changed.anchored_version == Message.objects.get(identifier=CHANGED).current_version
    assert changed.anchored_version.number == 1
    assert unchanged.anchored_version == Message.objects.get(identifier=UNCHANGED).current_version
    assert section.anchored_version is None
    assert not any(n.needs_review for n in noted)


def test_a_new_edition_that_changes_the_message_flags_its_note(noted, member, new_text):
    changed, unchanged, section = noted
    _new_edition(new_text)
    for note in noted:
        note.refresh_from_db()
    assert changed.needs_review
    assert not unchanged.needs_review and not section.needs_review

    client = _client(member)
    html = client.get(reverse("messages:detail", args=["migration-americas", CHANGED])).content.decode()
    assert FLAG in html
    assert FLAG not in client.get(reverse("messages:detail", args=["migration-americas", UNCHANGED])).content.decode()
    assert FLAG not in client.get(reverse("messages:section", args=["migration-americas", "detention-deportation"])).content.decode()
    # Readers in other societies of a region note see the flag too: the note may no longer fit.
    mexican = _person("mexico", Membership.Role.MEMBER, "member@mexico.example.org")
    assert FLAG in _client(mexican).get(reverse("messages:detail", args=["migration-americas", CHANGED])).content.decode()


def test_the_overview_lists_the_notes_that_need_review(noted, society_admin, member, new_text):
    _new_edition(new_text)
    edit_url = reverse("messages:message_note", args=["migration-americas", CHANGED])
    overview = _client(society_admin).get(reverse("messages:notes_overview"))
    assert [n.message.identifier for n in overview.context["overview"].needs_review] == [CHANGED]
    html = overview.content.decode()
    assert "1 note needs review" in html
    assert edit_url in html
    assert reverse("messages:message_note", args=["migration-americas", UNCHANGED]) not in html
    # A member sees what needs review, without the link to a page they may not open.
    html = _client(member).get(reverse("messages:notes_overview")).content.decode()
    assert "1 note needs review" in html and edit_url not in html


def test_the_edit_page_shows_the_canonical_diff(noted, society_admin, old_text, new_text):
    _new_edition(new_text)
    response = _client(society_admin).get(reverse("messages:message_note", args=["migration-americas", CHANGED]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Canonical text changed since this note was written" in html
    change = response.context["canonical_change"]
    assert ("added", "always ") in change
    assert ("added", "fully ") in change
    assert ("removed", "(Convention against Torture). ") in change
    # The diff is exact: the kept and removed parts are the old text, the kept and added parts the new.
    assert "".join(t for kind, t in change if kind != "added") == old_text
    assert "".join(t for kind, t in change if kind != "removed") == new_text
    assert "<ins>always </ins>" in html and "<del>(Convention against Torture). </del>" in html
    assert reverse("messages:note_confirm_review", args=[noted[0].pk]) in html
    # The canonical text shown is the new one; the note is unchanged.
    assert "must always be fully respected" in html
    # No diff on the page of a note that needs no review.
    response = _client(society_admin).get(reverse("messages:message_note", args=["migration-americas", UNCHANGED]))
    assert response.context["canonical_change"] is None
    assert "Canonical text changed since this note was written" not in response.content.decode()


def test_confirming_clears_the_flag_and_records_a_revision(noted, society_admin, member, colombia, new_text):
    changed = noted[0]
    _new_edition(new_text)
    current = Message.objects.get(identifier=CHANGED).current_version
    response = _client(society_admin).post(reverse("messages:note_confirm_review", args=[changed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("messages:detail", args=["migration-americas", CHANGED])
    changed.refresh_from_db()
    assert not changed.needs_review
    assert changed.anchored_version == current and current.number == 2
    assert (changed.revision, changed.text) == (2, "Our note on the principle.")
    revision = changed.revisions.get(number=2)
    assert (revision.text, revision.anchored_version, revision.author) == ("Our note on the principle.", current, society_admin)
    event = AuditEvent.objects.filter(action=Action.NOTE_EDITED, target_id=str(changed.pk)).get()
    assert event.details["confirmed_against_version"] == current.pk
    assert event.actor_organisation_id == colombia.pk and event.message_version == 2
    assert FLAG not in _client(member).get(reverse("messages:detail", args=["migration-americas", CHANGED])).content.decode()
    assert _client(society_admin).get(reverse("messages:notes_overview")).context["overview"].needs_review == []
    # Confirming again changes nothing.
    note_confirm_review(acting_user=society_admin, note=changed)
    changed.refresh_from_db()
    assert changed.revision == 2


def test_editing_the_note_clears_the_flag(noted, society_admin, new_text):
    changed = noted[0]
    _new_edition(new_text)
    client = _client(society_admin)
    form = client.get(reverse("messages:message_note", args=["migration-americas", CHANGED])).context["form"]
    response = client.post(
        reverse("messages:message_note", args=["migration-americas", CHANGED]),
        {"text": "Our note, revised for edition 2.", "visibility": "region", "revision": form["revision"].value(), "note": form["note"].value()},
    )
    assert response.status_code == 302
    changed.refresh_from_db()
    assert not changed.needs_review
    assert changed.anchored_version.number == 2


def test_saving_the_same_text_after_a_change_still_confirms(noted, society_admin, new_text):
    """An editor who opens the flagged note and saves it unchanged has reviewed it."""
    changed = noted[0]
    _new_edition(new_text)
    note_save(
        acting_user=society_admin,
        message=Message.objects.get(identifier=CHANGED),
        text=changed.text,
        visibility=changed.visibility,
        expected_revision=changed.revision,
    )
    changed.refresh_from_db()
    assert not changed.needs_review and changed.revision == 2


def test_only_the_societys_editors_confirm(noted, member, new_text):
    changed = noted[0]
    _new_edition(new_text)
    mexican_admin = _person("mexico", Membership.Role.SOCIETY_ADMIN, "admin@mexico.example.org")
    for user in (member, mexican_admin):
        assert _client(user).post(reverse("messages:note_confirm_review", args=[changed.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            note_confirm_review(acting_user=user, note=changed)
    changed.refresh_from_db()
    assert changed.needs_review and changed.revision == 1
    editor = _person("colombia", Membership.Role.MEMBER, "editor@colombia.example.org", editor=True)
    assert _client(editor).post(reverse("messages:note_confirm_review", args=[changed.pk])).status_code == 302
    changed.refresh_from_db()
    assert not changed.needs_review


def test_a_deleted_note_is_not_confirmed(noted, society_admin, new_text):
    changed = noted[0]
    _new_edition(new_text)
    note_delete(acting_user=society_admin, note=changed)
    with pytest.raises(ValidationError):
        note_confirm_review(acting_user=society_admin, note=changed)
    response = _client(society_admin).post(reverse("messages:note_confirm_review", args=[changed.pk]))
    assert response.status_code == 302
    changed.refresh_from_db()
    assert changed.revision == 1 and changed.anchored_version.number == 1
    assert not AuditEvent.objects.filter(action=Action.NOTE_EDITED, target_id=str(changed.pk)).exists()


def test_restoring_a_revision_written_against_the_old_text_flags_it_again(noted, society_admin, new_text):
    """A restore is exact, anchor included: text written against version 1 needs review against version 2."""
    changed = noted[0]
    _new_edition(new_text)
    note_confirm_review(acting_user=society_admin, note=changed)
    restored = note_restore(acting_user=society_admin, note=changed, number=1)
    assert restored.anchored_version.number == 1
    assert restored.needs_review
    assert canonical_change(restored) is not None


def test_a_note_written_after_the_change_needs_no_review(library, society_admin, new_text):
    _new_edition(new_text)
    note = _note(society_admin, CHANGED, "Written against edition 2.")
    assert note.anchored_version.number == 2
    assert not note.needs_review
    assert canonical_change(note) is None
    assert ContextNote.objects.get().revision == 1


@pytest.mark.db_independent
@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("The cat sat on the mat.", "The dog sat on the red mat.", [("same", "The "), ("removed", "cat "), ("added", "dog "), ("same", "sat on the "), ("added", "red "), ("same", "mat.")]),
        ("", "New text.", [("added", "New text.")]),
        ("Old text.", "", [("removed", "Old text.")]),
        ("Same.", "Same.", [("same", "Same.")]),
        ("One two three four.", "Five six seven.", [("removed", "One two three four."), ("added", "Five six seven.")]),
    ],
    ids=["words", "from-empty", "to-empty", "unchanged", "rewritten"],
)
def test_word_diff(old, new, expected):
    assert word_diff(old, new) == expected


def test_the_page_of_an_earlier_version_shows_no_notes_panel(noted, member, new_text):
    """Notes are about the current text: an earlier version's page shows none (and never 'No note yet'
    while the message has one)."""
    _new_edition(new_text)
    client = _client(member)
    old = client.get(reverse("messages:version", args=["migration-americas", CHANGED, 1]))
    assert old.status_code == 200
    html = old.content.decode()
    assert "You are reading version 1" in html
    assert 'class="notes-panel"' not in html and "No note yet." not in html
    assert "Our note on the principle." not in html
    current = client.get(reverse("messages:detail", args=["migration-americas", CHANGED])).content.decode()
    assert 'class="notes-panel"' in current and "Our note on the principle." in current
