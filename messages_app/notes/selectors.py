"""Reads of contextualisation notes, each limited to the notes the requesting user may read.

Another society's private note answers 404 wherever it could appear: page, history, search.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import Http404

from core.rules import NotFound

from national_societies.models import NationalSociety
from national_societies.viewer import viewer_of

from messages_app.catalogue.diffs import block_diff, word_diff
from messages_app.catalogue.models import Message, Section
from messages_app.catalogue.selectors import documents_for_reader
from messages_app.notes.markup import note_blocks
from messages_app.notes.models import ContextNote
from messages_app.notes.permissions import can_edit_notes_of, can_read_note, can_see_notes_coverage, readable_notes_filter


def _readable_document_ids(viewer) -> list[int]:
    """A note is read only where its document is: the documents the viewer reads."""
    return [d.pk for d in documents_for_reader(fetched_by=viewer.user)] if viewer.membership else []


def _in_readable_documents(viewer) -> Q:
    ids = _readable_document_ids(viewer)
    return Q(message__document_id__in=ids) | Q(section__document_id__in=ids)


def _readable(viewer, *, document_checked=False):
    """Live notes the viewer reads; `document_checked`: the caller reads notes of one subject whose
    document the viewer was already found to read (catalogue.access.document_page)."""
    notes = ContextNote.objects.filter(readable_notes_filter(viewer))
    if not document_checked:
        notes = notes.filter(_in_readable_documents(viewer))
    return (
        notes
        .select_related("national_society", "message__current_version", "anchored_version", "section", "updated_by")
        # The reader's own society first, then the others by name.
        .annotate(own=Case(When(national_society_id=viewer.organisation_id, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("own", "national_society__name")
    )


@dataclass
class NotesPanel:
    notes: list  # readable live notes on the subject, own society's first
    own_note: ContextNote | None
    can_edit: bool
    society: NationalSociety | None


def notes_panel(*, fetched_by, message: Message | None = None, section: Section | None = None) -> NotesPanel:
    viewer = viewer_of(fetched_by)
    subject = {"message": message} if message is not None else {"section": section}
    # The subject's page found its document readable (catalogue.access.document_page).
    notes = list(_readable(viewer, document_checked=True).filter(**subject)) if viewer.membership else []
    own = next((n for n in notes if n.national_society_id == viewer.organisation_id), None)
    return NotesPanel(notes, own, bool(can_edit_notes_of(viewer, viewer.organisation)), viewer.organisation)


def own_note_for_edit(*, fetched_by, message: Message | None = None, section: Section | None = None):
    """(society, the society's live note on the subject or None) for an editor; 404 for anyone else."""
    viewer = viewer_of(fetched_by)
    if not can_edit_notes_of(viewer, viewer.organisation):
        raise Http404
    subject = {"message": message} if message is not None else {"section": section}
    note = (
        ContextNote.objects.select_related("anchored_version", "message__current_version")
        .filter(national_society_id=viewer.organisation_id, deleted_at__isnull=True, **subject)
        .first()
    )
    return viewer.organisation, note


def access_note_by_id(*, fetched_by, note_id: int) -> ContextNote:
    """The note if the user may read it; 404 alike for a missing note and another society's."""
    note = ContextNote.objects.select_related("national_society", "message__current_version", "section", "anchored_version").filter(pk=note_id).first()
    if note is None or not can_read_note(fetched_by, note):
        raise Http404
    if note.subject.document_id not in _readable_document_ids(viewer_of(fetched_by)):
        raise NotFound("note on a document not readable by this reader")
    return note


def access_own_note_by_id(*, fetched_by, note_id: int, rule=None) -> ContextNote:
    """A note of the user's own society (live or deleted), for history, restore and undo; else 404.

    `rule`: a further rule of notes/permissions.py the user must pass for this note (a function of
    (user, note)), e.g. `may_edit` or `can_undelete_note`; refused answers 404 too.
    """
    viewer = viewer_of(fetched_by)
    note = access_note_by_id(fetched_by=viewer, note_id=note_id)
    if note.national_society_id != viewer.organisation_id:
        raise Http404
    if rule is not None and not rule(viewer, note):
        raise Http404
    return note


def may_edit(user, note) -> bool:
    """For `access_own_note_by_id`: the user writes the notes of the note's society."""
    return bool(can_edit_notes_of(user, note.national_society))


@dataclass
class RevisionView:
    revision: object
    diff: list  # NoteDiffGroup: the differences from the previous revision, block by block


@dataclass
class NoteDiffGroup:
    """Consecutive blocks of a note diff as the note lays them out: `tag` "p", a paragraph for each of
    `blocks`, or "ul"/"ol", one list with an item for each (catalogue.diffs.BlockChange)."""

    tag: str
    blocks: list


def note_diff(old: str, new: str) -> list[NoteDiffGroup]:
    """What changed between two texts of a note, on the blocks the note shows (its paragraphs and list
    items, notes/markup.py), word by word inside a changed block. Texts, never HTML: the page escapes
    every part."""
    groups: list[NoteDiffGroup] = []
    for change in block_diff(note_blocks(old), note_blocks(new)):
        if change.kind != "p" and groups and groups[-1].tag == change.kind:
            groups[-1].blocks.append(change)
        else:
            groups.append(NoteDiffGroup(change.kind, [change]))
    return groups


def note_history(*, fetched_by, note_id: int):
    note = access_own_note_by_id(fetched_by=fetched_by, note_id=note_id)
    revisions = list(note.revisions.select_related("author", "anchored_version").order_by("number"))
    views, previous = [], ""
    for revision in revisions:
        views.append(RevisionView(revision, note_diff(previous, revision.text)))
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


def _document_order(note: ContextNote):
    """Where the note's subject is in its document (documents apart): by section, the section's own note before its
    messages' notes, then by message (the same order on every database: NULLs sort differently)."""
    if note.message_id is not None:
        return (note.message.document_id, note.message.section.position, 1, note.message.position, note.pk)
    return (note.section.document_id, note.section.position, 0, 0, note.pk)


def society_overview(*, fetched_by) -> SocietyOverview:
    viewer = viewer_of(fetched_by)
    if viewer.membership is None:
        raise Http404
    society = viewer.organisation
    notes = sorted(
        ContextNote.objects.filter(national_society=society)
        .filter(_in_readable_documents(viewer))
        .select_related("message__current_version", "message__section", "message__document", "section__document", "anchored_version", "updated_by"),
        key=_document_order,
    )
    live = [n for n in notes if n.deleted_at is None]
    return SocietyOverview(
        society=society,
        notes=live,
        needs_review=[n for n in live if n.needs_review],
        deleted=[n for n in notes if n.deleted_at is not None],
        can_edit=bool(can_edit_notes_of(viewer, society)),
    )


@dataclass(frozen=True)
class CoverageCell:
    """One society × one top-level section of the coverage matrix."""

    count: int  # live notes of the society there (on the section, its sub-sections and their messages)
    readable: tuple = ()  # those of them the viewer may read, in document order: each a link to where it is shown


@dataclass
class Coverage:
    sections: list  # top-level sections, each with an `abbreviation` (its messages' identifier prefix)
    rows: list  # (society, [CoverageCell per section], total)


def _abbreviation(section, first_identifier: str | None) -> str:
    """A section's short name for a narrow column: the prefix its messages' identifiers share (GEN for
    General Information, MOD for the management model), which readers quote; else its title's first word."""
    if first_identifier and "-" in first_identifier:
        return first_identifier.split("-", 1)[0]
    return (section.title.split() or [section.key])[0][:8]


def _top_section_id(note: ContextNote):
    section = note.message.section if note.message_id is not None else note.section
    return section.parent_id or section.pk


def _shown_where_readable(note: ContextNote) -> bool:
    """The page that shows the note answers the viewer: a message's page always (retired messages stay
    readable), a section's page only while the section is in the document."""
    return note.message_id is not None or note.section.retired_in_id is None


def coverage_matrix(*, document, fetched_by) -> Coverage:
    """Societies × top-level sections of `document`: how many live notes each society wrote (counts only), and, in
    each cell, the notes among them the viewer may read (notes/permissions.py, readable_notes_filter),
    to open where they are shown. Five queries, however many notes and societies."""
    if not can_see_notes_coverage(fetched_by):
        raise Http404
    viewer = viewer_of(fetched_by)
    live_messages = Message.objects.filter(document=document, retired_in__isnull=True).filter(Q(section=OuterRef("pk")) | Q(section__parent=OuterRef("pk")))
    sections = list(
        Section.objects.filter(document=document, parent__isnull=True, retired_in__isnull=True)
        .annotate(first_identifier=Subquery(live_messages.order_by("position").values("identifier")[:1]))
        .order_by("position")
    )
    for section in sections:
        section.abbreviation = _abbreviation(section, section.first_identifier)
    counts = {}
    live = ContextNote.objects.filter(deleted_at__isnull=True).filter(Q(message__document=document) | Q(section__document=document))
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
    readable = {}
    for note in sorted(
        ContextNote.objects.filter(readable_notes_filter(viewer)).select_related("message__section", "section"),
        key=_document_order,
    ):
        if _shown_where_readable(note):
            readable.setdefault((note.national_society_id, _top_section_id(note)), []).append(note)
    societies = NationalSociety.objects.filter(kind=NationalSociety.Kind.NATIONAL_SOCIETY, is_active=True).order_by("name")
    rows = []
    for society in societies:
        cells = [
            CoverageCell(counts.get((society.pk, section.pk), 0), tuple(readable.get((society.pk, section.pk), ())))
            for section in sections
        ]
        rows.append((society, cells, sum(cell.count for cell in cells)))
    return Coverage(sections, rows)


def note_search(*, fetched_by, terms: list[str], documents=None, limit: int = 20) -> list[ContextNote]:
    """Live notes the user may read whose text contains every term (on `documents` only, if given)."""
    viewer = viewer_of(fetched_by)
    if viewer.membership is None or not terms:
        return []
    query = Q()
    if documents is not None:
        ids = [d.pk for d in documents]
        query = Q(message__document_id__in=ids) | Q(section__document_id__in=ids)
    for term in terms:
        query &= Q(text__icontains=term)
    return list(_readable(viewer).filter(query)[:limit])
