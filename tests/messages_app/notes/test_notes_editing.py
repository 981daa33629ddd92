"""Writing contextualisation notes: who may, revisions and restore, conflicts, soft delete, form errors,
and the access-log events of every write."""

from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.notes import services as note_services
from messages_app.catalogue.models import Message, Section
from messages_app.notes.models import NOTE_MAX_LENGTH, ContextNote, ContextNoteRevision, Visibility
from messages_app.notes.services import NoteConflict, note_delete, note_restore, note_save, note_undelete
from national_societies.models import Membership
from tests.accounts import sign_in
from tests.accounts import person as _person

MESSAGE_ID = "DET-04"
SECTION_KEY = "detention-deportation"
CANARY = "CanaryEditQ5"




@pytest.fixture
def message(library):
    return Message.objects.get(identifier=MESSAGE_ID)


@pytest.fixture
def editor(colombia):
    """A Colombian member whom the society admin made an editor."""
    return _person("colombia", Membership.Role.MEMBER, "editor@colombia.example.org", editor=True)


@pytest.fixture
def mexican_admin(mexico):
    return _person("mexico", Membership.Role.SOCIETY_ADMIN, "admin@mexico.example.org")


def _client(user):
    return sign_in(Client(), user)


def _edit_url():
    return reverse("messages:message_note", args=["migration-americas", MESSAGE_ID])


def _message_html(client):
    return client.get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID])).content.decode()


def _form_data(response, **changes):
    """What the browser sends back: the edit form's initial values (hidden revision and note), changed."""
    form = response.context["form"]
    data = {name: form[name].value() for name in ("text", "visibility", "revision", "note")}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(changes)
    return data


def _flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _note(author, text=f"Colombian context {CANARY}.", visibility=Visibility.SOCIETY, *, message_id=MESSAGE_ID):
    return note_save(
        acting_user=author,
        message=Message.objects.get(identifier=message_id),
        text=text,
        visibility=visibility,
        expected_revision=None,
    )


# --- Who writes ---------------------------------------------------------------------------------


def test_a_member_without_the_editor_flag_cannot_write(member_client, member, message):
    assert member_client.get(_edit_url()).status_code == 404
    assert member_client.post(_edit_url(), {"text": "Mine.", "visibility": "society"}).status_code == 404
    assert member_client.get(reverse("messages:section_note", args=["migration-americas", SECTION_KEY])).status_code == 404
    with pytest.raises(PermissionDenied):
        note_save(acting_user=member, message=message, text="Mine.", visibility="society", expected_revision=None)
    assert not ContextNote.objects.exists()
    html = _message_html(member_client)
    assert _edit_url() not in html
    assert "Add a note for" not in html


def test_the_admin_makes_a_member_an_editor_and_takes_it_back(society_admin_client, member, colombia, message):
    toggle = reverse("national_societies:member_editor", args=[colombia.slug, member.pk])
    member_client = _client(member)
    assert member_client.get(_edit_url()).status_code == 404

    society_admin_client.post(toggle, {"can_edit_notes": "on"})
    assert Membership.objects.get(user=member).can_edit_notes is True
    assert "Add a note for Colombian Red Cross" in _message_html(member_client)
    assert member_client.get(_edit_url()).status_code == 200
    response = member_client.post(_edit_url(), {"text": f"Written by an editor {CANARY}.", "visibility": "society"})
    assert response.status_code == 302
    assert response["Location"] == message.get_absolute_url()
    note = ContextNote.objects.get()
    assert (note.national_society, note.message, note.updated_by, note.revision) == (colombia, message, member, 1)
    assert CANARY in _message_html(member_client)

    society_admin_client.post(toggle, {})
    assert Membership.objects.get(user=member).can_edit_notes is False
    assert member_client.get(_edit_url()).status_code == 404
    with pytest.raises(PermissionDenied):
        note_save(acting_user=member, message=message, text="Again.", visibility="society", expected_revision=1)
    assert ContextNote.objects.get().text == f"Written by an editor {CANARY}."


def test_the_editor_and_the_admin_write_one_and_the_same_society_note(society_admin, editor, message):
    first = _note(editor, "First words.")
    second = note_save(acting_user=society_admin, message=message, text="Second words.", visibility="society", expected_revision=1)
    assert first.pk == second.pk
    assert ContextNote.objects.count() == 1
    assert list(second.revisions.values_list("number", "author__email")) == [(1, editor.email), (2, society_admin.email)]


def test_another_society_admin_cannot_touch_colombias_note(society_admin, mexican_admin, message, mexico):
    note = _note(society_admin, visibility=Visibility.REGION)
    client = _client(mexican_admin)
    # The edit page is their own society's, empty: Colombia's text is not in it.
    response = client.get(_edit_url())
    assert response.status_code == 200
    assert CANARY not in response.content.decode()
    assert "Add a local note" in response.content.decode()
    assert response.context["society"] == mexico and response.context["note"] is None
    # Saving writes a Mexican note beside Colombia's, never over it.
    response = client.post(_edit_url(), {"text": "Mexican context.", "visibility": "region", "revision": "1", "note": str(note.pk)})
    assert response.status_code == 302
    mexican = ContextNote.objects.get(national_society=mexico)
    assert mexican.text == "Mexican context." and mexican.revision == 1
    note.refresh_from_db()
    assert (note.text, note.revision, note.deleted_at) == (f"Colombian context {CANARY}.", 1, None)
    # Every page that acts on a note by id answers 404.
    for method, url in (
        ("get", reverse("messages:note_history", args=[note.pk])),
        ("get", reverse("messages:note_restore", args=[note.pk, 1])),
        ("post", reverse("messages:note_restore", args=[note.pk, 1])),
        ("get", reverse("messages:note_delete", args=[note.pk])),
        ("post", reverse("messages:note_delete", args=[note.pk])),
        ("post", reverse("messages:note_undelete", args=[note.pk])),
        ("post", reverse("messages:note_confirm_review", args=[note.pk])),
    ):
        assert getattr(client, method)(url).status_code == 404, url
    # And the services refuse.
    for write in (
        lambda: note_restore(acting_user=mexican_admin, note=note, number=1),
        lambda: note_delete(acting_user=mexican_admin, note=note),
        lambda: note_undelete(acting_user=mexican_admin, note=note),
        lambda: note_services.note_confirm_review(acting_user=mexican_admin, note=note),
    ):
        with pytest.raises(PermissionDenied):
            write()
    note.refresh_from_db()
    assert (note.text, note.revision, note.deleted_at) == (f"Colombian context {CANARY}.", 1, None)
    assert note.revisions.count() == 1


def test_focal_points_and_platform_admins_write_no_note(focal_point, platform_admin, society_admin, message):
    _note(society_admin, visibility=Visibility.FOCAL_POINTS)
    for user in (focal_point, platform_admin):
        client = _client(user)
        assert client.get(_edit_url()).status_code == 404
        assert client.post(_edit_url(), {"text": "Ours.", "visibility": "region"}).status_code == 404
        with pytest.raises(PermissionDenied):
            note_save(acting_user=user, message=message, text="Ours.", visibility="region", expected_revision=None)
    assert ContextNote.objects.count() == 1


# --- Revisions, history, restore ------------------------------------------------------------------


ORIGINAL = "Paragraph one, *emphasised*.\n\n- item one\n- item two\n\nKeep   these   spaces."


def _three_revisions(society_admin, editor, message):
    note = _note(society_admin, ORIGINAL, Visibility.SOCIETY)
    note = note_save(acting_user=editor, message=message, text="Paragraph one, reworded by the editor.", visibility="society", expected_revision=1)
    return note_save(acting_user=society_admin, message=message, text="Paragraph one, reworded by the editor.", visibility="focal_points", expected_revision=2)


def test_every_save_is_a_revision_with_author_time_and_text(society_admin, editor, message):
    note = _three_revisions(society_admin, editor, message)
    revisions = list(note.revisions.order_by("number"))
    assert [(r.number, r.author, r.text, r.visibility) for r in revisions] == [
        (1, society_admin, ORIGINAL, "society"),
        (2, editor, "Paragraph one, reworded by the editor.", "society"),
        (3, society_admin, "Paragraph one, reworded by the editor.", "focal_points"),
    ]
    assert all(r.created_at is not None for r in revisions)
    assert revisions[0].created_at <= revisions[1].created_at <= revisions[2].created_at
    assert all(r.anchored_version_id == message.current_version_id for r in revisions)
    assert note.revision == 3


def test_saving_the_same_text_again_adds_no_revision(society_admin, message):
    note = _note(society_admin)
    events = AuditEvent.objects.count()
    again = note_save(acting_user=society_admin, message=message, text=f"  Colombian context {CANARY}.\r\n", visibility="society", expected_revision=1)
    assert again.revision == 1 and again.revisions.count() == 1
    assert AuditEvent.objects.count() == events


def test_the_history_shows_each_revision_with_a_diff(member_client, society_admin, editor, message):
    note = _three_revisions(society_admin, editor, message)
    response = member_client.get(reverse("messages:note_history", args=[note.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "History of the note of the Colombian Red Cross" in html
    assert html.index("Revision 3") < html.index("Revision 2") < html.index("Revision 1")  # newest first
    assert society_admin.email in html and editor.email in html
    assert "My society and the IFRC/ICRC focal points" in html and "My society only" in html
    # Revision 2 against revision 1, block by block: the first paragraph reworded (its words marked),
    # the list and the last paragraph removed.
    diff = {r.revision.number: [(g.tag, [(b.status, b.parts) for b in g.blocks]) for g in r.diff] for r in response.context["revisions"]}
    assert diff[2] == [
        ("p", [("changed", [("same", "Paragraph one, "), ("removed", "*emphasised*."), ("added", "reworded by the editor.")])]),
        ("ul", [("removed", [("removed", "item one")]), ("removed", [("removed", "item two")])]),
        ("p", [("removed", [("removed", "Keep   these   spaces.")])]),
    ]
    assert '<p class="diff-changed">Paragraph one, <del>*emphasised*.</del><ins>reworded by the editor.</ins></p>' in html
    assert '<ul><li class="diff-removed"><del>item one</del></li><li class="diff-removed"><del>item two</del></li></ul>' in html
    # The first revision is all added, laid out as the note is.
    assert [tag for tag, _blocks in diff[1]] == ["p", "ul", "p"]
    assert all(status == "added" for _tag, blocks in diff[1] for status, _parts in blocks)
    # Revision 3 changed the visibility only: no word changed.
    assert all(status == "same" for _tag, blocks in diff[3] for status, _parts in blocks)
    # A member reads the history but restores nothing: no restore link.
    assert reverse("messages:note_restore", args=[note.pk, 1]) not in html


def test_an_editor_restores_a_revision_exactly(society_admin, editor, message):
    note = _three_revisions(society_admin, editor, message)
    client = _client(editor)
    history = client.get(reverse("messages:note_history", args=[note.pk])).content.decode()
    assert reverse("messages:note_restore", args=[note.pk, 1]) in history
    assert reverse("messages:note_restore", args=[note.pk, 3]) not in history  # the current one

    confirm = client.get(reverse("messages:note_restore", args=[note.pk, 1]))
    assert confirm.status_code == 200
    assert "<em>emphasised</em>" in confirm.content.decode()
    response = client.post(reverse("messages:note_restore", args=[note.pk, 1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("messages:note_history", args=[note.pk])

    note.refresh_from_db()
    first = note.revisions.get(number=1)
    assert note.text == first.text == ORIGINAL
    assert note.visibility == first.visibility == "society"
    assert note.anchored_version_id == first.anchored_version_id
    assert note.revision == 4 and note.updated_by == editor
    latest = note.revisions.get(number=4)
    assert (latest.text, latest.visibility, latest.restored_from, latest.author) == (ORIGINAL, "society", 1, editor)
    # The restored-over revisions are all still there, unchanged.
    assert list(note.revisions.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert note.revisions.get(number=3).visibility == "focal_points"
    assert "restored from revision 1" in client.get(reverse("messages:note_history", args=[note.pk])).content.decode()
    event = AuditEvent.objects.filter(action=Action.NOTE_EDITED, target_id=str(note.pk)).latest("id")
    assert event.details["restored_from"] == 1 and event.details["revision"] == 4


def test_a_member_cannot_restore_and_an_unknown_revision_is_404(member_client, society_admin, editor, message):
    note = _three_revisions(society_admin, editor, message)
    assert member_client.get(reverse("messages:note_restore", args=[note.pk, 1])).status_code == 404
    assert member_client.post(reverse("messages:note_restore", args=[note.pk, 1])).status_code == 404
    note.refresh_from_db()
    assert note.revision == 3
    admin = _client(society_admin)
    assert admin.get(reverse("messages:note_restore", args=[note.pk, 9])).status_code == 404
    with pytest.raises(ValidationError):
        note_restore(acting_user=society_admin, note=note, number=9)


# --- Two editors at once -------------------------------------------------------------------------


def test_two_editors_at_once_the_second_gets_a_conflict_and_nothing_is_lost(society_admin, editor, message):
    note = _note(society_admin, "The original text.")
    first, second = _client(society_admin), _client(editor)
    first_form, second_form = first.get(_edit_url()), second.get(_edit_url())
    assert first_form.context["form"]["revision"].value() == second_form.context["form"]["revision"].value() == 1

    saved = first.post(_edit_url(), _form_data(first_form, text="The admin's text."))
    assert saved.status_code == 302
    conflict = second.post(_edit_url(), _form_data(second_form, text="The editor's text."))
    assert conflict.status_code == 409
    html = unescape(conflict.content.decode())
    assert "The note changed while you were editing" in html
    assert "The admin's text." in html  # what was saved meanwhile
    assert "The editor's text." in html  # what they typed, in the form, not saved
    assert conflict.context["current"].text == "The admin's text."
    assert conflict.context["form"]["text"].value() == "The editor's text."
    assert society_admin.email in html
    note.refresh_from_db()
    assert (note.text, note.revision) == ("The admin's text.", 2)

    # Saving again from the conflict page (it carries the new revision) keeps their text on top.
    assert conflict.context["form"]["revision"].value() == 2
    resolved = second.post(_edit_url(), _form_data(conflict))
    assert resolved.status_code == 302
    note.refresh_from_db()
    assert (note.text, note.revision) == ("The editor's text.", 3)
    assert list(note.revisions.values_list("text", flat=True)) == ["The original text.", "The admin's text.", "The editor's text."]


def test_two_editors_adding_the_first_note_at_once(society_admin, editor, message):
    first, second = _client(society_admin), _client(editor)
    first_form, second_form = first.get(_edit_url()), second.get(_edit_url())
    assert first.post(_edit_url(), _form_data(first_form, text="Added by the admin.")).status_code == 302
    response = second.post(_edit_url(), _form_data(second_form, text="Added by the editor."))
    assert response.status_code == 409
    assert ContextNote.objects.get().text == "Added by the admin."


def test_a_stale_revision_raises_a_conflict_and_saves_nothing(society_admin, editor, message):
    note = _note(society_admin, "One.")
    note_save(acting_user=editor, message=message, text="Two.", visibility="society", expected_revision=1)
    with pytest.raises(NoteConflict) as raised:
        note_save(acting_user=society_admin, message=message, text="Three.", visibility="region", expected_revision=1)
    assert raised.value.note.text == "Two." and raised.value.attempted_text == "Three."
    assert raised.value.attempted_visibility == "region"
    note.refresh_from_db()
    assert (note.text, note.revision, note.visibility) == ("Two.", 2, "society")
    assert note.revisions.count() == 2


def test_a_note_deleted_and_replaced_meanwhile_is_a_conflict_even_at_the_same_revision(society_admin, editor, message):
    """The edit lock is the note *and* its revision: another note that reached revision 1 too is not the one opened."""
    old = _note(society_admin, "The old note.")
    form = _client(editor).get(_edit_url())
    note_delete(acting_user=society_admin, note=old)
    replacement = _note(society_admin, "The replacement note.")
    assert replacement.revision == old.revision == 1
    response = _client(editor).post(_edit_url(), _form_data(form, text="The editor's edit of the old note."))
    assert response.status_code == 409
    replacement.refresh_from_db()
    assert replacement.text == "The replacement note."


def test_a_note_created_between_lookup_and_insert_is_a_conflict_not_a_server_error(society_admin, editor, message, monkeypatch):
    """The race the row lock cannot cover: nothing to lock yet. The unique constraint catches it."""
    _note(society_admin, "Created by the admin a moment earlier.")
    manager = ContextNote.objects
    calls = []

    class BlindFirstLookup:
        """The first lookup sees the database as it was before the admin's note was committed."""

        def select_for_update(self):
            return self

        def filter(self, *args, **kwargs):
            calls.append(kwargs)
            queryset = manager.select_for_update().filter(*args, **kwargs)
            return queryset.none() if len(calls) == 1 else queryset

        def create(self, **kwargs):
            return manager.create(**kwargs)

    monkeypatch.setattr(note_services.ContextNote, "objects", BlindFirstLookup())
    with pytest.raises(NoteConflict) as raised:
        note_save(acting_user=editor, message=message, text="The editor's note.", visibility="society", expected_revision=None)
    monkeypatch.undo()
    assert raised.value.note.text == "Created by the admin a moment earlier."
    assert list(ContextNote.objects.values_list("text", flat=True)) == ["Created by the admin a moment earlier."]
    assert ContextNoteRevision.objects.count() == 1


# --- Soft delete and undo ------------------------------------------------------------------------


def test_deletion_is_soft_hidden_everywhere_history_kept_and_an_admin_undoes_it(society_admin, editor, member, focal_point, message, colombia):
    note = _note(society_admin, f"To be deleted {CANARY} zebrafinch.", Visibility.REGION)
    editor_client = _client(editor)
    confirm = editor_client.get(reverse("messages:note_delete", args=[note.pk]))
    assert confirm.status_code == 200 and CANARY in confirm.content.decode()
    response = editor_client.post(reverse("messages:note_delete", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == message.get_absolute_url()
    note.refresh_from_db()
    assert note.deleted_at is not None and note.deleted_by == editor
    assert note.revisions.count() == 1  # the history is kept

    member_client = _client(member)
    focal_client = _client(focal_point)
    for client in (member_client, focal_client):
        assert CANARY not in _message_html(client)
        search = client.get(reverse("messages:search"), {"q": "zebrafinch"})
        assert CANARY not in search.content.decode() and search.context["notes"] == []
    coverage = focal_client.get(reverse("messages:notes_coverage", args=["migration-americas"])).context["coverage"]
    assert {s.slug: total for s, _cells, total in coverage.rows}["colombia"] == 0
    # Its society still reads its history; nobody else does, whatever the visibility was.
    history = member_client.get(reverse("messages:note_history", args=[note.pk]))
    assert history.status_code == 200
    assert CANARY in history.content.decode() and "This note was deleted on" in history.content.decode()
    assert reverse("messages:note_restore", args=[note.pk, 1]) not in _client(society_admin).get(reverse("messages:note_history", args=[note.pk])).content.decode()
    assert focal_client.get(reverse("messages:note_history", args=[note.pk])).status_code == 404

    # The overview lists it as deleted; only the admin gets the undo button.
    undo = reverse("messages:note_undelete", args=[note.pk])
    overview = member_client.get(reverse("messages:notes_overview"))
    assert overview.context["overview"].notes == [] and overview.context["overview"].deleted == [note]
    assert undo not in overview.content.decode()
    assert undo in _client(society_admin).get(reverse("messages:notes_overview")).content.decode()

    # A member and an editor cannot undo it.
    assert member_client.post(undo).status_code == 404
    assert editor_client.post(undo).status_code == 404
    with pytest.raises(PermissionDenied):
        note_undelete(acting_user=editor, note=note)
    note.refresh_from_db()
    assert note.deleted_at is not None

    # The admin can.
    response = _client(society_admin).post(undo)
    assert response.status_code == 302 and response["Location"] == reverse("messages:notes_overview")
    note.refresh_from_db()
    assert note.deleted_at is None and note.deleted_by is None
    assert CANARY in _message_html(member_client)
    assert CANARY in _message_html(focal_client)


def test_undo_is_refused_when_the_message_has_a_newer_note(society_admin, message):
    old = _note(society_admin, "The old note.")
    note_delete(acting_user=society_admin, note=old)
    _note(society_admin, "The newer note.")
    response = _client(society_admin).post(reverse("messages:note_undelete", args=[old.pk]))
    assert response.status_code == 302
    assert any("already has a newer note" in text for text in _flashes(response))
    old.refresh_from_db()
    assert old.deleted_at is not None
    assert ContextNote.objects.get(deleted_at__isnull=True).text == "The newer note."
    with pytest.raises(ValidationError):
        note_undelete(acting_user=society_admin, note=old)


def test_a_deleted_note_cannot_be_restored_or_edited_by_id(society_admin, message):
    note = _note(society_admin, "One.")
    note = note_save(acting_user=society_admin, message=message, text="Two.", visibility="society", expected_revision=1)
    note_delete(acting_user=society_admin, note=note)
    response = _client(society_admin).post(reverse("messages:note_restore", args=[note.pk, 1]))
    assert response.status_code == 302
    assert any("Restore the deleted note first." in text for text in _flashes(response))
    note.refresh_from_db()
    assert (note.text, note.revision, note.revisions.count()) == ("Two.", 2, 2)


def test_a_member_cannot_delete(member_client, member, society_admin, message):
    note = _note(society_admin)
    assert member_client.get(reverse("messages:note_delete", args=[note.pk])).status_code == 404
    assert member_client.post(reverse("messages:note_delete", args=[note.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        note_delete(acting_user=member, note=note)
    note.refresh_from_db()
    assert note.deleted_at is None


# --- Form: length, empty text, preview, section notes ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write the note, or delete it."),
        ("   \r\n\t  ", "Write the note, or delete it."),
        ("x" * (NOTE_MAX_LENGTH + 1), f"A note has at most {NOTE_MAX_LENGTH} characters (this one has {NOTE_MAX_LENGTH + 1})."),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_form_errors_are_clear_and_nothing_is_saved(society_admin_client, text, error):
    response = society_admin_client.post(_edit_url(), {"text": text, "visibility": "society"})
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'class="errorlist"' in html
    assert not ContextNote.objects.exists()


def test_an_unknown_visibility_is_a_form_error(society_admin_client, society_admin, message):
    response = society_admin_client.post(_edit_url(), {"text": "Fine.", "visibility": "everyone"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not ContextNote.objects.exists()
    with pytest.raises(ValidationError) as raised:
        note_save(acting_user=society_admin, message=message, text="Fine.", visibility="everyone", expected_revision=None)
    assert "visibility" in raised.value.message_dict


def test_the_length_limit_is_exact_and_counts_a_line_break_as_one_character(society_admin_client):
    # Browsers send line breaks as CRLF: 100 lines of 49 characters plus 99 breaks is 4999 characters, not 5098.
    text = "\r\n".join(["y" * 49] * 100) + "z"
    assert len(text.replace("\r\n", "\n")) == NOTE_MAX_LENGTH
    response = society_admin_client.post(_edit_url(), {"text": text, "visibility": "society"})
    assert response.status_code == 302
    note = ContextNote.objects.get()
    assert len(note.text) == NOTE_MAX_LENGTH and "\r" not in note.text


def test_the_service_refuses_null_characters_and_too_long_text(society_admin, message):
    for text in ("a\x00b", "x" * (NOTE_MAX_LENGTH + 1)):
        with pytest.raises(ValidationError) as raised:
            note_save(acting_user=society_admin, message=message, text=text, visibility="society", expected_revision=None)
        assert "text" in raised.value.message_dict
    assert not ContextNote.objects.exists()


def test_preview_renders_without_saving(society_admin_client):
    response = society_admin_client.post(_edit_url(), {"text": "Some *preview*.", "visibility": "society", "preview": "1"})
    assert response.status_code == 200
    assert "<em>preview</em>" in response.content.decode()
    assert not ContextNote.objects.exists()


def test_a_section_note_is_written_on_the_section_page(society_admin_client, society_admin, colombia):
    section = Section.objects.get(key=SECTION_KEY)
    url = reverse("messages:section_note", args=["migration-americas", SECTION_KEY])
    assert url in society_admin_client.get(section.get_absolute_url()).content.decode()
    response = society_admin_client.post(url, {"text": f"Section context {CANARY}.", "visibility": "focal_points"})
    assert response.status_code == 302 and response["Location"] == section.get_absolute_url()
    note = ContextNote.objects.get()
    assert (note.section, note.message, note.anchored_version, note.visibility) == (section, None, None, "focal_points")
    assert CANARY in society_admin_client.get(section.get_absolute_url()).content.decode()
    assert not note.needs_review


# --- Access log of writes ------------------------------------------------------------------------


def test_every_write_is_in_the_access_log(society_admin, editor, colombia, message):
    editor_client = _client(editor)
    editor_client.post(_edit_url(), {"text": "Created.", "visibility": "society"})
    note = ContextNote.objects.get()
    form = editor_client.get(_edit_url())
    editor_client.post(_edit_url(), _form_data(form, text="Edited.", visibility="region"))
    editor_client.post(reverse("messages:note_delete", args=[note.pk]))
    _client(society_admin).post(reverse("messages:note_undelete", args=[note.pk]))

    writes = list(
        AuditEvent.objects.filter(target_type="note", target_id=str(note.pk))
        .exclude(action=Action.NOTE_VIEWED)
        .order_by("id")
        .values_list("action", "actor_user_id", "actor_organisation_id", "message_identifier")
    )
    assert writes == [
        (Action.NOTE_CREATED, editor.pk, colombia.pk, MESSAGE_ID),
        (Action.NOTE_EDITED, editor.pk, colombia.pk, MESSAGE_ID),
        (Action.NOTE_DELETED, editor.pk, colombia.pk, MESSAGE_ID),
        (Action.NOTE_EDITED, society_admin.pk, colombia.pk, MESSAGE_ID),
    ]
    events = list(AuditEvent.objects.filter(target_type="note", target_id=str(note.pk)).exclude(action=Action.NOTE_VIEWED).order_by("id"))
    assert [e.details["organisation"] for e in events] == ["colombia"] * 4
    assert [e.details["revision"] for e in events] == [1, 2, 2, 2]
    assert events[1].details["visibility"] == "region"
    assert events[3].details["undeleted"] is True


def test_pages_that_show_the_own_note_record_a_view(society_admin, colombia, message):
    note = _note(society_admin, "One.")
    note_save(acting_user=society_admin, message=message, text="Two.", visibility="society", expected_revision=1)
    client = _client(society_admin)

    def viewed():
        return AuditEvent.objects.filter(action=Action.NOTE_VIEWED, target_id=str(note.pk), actor_organisation_id=colombia.pk).count()

    for url in (
        _edit_url(),
        reverse("messages:note_history", args=[note.pk]),
        reverse("messages:note_restore", args=[note.pk, 1]),
        reverse("messages:note_delete", args=[note.pk]),
    ):
        before = viewed()
        assert client.get(url).status_code == 200
        assert viewed() == before + 1, url
