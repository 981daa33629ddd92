"""Reads of contextualisation notes, each limited to the notes the requesting user may read.

Another society's private note answers 404 wherever it could appear: page, history, search.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404

from national_societies.models import Membership, NationalSociety
from national_societies.permissions import membership_of

from messages_app.catalogue.diffs import word_diff
from messages_app.catalogue.models import Message, Section
from messages_app.notes.models import ContextNote
from messages_app.notes.permissions import can_edit_notes_of, can_read_note, membership_edits_notes_of, readable_notes_filter


def _readable(membership):
    return (
        ContextNote.objects.filter(readable_notes_filter(membership))
        .select_related("national_society", "message__current_version", "anchored_version", "section", "updated_by")
        # The reader's own society first, then the others by name.
        .annotate(own=Case(When(national_society_id=membership.national_society_id if membership else None, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("own", "national_society__name")
    )


@dataclass
class NotesPanel:
    notes: list  # readable live notes on the subject, own society's first
    own_note: ContextNote | None
    can_edit: bool
    society: NationalSociety | None


def notes_panel(*, fetched_by, message: Message | None = None, section: Section | None = None) -> NotesPanel:
    membership = membership_of(fetched_by)
    subject = {"message": message} if message is not None else {"section": section}
    notes = list(_readable(membership).filter(**subject)) if membership else []
    own = next((n for n in notes if membership and n.national_society_id == membership.national_society_id), None)
    society = membership.national_society if membership else None
    return NotesPanel(notes, own, membership_edits_notes_of(membership, society), society)


def own_note_for_edit(*, fetched_by, message: Message | None = None, section: Section | None = None):
    """(society, the society's live note on the subject or None) for an editor; 404 for anyone else."""
    membership = membership_of(fetched_by)
    society = membership.national_society if membership else None
    if not can_edit_notes_of(fetched_by, society):
        raise Http404
    subject = {"message": message} if message is not None else {"section": section}
    note = (
        ContextNote.objects.select_related("anchored_version", "message__current_version")
        .filter(national_society=society, deleted_at__isnull=True, **subject)
        .first()
    )
    return society, note


def note_detail(*, fetched_by, note_id: int) -> ContextNote:
    note = ContextNote.objects.select_related("national_society", "message__current_version", "section", "anchored_version").filter(pk=note_id).first()
    if note is None or not can_read_note(fetched_by, note):
        raise Http404
    return note


def own_note(*, fetched_by, note_id: int, editor: bool = False, society_admin: bool = False) -> ContextNote:
    """A note of the user's own society (live or deleted), for history, restore and undo; else 404.

    `editor`: only for those who write the society's notes; `society_admin`: only for its admins.
    """
    membership = membership_of(fetched_by)
    note = note_detail(fetched_by=fetched_by, note_id=note_id)
    if membership is None or note.national_society_id != membership.national_society_id:
        raise Http404
    if editor and not can_edit_notes_of(fetched_by, membership.national_society):
        raise Http404
    if society_admin and membership.role != Membership.Role.SOCIETY_ADMIN:
        raise Http404
    return note


@dataclass
class RevisionView:
    revision: object
    diff: list  # word diff against the previous revision


def note_history(*, fetched_by, note_id: int):
    note = own_note(fetched_by=fetched_by, note_id=note_id)
    revisions = list(note.revisions.select_related("author", "anchored_version").order_by("number"))
    views, previous = [], ""
    for revision in revisions:
        views.append(RevisionView(revision, word_diff(previous, revision.text)))
        previous = revision.text
    return note, list(reversed(views))


def canonical_change(note: ContextNote):
    """For a note that needs review: the word diff from the version it was written against to now."""
    if not note.needs_review:
        return None
    return word_diff(note.anchored_version.text, note.message.current_version.text)


@dataclass
class SocietyOverview:
    society: NationalSociety
    notes: list
    needs_review: list
    deleted: list
    can_edit: bool
    is_admin: bool
    sees_coverage: bool


def _document_order(note: ContextNote):
    """Where the note's subject is in the document: by section, the section's own note before its
    messages' notes, then by message (the same order on every database: NULLs sort differently)."""
    if note.message_id is not None:
        return (note.message.section.position, 1, note.message.position, note.pk)
    return (note.section.position, 0, 0, note.pk)


def society_overview(*, fetched_by) -> SocietyOverview:
    membership = membership_of(fetched_by)
    if membership is None:
        raise Http404
    society = membership.national_society
    notes = sorted(
        ContextNote.objects.filter(national_society=society).select_related(
            "message__current_version", "message__section", "section", "anchored_version", "updated_by"
        ),
        key=_document_order,
    )
    live = [n for n in notes if n.deleted_at is None]
    return SocietyOverview(
        society=society,
        notes=live,
        needs_review=[n for n in live if n.needs_review],
        deleted=[n for n in notes if n.deleted_at is not None],
        can_edit=can_edit_notes_of(fetched_by, society),
        is_admin=membership.role == Membership.Role.SOCIETY_ADMIN,
        sees_coverage=membership.role in (Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN),
    )


@dataclass
class Coverage:
    sections: list
    rows: list  # (society, [(count, shared_count) per section], total)


def coverage_matrix(*, fetched_by) -> Coverage:
    """Societies × top-level sections: how many live notes each society wrote (counts only)."""
    membership = membership_of(fetched_by)
    if membership is None or membership.role not in (Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN):
        raise Http404
    sections = list(Section.objects.filter(parent__isnull=True, retired_in__isnull=True).order_by("position"))
    counts = {}
    live = ContextNote.objects.filter(deleted_at__isnull=True)
    for row in (
        live.filter(message__isnull=False)
        .values("national_society_id", "message__section__parent_id", "message__section_id")
        .annotate(n=Count("id"))
    ):
        top = row["message__section__parent_id"] or row["message__section_id"]
        key = (row["national_society_id"], top)
        counts[key] = counts.get(key, 0) + row["n"]
    for row in live.filter(section__isnull=False).values("national_society_id", "section__parent_id", "section_id").annotate(n=Count("id")):
        top = row["section__parent_id"] or row["section_id"]
        key = (row["national_society_id"], top)
        counts[key] = counts.get(key, 0) + row["n"]
    societies = NationalSociety.objects.filter(kind=NationalSociety.Kind.NATIONAL_SOCIETY, is_active=True).order_by("name")
    rows = []
    for society in societies:
        cells = [counts.get((society.pk, section.pk), 0) for section in sections]
        rows.append((society, cells, sum(cells)))
    return Coverage(sections, rows)


def note_search(*, fetched_by, terms: list[str], limit: int = 20) -> list[ContextNote]:
    """Live notes the user may read whose text contains every term."""
    membership = membership_of(fetched_by)
    if membership is None or not terms:
        return []
    query = Q()
    for term in terms:
        query &= Q(text__icontains=term)
    return list(_readable(membership).filter(query)[:limit])
