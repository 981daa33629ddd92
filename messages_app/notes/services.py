"""Writes to contextualisation notes. Every save is a revision and an access-log event."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from national_societies.viewer import viewer_of

from messages_app.notes.models import NOTE_MAX_LENGTH, ContextNote, ContextNoteRevision, Visibility
from messages_app.notes.permissions import can_edit_notes_of, can_undelete_note


class NoteConflict(Exception):
    """Someone saved the note after this editor opened it: nothing was overwritten."""

    def __init__(self, note: ContextNote, attempted_text: str, attempted_visibility: str):
        super().__init__("note changed meanwhile")
        self.note = note
        self.attempted_text = attempted_text
        self.attempted_visibility = attempted_visibility


def _clean(text: str, visibility: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write the note, or delete it.")
    elif "\x00" in text:
        # PostgreSQL cannot store it (a 500 instead of a form error); it is never meant.
        errors["text"] = _("The note contains a null character: remove it.")
    elif len(text) > NOTE_MAX_LENGTH:
        errors["text"] = _("A note has at most %(max)d characters (this one has %(n)d).") % {"max": NOTE_MAX_LENGTH, "n": len(text)}
    if visibility not in Visibility.values:
        errors["visibility"] = _("Choose who may read the note.")
    if errors:
        raise ValidationError(errors)
    return text


def _audit(action, acting_user, note, **details):
    audit_record(
        action=action,
        actor=acting_user,
        target=note,
        target_type="note",
        message=note.message,
        version=note.anchored_version,
        details={"organisation": note.national_society.slug, "visibility": note.visibility, "revision": note.revision, **details},
    )


def _add_revision(note, acting_user, restored_from=None):
    ContextNoteRevision.objects.create(
        note=note,
        number=note.revision,
        text=note.text,
        visibility=note.visibility,
        anchored_version=note.anchored_version,
        author=acting_user,
        restored_from=restored_from,
    )


def _require_editor(acting_user, national_society):
    can_edit_notes_of(acting_user, national_society).enforce()


@transaction.atomic
def note_save(
    *,
    acting_user,
    message=None,
    section=None,
    text: str,
    visibility: str,
    expected_revision: int | None,
    expected_note_id: int | None = None,
) -> ContextNote:
    """Create or update the acting user's society's note on a message or a section.

    `expected_revision` is the revision the editor started from (None for a new note), and
    `expected_note_id` the note it belongs to, when the form knows it. If the note has moved on
    since (or was deleted and replaced by another note), NoteConflict is raised and nothing is
    saved: the second save is never lost silently, the editor sees both texts and decides.
    """
    society = viewer_of(acting_user).organisation
    _require_editor(acting_user, society)
    text = _clean(text, visibility)
    subject = {"message": message} if message is not None else {"section": section}
    note = ContextNote.objects.select_for_update().filter(national_society=society, deleted_at__isnull=True, **subject).first()
    anchor = message.current_version if message is not None else None
    if note is None:
        if expected_revision is not None:
            # The note this editor opened was deleted meanwhile: saving creates a new one, which is
            # what they typed; nothing of anyone else's is overwritten.
            pass
        try:
            with transaction.atomic():
                note = ContextNote.objects.create(
                    national_society=society, text=text, visibility=visibility, anchored_version=anchor, updated_by=acting_user, **subject
                )
        except IntegrityError:
            # Another editor created the society's note between the lookup and this insert (the
            # one-live-note constraint refused a second): a conflict, not a server error.
            current = ContextNote.objects.select_for_update().filter(national_society=society, deleted_at__isnull=True, **subject).first()
            if current is None:
                raise
            raise NoteConflict(current, text, visibility) from None
        _add_revision(note, acting_user)
        _audit(Action.NOTE_CREATED, acting_user, note)
        return note
    if expected_revision != note.revision or (expected_note_id is not None and expected_note_id != note.pk):
        raise NoteConflict(note, text, visibility)
    if note.text == text and note.visibility == visibility and note.anchored_version_id == (anchor.pk if anchor else None):
        return note  # nothing changed: no empty revision
    note.text, note.visibility, note.anchored_version = text, visibility, anchor
    note.revision += 1
    note.updated_by = acting_user
    note.save()
    _add_revision(note, acting_user)
    _audit(Action.NOTE_EDITED, acting_user, note)
    return note


def _lock(note) -> ContextNote:
    # `of=("self",)`: lock the note row only. `message` is a nullable foreign key (section notes), so
    # its join is an outer join, and PostgreSQL refuses FOR UPDATE on the nullable side of one.
    return ContextNote.objects.select_for_update(of=("self",)).select_related("national_society", "message").get(pk=note.pk)


@transaction.atomic
def note_restore(*, acting_user, note: ContextNote, number: int) -> ContextNote:
    """Make an earlier revision the current text again, exactly (a new revision records it)."""
    note = _lock(note)
    _require_editor(acting_user, note.national_society)
    if note.deleted_at is not None:
        raise ValidationError(_("Restore the deleted note first."))
    revision = note.revisions.filter(number=number).first()
    if revision is None:
        raise ValidationError(_("This revision does not exist."))
    note.text, note.visibility, note.anchored_version_id = revision.text, revision.visibility, revision.anchored_version_id
    note.revision += 1
    note.updated_by = acting_user
    note.save()
    _add_revision(note, acting_user, restored_from=number)
    _audit(Action.NOTE_EDITED, acting_user, note, restored_from=number)
    return note


@transaction.atomic
def note_confirm_review(*, acting_user, note: ContextNote) -> ContextNote:
    """The canonical text changed; an editor read the change and keeps the note as it is."""
    note = _lock(note)
    _require_editor(acting_user, note.national_society)
    if note.deleted_at is not None:
        raise ValidationError(_("Restore the deleted note first."))
    if note.message_id is None or note.anchored_version_id == note.message.current_version_id:
        return note
    note.anchored_version_id = note.message.current_version_id
    note.revision += 1
    note.updated_by = acting_user
    note.save()
    _add_revision(note, acting_user)
    _audit(Action.NOTE_EDITED, acting_user, note, confirmed_against_version=note.anchored_version_id)
    return note


@transaction.atomic
def note_delete(*, acting_user, note: ContextNote) -> ContextNote:
    """Soft delete: the note and its history stay, hidden; a society admin can undo it."""
    note = _lock(note)
    _require_editor(acting_user, note.national_society)
    if note.deleted_at is None:
        note.deleted_at = timezone.now()
        note.deleted_by = acting_user
        note.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        _audit(Action.NOTE_DELETED, acting_user, note)
    return note


@transaction.atomic
def note_undelete(*, acting_user, note: ContextNote) -> ContextNote:
    """A society admin brings a deleted note back (unless the subject has a newer note)."""
    note = _lock(note)
    can_undelete_note(acting_user, note).enforce()
    if note.deleted_at is None:
        return note
    subject = {"message_id": note.message_id} if note.message_id else {"section_id": note.section_id}
    if ContextNote.objects.filter(national_society_id=note.national_society_id, deleted_at__isnull=True, **subject).exists():
        raise ValidationError(_("This message already has a newer note: edit that one instead."))
    note.deleted_at = None
    note.deleted_by = None
    note.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    _audit(Action.NOTE_EDITED, acting_user, note, undeleted=True)
    return note
