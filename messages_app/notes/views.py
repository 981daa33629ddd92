"""Pages to write, review, restore and overview contextualisation notes. Thin: selectors and services."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.services import AuditWriteFailed
from messages_app.notes import selectors as note_selectors, services as note_services
from messages_app.catalogue import selectors
from messages_app.catalogue.access import document_page
from messages_app.catalogue.reads import record_shown, shown
from core.flash import flash_outcome

from messages_app.notes.forms import NoteForm
from messages_app.notes.markup import render_note
from messages_app.notes.permissions import can_edit_notes_of, can_undelete_note


def _edit(request, *, message=None, section=None, back_url):
    society, note = note_selectors.own_note_for_edit(fetched_by=request.user, message=message, section=section)
    initial = {"text": note.text, "visibility": note.visibility, "revision": note.revision, "note": note.pk} if note else {}
    form = NoteForm(request.POST or None, initial=initial)
    context = {"form": form, "note": note, "society": society, "message": message, "section": section, "back_url": back_url}
    if note is not None:
        context["canonical_change"] = note_selectors.canonical_change(note)
    if request.method == "POST" and form.is_valid() and "preview" in request.POST:
        context["preview"] = render_note(form.cleaned_data["text"])
    elif request.method == "POST" and form.is_valid():
        try:
            note_services.note_save(
                acting_user=request.user,
                message=message,
                section=section,
                text=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
                expected_revision=form.cleaned_data["revision"],
                expected_note_id=form.cleaned_data["note"],
            )
        except note_services.NoteConflict as conflict:
            record_shown(request, notes=[conflict.note])
            return render(
                request,
                "messages_app/notes/note_conflict.html",
                {
                    **context,
                    "current": conflict.note,
                    "current_html": render_note(conflict.note.text),
                    "attempted_text": conflict.attempted_text,
                    "form": NoteForm(
                        initial={
                            "text": conflict.attempted_text,
                            "visibility": conflict.attempted_visibility,
                            "revision": conflict.note.revision,
                            "note": conflict.note.pk,
                        }
                    ),
                },
                status=409,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            flash.success(request, _("Note saved. It is shown beside the canonical text."))
            return redirect(back_url)
    # The page shows the canonical text beside the form (and, on first opening, the note's text):
    # reads, recorded like any other.
    record_shown(
        request,
        notes=[note] if note is not None and request.method != "POST" else [],
        reads=shown([message], "editor") if message is not None else [],
    )
    return render(request, "messages_app/notes/note_edit.html", context)


# A database that could not take the write for a while: SQLite's write lock still held by others
# when the busy timeout ran out; on PostgreSQL a serialization failure, a deadlock, a lock or
# statement timeout. Nothing is wrong with the note: the same save may succeed a moment later.
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})


def _database_busy(error) -> bool:
    while error is not None:
        if any(text in str(error) for text in _BUSY_MESSAGES) or getattr(error, "sqlstate", None) in _BUSY_SQLSTATES:
            return True
        error = error.__cause__
    return False


def _edit_in_transaction(request, subject):
    """The request's transaction, opened here rather than by ATOMIC_REQUESTS (off for the two note
    form views) so that a save that fails because the database is busy gives the editor the form
    back with what they typed, not an error page that loses it. `subject()` reads the message or
    section (and may answer 404)."""
    try:
        with transaction.atomic():
            return _edit(request, **subject())
    except (OperationalError, AuditWriteFailed) as error:
        if request.method != "POST" or not _database_busy(error):
            raise
    return _busy_form(request, **subject())


def _busy_form(request, *, message=None, section=None, back_url):
    """The form again, with the text the editor typed and the revision they started from, saying why
    it was not saved. Nothing is written (the database is busy), so the page shows no canonical text
    nor any note: their reads could not be recorded."""
    society, note = note_selectors.own_note_for_edit(fetched_by=request.user, message=message, section=section)
    context = {
        "form": NoteForm(request.POST), "note": note, "society": society, "message": message, "section": section,
        "back_url": back_url, "database_busy": True,
    }
    response = render(request, "messages_app/notes/note_edit.html", context, status=503)
    response["Retry-After"] = "5"
    return response


@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
@document_page
def message_note(request, document, identifier):
    def subject():
        message = selectors.message_detail(document=document, identifier=identifier, fetched_by=request.user).message
        return {"message": message, "back_url": message.get_absolute_url()}

    return _edit_in_transaction(request, subject)


@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
@document_page
def section_note(request, document, key):
    def subject():
        section = selectors.section_detail(document=document, key=key, fetched_by=request.user).section
        return {"section": section, "back_url": section.get_absolute_url()}

    return _edit_in_transaction(request, subject)


@require_safe
def note_history(request, note_id):
    note, revisions = note_selectors.note_history(fetched_by=request.user, note_id=note_id)
    record_shown(request, notes=[note])
    can_edit = bool(can_edit_notes_of(request.user, note.national_society))
    return render(request, "messages_app/notes/note_history.html", {"note": note, "revisions": revisions, "can_edit": can_edit})


@require_http_methods(["GET", "POST"])
def note_restore(request, note_id, number):
    note = note_selectors.access_own_note_by_id(fetched_by=request.user, note_id=note_id, rule=note_selectors.may_edit)
    revision = get_object_or_404(note.revisions, number=number)
    if request.method == "POST":
        flash_outcome(
            request,
            lambda: note_services.note_restore(acting_user=request.user, note=note, number=number),
            _("Revision %(n)d is the note's text again.") % {"n": number},
        )
        return redirect("messages:note_history", note.pk)
    record_shown(request, notes=[note])
    return render(request, "messages_app/notes/note_confirm.html", {"note": note, "revision": revision, "action": "restore", "preview": render_note(revision.text)})


@require_http_methods(["GET", "POST"])
def note_delete(request, note_id):
    note = note_selectors.access_own_note_by_id(fetched_by=request.user, note_id=note_id, rule=note_selectors.may_edit)
    if request.method == "POST":
        note_services.note_delete(acting_user=request.user, note=note)
        flash.success(request, _("Note deleted. A society admin can bring it back from the notes overview."))
        return redirect(note.subject.get_absolute_url())
    record_shown(request, notes=[note])
    return render(request, "messages_app/notes/note_confirm.html", {"note": note, "action": "delete", "preview": render_note(note.text)})


@require_POST
def note_undelete(request, note_id):
    note = note_selectors.access_own_note_by_id(fetched_by=request.user, note_id=note_id, rule=can_undelete_note)
    flash_outcome(request, lambda: note_services.note_undelete(acting_user=request.user, note=note), _("The note is back."))
    return redirect("messages:notes_overview")


@require_POST
def note_confirm_review(request, note_id):
    note = note_selectors.access_own_note_by_id(fetched_by=request.user, note_id=note_id, rule=note_selectors.may_edit)
    flash_outcome(
        request,
        lambda: note_services.note_confirm_review(acting_user=request.user, note=note),
        _("Marked as reviewed against the current canonical text."),
    )
    return redirect(note.subject.get_absolute_url())


@require_safe
def notes_overview(request):
    overview = note_selectors.society_overview(fetched_by=request.user)
    documents = selectors.documents_for_reader(fetched_by=request.user)
    return render(request, "messages_app/notes/notes_overview.html", {"overview": overview, "documents": documents})


@require_safe
@document_page
def notes_coverage(request, document):
    coverage = note_selectors.coverage_matrix(document=document, fetched_by=request.user)
    return render(request, "messages_app/notes/notes_coverage.html", {"coverage": coverage, "document": document})


