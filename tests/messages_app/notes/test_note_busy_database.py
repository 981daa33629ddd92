"""A note save that fails because the database is busy (SQLite's write lock still taken when the busy
timeout ran out) gives the editor the form back with what they typed: never a server error that
loses it. The busy database is simulated: the note's or the access-log row's INSERT is refused with
the error SQLite raises."""

from contextlib import contextmanager
from html import unescape

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.catalogue.models import Message, Section
from messages_app.notes.models import ContextNote
from national_societies.models import Membership
from tests.accounts import person, sign_in

MESSAGE_ID = "DET-04"
TYPED = "Typed while the database was busy: BusyCanary7 & <kept>."
BUSY_ALERT = "The note was not saved: the library was too busy to record it just now."


@pytest.fixture
def busy_editor(library, colombia):
    """A Colombian member whom the society admin made an editor (no second factor needed)."""
    user = person("colombia", Membership.Role.MEMBER, "busy-editor@colombia.example.org", editor=True)
    return sign_in(Client(), user)


@contextmanager
def refusing_inserts_into(model, error="database is locked"):
    """Every INSERT into the model's table fails as SQLite fails it when the lock stays taken."""
    table = connection.ops.quote_name(model._meta.db_table).upper()

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(f"INSERT INTO {table}"):
            raise OperationalError(error)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def _page(response):
    return unescape(response.content.decode())


@pytest.mark.parametrize("refused", [ContextNote, AuditEvent], ids=["note row", "access-log row"])
def test_a_save_refused_by_a_busy_database_gives_the_form_back_with_the_text(busy_editor, refused):
    url = reverse("messages:message_note", args=["migration-americas", MESSAGE_ID])
    canonical = Message.objects.select_related("current_version").get(identifier=MESSAGE_ID).current_version.text
    form = {"text": TYPED, "visibility": "society", "revision": "", "note": ""}
    with refusing_inserts_into(refused):
        response = busy_editor.post(url, form)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = _page(response)
    assert BUSY_ALERT in page
    assert TYPED in page  # in the textarea, as typed
    assert canonical not in page  # its read could not be recorded: not shown
    assert not ContextNote.objects.exists()

    # The same form, sent again once the database is free, saves the note.
    again = busy_editor.post(url, form)
    assert again.status_code == 302
    note = ContextNote.objects.get()
    assert note.text == TYPED
    assert AuditEvent.objects.filter(action=Action.NOTE_CREATED).count() == 1


def test_an_edit_refused_by_a_busy_database_keeps_the_revision_it_started_from(busy_editor):
    url = reverse("messages:message_note", args=["migration-americas", MESSAGE_ID])
    assert busy_editor.post(url, {"text": "First version.", "visibility": "society", "revision": "", "note": ""}).status_code == 302
    note = ContextNote.objects.get()
    form = {"text": TYPED, "visibility": "region", "revision": str(note.revision), "note": str(note.pk)}
    with refusing_inserts_into(AuditEvent):
        response = busy_editor.post(url, form)
    assert response.status_code == 503
    assert response.context["form"]["revision"].value() == str(note.revision)
    assert response.context["form"]["visibility"].value() == "region"
    note.refresh_from_db()
    assert (note.text, note.revision) == ("First version.", 1)
    assert busy_editor.post(url, form).status_code == 302
    note.refresh_from_db()
    assert (note.text, note.revision) == (TYPED, 2)


def test_a_section_note_too(busy_editor):
    section = Section.objects.order_by("position").first()
    url = reverse("messages:section_note", args=["migration-americas", section.key])
    with refusing_inserts_into(ContextNote):
        response = busy_editor.post(url, {"text": TYPED, "visibility": "society", "revision": "", "note": ""})
    assert response.status_code == 503
    assert TYPED in _page(response)


def test_other_database_errors_are_not_taken_for_a_busy_database(busy_editor):
    url = reverse("messages:message_note", args=["migration-americas", MESSAGE_ID])
    with refusing_inserts_into(ContextNote, error="no such table: notes"), pytest.raises(OperationalError):
        busy_editor.post(url, {"text": TYPED, "visibility": "society", "revision": "", "note": ""})


def test_opening_the_form_still_records_its_reads_in_the_requests_transaction(busy_editor):
    """The two views open the request's transaction themselves: a GET whose access-log row cannot be
    written is still not served (503 from the access log, not the form)."""
    url = reverse("messages:message_note", args=["migration-americas", MESSAGE_ID])
    with refusing_inserts_into(AuditEvent, error="disk I/O error"):
        response = busy_editor.get(url)
    assert response.status_code == 503
    assert BUSY_ALERT not in _page(response)
    assert busy_editor.get(url).status_code == 200
