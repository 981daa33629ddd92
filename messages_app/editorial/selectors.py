"""Reads of the editorial workflow: a draft and its review, for the document's editors and reviewers
only (anyone else: 404, as for a draft that does not exist)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from messages_app.catalogue.diffs import list_diff, word_diff
from messages_app.catalogue.models import Document, Edition, Message
from messages_app.editorial import permissions
from messages_app.editorial.models import DocumentRole, Draft, DraftMessage, DraftReview, DraftSection


@dataclass
class DocumentDesk:
    document: Document
    edition: Edition | None
    roles: frozenset
    open_draft: Draft | None
    past_drafts: list[Draft]


def editorial_home(*, fetched_by) -> list[DocumentDesk]:
    """The documents the user edits or reviews (all of them for a platform admin, who names the roles)."""
    manages = bool(permissions.can_manage_document_roles(fetched_by))
    roles = defaultdict(set)
    for document_id, kind in DocumentRole.objects.filter(user_id=fetched_by.pk).values_list("document_id", "kind"):
        roles[document_id].add(kind)
    if not roles and not manages:
        raise Http404("No document to edit or review.")  # the editors of none, platform admins aside
    documents = Document.objects.order_by("title") if manages else Document.objects.filter(pk__in=roles).order_by("title")
    documents = list(documents)
    editions = {}
    for edition in Edition.objects.filter(document__in=documents).order_by("document_id", "sequence"):
        editions[edition.document_id] = edition  # the last one wins: the current edition
    drafts = defaultdict(list)
    for draft in Draft.objects.filter(document__in=documents, document_id__in=list(roles)).order_by("-created_at")[:200]:
        drafts[draft.document_id].append(draft)
    return [
        DocumentDesk(
            document=document, edition=editions.get(document.pk), roles=frozenset(roles[document.pk]),
            open_draft=next((d for d in drafts[document.pk] if d.is_open), None),
            past_drafts=[d for d in drafts[document.pk] if not d.is_open][:10],
        )
        for document in documents
    ]


def access_document_by_slug(*, fetched_by, slug: str, need_editor: bool = False) -> Document:
    document = Document.objects.filter(slug=slug).first()
    if document is None:
        raise Http404("No such document.")
    decision = (
        permissions.can_edit_document(fetched_by, document) if need_editor else permissions.can_work_on_document(fetched_by, document)
    )
    if not decision:
        raise Http404("No such document.")
    return document


@dataclass
class DraftEntry:
    """A message of the draft beside the library's current text of it."""

    message: DraftMessage
    status: str  # new, changed, retired, unchanged
    current_text: str
    children: list["DraftEntry"] = field(default_factory=list)
    comments: list[DraftReview] = field(default_factory=list)

    @property
    def diff(self):
        return word_diff(self.current_text, self.message.text) if self.status == "changed" else []


@dataclass
class DraftSectionEntry:
    section: DraftSection
    entries: list[DraftEntry]
    subsections: list["DraftSectionEntry"] = field(default_factory=list)
    status: str = "unchanged"


@dataclass
class DraftPage:
    draft: Draft
    roles: frozenset
    sections: list[DraftSectionEntry]
    reviews: list[DraftReview]
    approvals: list[DraftReview]
    missing_approvals: list
    author_ids: set
    counts: dict
    rules_diff: list  # [(status, text)] of the handling rules against the current edition
    problems: str = ""

    @property
    def is_editor(self) -> bool:
        return DocumentRole.Kind.EDITOR in self.roles

    @property
    def is_reviewer(self) -> bool:
        return DocumentRole.Kind.REVIEWER in self.roles


def access_draft_by_id(*, fetched_by, draft_id: int) -> DraftPage:
    """The whole draft, each message beside the library's current text (a constant number of queries)."""
    draft = Draft.objects.select_related("document", "base_edition", "published_edition").filter(pk=draft_id).first()
    if draft is None or not permissions.can_work_on_document(fetched_by, draft.document):
        raise Http404("No such draft.")
    roles = permissions.document_roles(fetched_by, draft.document)
    sections = list(DraftSection.objects.filter(draft=draft).order_by("position"))
    messages = list(DraftMessage.objects.filter(draft=draft).select_related("last_edited_by").order_by("position"))
    current = {
        m.identifier: (m.current_version.text if m.retired_in_id is None else None)
        for m in Message.objects.filter(document=draft.document).select_related("current_version")
    }
    reviews = list(DraftReview.objects.filter(draft=draft).select_related("reviewer", "organisation").order_by("created_at", "pk"))
    approvals = [r for r in reviews if r.decision == DraftReview.Decision.APPROVED and r.withdrawn_at is None]
    comments = defaultdict(list)
    for review in reviews:
        if review.message_identifier:
            comments[review.message_identifier].append(review)

    counts = {"new": 0, "changed": 0, "retired": 0, "unchanged": 0}
    entries = {}
    for message in messages:
        before = current.get(message.identifier)
        if message.retired:
            status = "retired"
        elif before is None:
            status = "new"
        elif before != message.text:
            status = "changed"
        else:
            status = "unchanged"
        if status == "retired" and message.identifier not in current:
            continue  # added and retired in this draft: nothing to tell
        counts[status] += 1
        entries[message.pk] = DraftEntry(message=message, status=status, current_text=before or "", comments=comments[message.identifier])
    by_section = defaultdict(list)
    for message in messages:
        entry = entries.get(message.pk)
        if entry is None:
            continue
        if message.parent_id and message.parent_id in entries:
            entries[message.parent_id].children.append(entry)
        else:
            by_section[message.section_id].append(entry)
    section_entries = {s.pk: DraftSectionEntry(section=s, entries=by_section[s.pk]) for s in sections}
    top = []
    for section in sections:
        if section.parent_id:
            section_entries[section.parent_id].subsections.append(section_entries[section.pk])
        else:
            top.append(section_entries[section.pk])
    base_rules = draft.base_edition.handling_rules if draft.base_edition else []
    required = list(draft.document.approving_organisations.all())
    return DraftPage(
        draft=draft, roles=roles, sections=top, reviews=[r for r in reviews if not r.message_identifier],
        approvals=approvals, missing_approvals=permissions.missing_approvals(draft, approvals, required),
        author_ids=set(draft.authors.values_list("pk", flat=True)), counts=counts,
        rules_diff=list_diff(base_rules, draft.handling_rules),
    )


def access_draft_message(*, fetched_by, draft_id: int, identifier: str):
    """(draft, message, the library's current text) for the message's edit page."""
    draft = Draft.objects.select_related("document").filter(pk=draft_id).first()
    if draft is None or not permissions.can_work_on_document(fetched_by, draft.document):
        raise Http404("No such draft.")
    message = DraftMessage.objects.select_related("section", "parent", "last_edited_by").filter(draft=draft, identifier=identifier).first()
    if message is None:
        raise Http404("No such message in this draft.")
    library = Message.objects.select_related("current_version").filter(identifier=identifier, document=draft.document).first()
    return draft, message, (library.current_version.text if library and library.retired_in_id is None else "")


def draft_sections(draft: Draft) -> list[DraftSection]:
    return list(DraftSection.objects.filter(draft=draft).order_by("position"))


def open_reviews_for(draft: Draft) -> list[DraftReview]:
    return list(
        DraftReview.objects.filter(draft=draft, resolved_at__isnull=True)
        .filter(~Q(decision=DraftReview.Decision.APPROVED))
        .select_related("reviewer")
    )
