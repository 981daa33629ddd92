"""Reads of the canonical library, each limited to what the requesting user may see."""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.urls import reverse

from audit.context import current_request
from core.rules import NotFound

from messages_app.catalogue.diffs import list_diff, word_diff
from messages_app.catalogue.models import (
    Document,
    Edition,
    ChangesSeen,
    EditionNoticeDismissal,
    Message,
    MessageRead,
    MessageVersion,
    RulesAcknowledgement,
    Section,
    Topic,
    remember_document_slugs,
)
from messages_app.catalogue.permissions import can_read_library, readable_documents_filter


def require_reader(user):
    """403 with the reason for an account that reads nothing (see permissions.can_read_library)."""
    can_read_library(user).enforce()


def live_messages(document):
    """Messages of the current edition of `document` (or of a list of documents), with what every list
    shows, in document order."""
    documents = Q(document__in=document) if isinstance(document, list | tuple) else Q(document=document)
    return (
        Message.objects.filter(documents, retired_in__isnull=True)
        .select_related("current_version", "section")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .order_by("position")
    )


# --- Which documents a reader reads ---------------------------------------------------------------

_READER_DOCUMENTS_ATTRIBUTE = "_km_reader_documents"


def _current_edition(field):
    return Subquery(Edition.objects.filter(document=OuterRef("pk")).order_by("-sequence").values(field)[:1])


def _with_current_edition(queryset, user):
    """Documents with their current edition's id, label, date and rules version, and whether `user`
    confirmed those rules."""
    return queryset.annotate(
        current_edition_id=_current_edition("pk"),
        current_label=_current_edition("label"),
        current_loaded_at=_current_edition("loaded_at"),
        current_rules_version=_current_edition("rules_version"),
    ).annotate(
        rules_confirmed=Exists(
            RulesAcknowledgement.objects.filter(
                user_id=user.pk, document_id=OuterRef("pk"), rules_version=OuterRef("current_rules_version")
            )
        )
    )


def documents_for_reader(*, fetched_by) -> list[Document]:
    """The documents `fetched_by` reads (permissions.readable_documents_filter) that have an edition,
    by title, each with its current edition (see _with_current_edition). Read once per request."""
    require_reader(fetched_by)
    request = current_request()
    kept = getattr(request, _READER_DOCUMENTS_ATTRIBUTE, {}) if request is not None else {}
    if fetched_by.pk in kept:
        return kept[fetched_by.pk]
    documents = list(
        _with_current_edition(Document.objects.filter(readable_documents_filter(fetched_by)), fetched_by)
        .filter(current_edition_id__isnull=False)
        .order_by("title", "pk")
    )
    remember_document_slugs(documents)
    if request is not None:
        setattr(request, _READER_DOCUMENTS_ATTRIBUTE, {**kept, fetched_by.pk: documents})
    return documents


def document_for_reader(*, slug: str, fetched_by) -> Document:
    """The document `slug` as documents_for_reader gives it; 404 for a document that does not exist,
    has no edition yet, or that the reader may not read (the access log records which)."""
    require_reader(fetched_by)
    document = (
        _with_current_edition(Document.objects.filter(slug=slug), fetched_by)
        .annotate(readable=ExpressionWrapper(readable_documents_filter(fetched_by), output_field=BooleanField()))
        .first()
    )
    if document is None or document.current_edition_id is None:
        raise NotFound("no such document")
    if not document.readable:
        raise NotFound("document not readable by this reader (audience or retired)")
    remember_document_slugs([document])
    return document


@dataclass
class LibraryHome:
    document: Document
    edition: Edition
    sections: list[Section]
    new_messages: list[Message]
    changed_messages: list[Message]
    retired_messages: list[Message]
    message_count: int
    show_edition_notice: bool = False  # a new edition the reader has not dismissed the notice of


def document_home(*, document: Document, fetched_by) -> LibraryHome:
    """A document's first page: its sections, what its current edition changed, the edition notice."""
    require_reader(fetched_by)
    edition = Edition.objects.get(pk=document.current_edition_id)
    live = Q(messages__retired_in__isnull=True)
    sections = list(
        Section.objects.filter(document=document, retired_in__isnull=True, parent__isnull=True)
        .annotate(message_count=Count("messages", filter=live, distinct=True))
        .prefetch_related(
            Prefetch(
                "subsections",
                queryset=Section.objects.filter(retired_in__isnull=True).annotate(
                    message_count=Count("messages", filter=live, distinct=True)
                ),
            )
        )
    )
    changes = list(
        MessageVersion.objects.filter(edition=edition).select_related("message").order_by("message__position")
    )
    first_edition = edition.sequence == 1
    return LibraryHome(
        document=document,
        edition=edition,
        sections=sections,
        new_messages=[] if first_edition else [v.message for v in changes if v.number == 1],
        changed_messages=[v.message for v in changes if v.number > 1],
        retired_messages=list(Message.objects.filter(retired_in=edition).order_by("position")),
        message_count=Message.objects.filter(document=document, retired_in__isnull=True).count(),
        show_edition_notice=(
            not first_edition
            and getattr(fetched_by, "date_joined", edition.loaded_at) < edition.loaded_at
            and not EditionNoticeDismissal.objects.filter(user_id=fetched_by.pk, edition=edition).exists()
        ),
    )


def current_edition(*, document: Document, fetched_by) -> Edition:
    require_reader(fetched_by)
    return Edition.objects.get(pk=document.current_edition_id)


@dataclass
class SectionPage:
    section: Section
    messages: list[Message]
    subsections: list[tuple[Section, list[Message]]]


def section_detail(*, document: Document, key: str, fetched_by) -> SectionPage:
    """A section with its messages and, for the management model, its four approaches."""
    require_reader(fetched_by)
    section = Section.objects.select_related("parent").filter(document=document, key=key, retired_in__isnull=True).first()
    if section is None:
        raise Http404
    subsections = list(section.subsections.filter(retired_in__isnull=True).order_by("position"))
    messages = list(live_messages(document).filter(section__in=[section, *subsections]))
    by_section = {}
    for message in messages:
        by_section.setdefault(message.section_id, []).append(message)
    return SectionPage(
        section=section,
        messages=by_section.get(section.pk, []),
        subsections=[(sub, by_section.get(sub.pk, [])) for sub in subsections],
    )


@dataclass
class MessagePage:
    message: Message
    version: MessageVersion
    children: list[Message]
    previous: "MessageLink | None"
    next: "MessageLink | None"
    versions: list[MessageVersion]


def message_detail(*, document: Document, identifier: str, fetched_by, version_number: int | None = None) -> MessagePage:
    """A message's current text, or one of its earlier versions, which stay readable."""
    require_reader(fetched_by)
    live = Message.objects.filter(document=document, retired_in__isnull=True)
    message = (
        Message.objects.select_related("current_version__edition", "section__parent", "parent")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        # The neighbours in the document and whether there are children, in the same query.
        .annotate(
            previous_identifier=Subquery(
                live.filter(position__lt=OuterRef("position")).order_by("-position").values("identifier")[:1]
            ),
            next_identifier=Subquery(live.filter(position__gt=OuterRef("position")).order_by("position").values("identifier")[:1]),
            has_children=Exists(live.filter(parent=OuterRef("pk"))),
        )
        .filter(document=document, identifier=identifier)
        .first()
    )
    if message is None:
        raise Http404
    if message.current_version.number == 1:
        # Versions are numbered from 1 in the order editions gave them: one version, nothing to fetch.
        versions = [message.current_version]
    else:
        versions = list(message.versions.select_related("edition").order_by("number"))
    if version_number is None:
        version = message.current_version
    else:
        version = next((v for v in versions if v.number == version_number), None)
        if version is None:
            raise Http404
    return MessagePage(
        message=message,
        version=version,
        children=list(live_messages(document).filter(parent=message)) if message.has_children else [],
        previous=_neighbour(document, message.previous_identifier),
        next=_neighbour(document, message.next_identifier),
        versions=versions,
    )


@dataclass
class VersionComparison:
    message: Message
    older: MessageVersion | None  # None: the message has one version, nothing to compare
    newer: MessageVersion
    versions: list[MessageVersion]

    @property
    def diff(self):
        return word_diff(self.older.text, self.newer.text) if self.older else []


def message_versions_compare(
    *, document: Document, identifier: str, fetched_by, older: int | None, newer: int | None
) -> VersionComparison:
    """Two versions of a message, word by word (default: the one before the current, and the current)."""
    require_reader(fetched_by)
    message = Message.objects.select_related("current_version").filter(document=document, identifier=identifier).first()
    if message is None:
        raise Http404
    versions = list(message.versions.select_related("edition").order_by("number"))
    if len(versions) < 2:
        return VersionComparison(message=message, older=None, newer=versions[0], versions=versions)
    by_number = {v.number: v for v in versions}
    newer_version = by_number.get(newer if newer is not None else versions[-1].number)
    older_version = by_number.get(older if older is not None else versions[-2].number)
    if newer_version is None or older_version is None:
        raise Http404
    if older_version.number > newer_version.number:
        older_version, newer_version = newer_version, older_version
    return VersionComparison(message=message, older=older_version, newer=newer_version, versions=versions)


@dataclass(frozen=True)
class MessageLink:
    """A previous/next link: the identifier is all the page shows of the neighbour."""

    document_slug: str
    identifier: str

    def get_absolute_url(self):
        return reverse("messages:detail", args=[self.document_slug, self.identifier])


def _neighbour(document, identifier: str | None) -> MessageLink | None:
    return MessageLink(document.slug, identifier) if identifier else None


def topic_list(*, document: Document, fetched_by) -> list[Topic]:
    require_reader(fetched_by)
    return list(
        Topic.objects.filter(document=document).annotate(
            message_count=Count("messages", filter=Q(messages__retired_in__isnull=True))
        ).order_by("name")
    )


def topic_detail(*, document: Document, slug: str, fetched_by) -> tuple[Topic, list[Message]]:
    require_reader(fetched_by)
    topic = Topic.objects.filter(document=document, slug=slug).first()
    if topic is None:
        raise Http404
    return topic, list(live_messages(document).filter(topics=topic))


def rules_acknowledged(*, user, document, rules_version: str) -> bool:
    return RulesAcknowledgement.objects.filter(user_id=user.pk, document=document, rules_version=rules_version).exists()


def rules_changes_since_acknowledged(*, user, edition) -> list[tuple[str, str]]:
    """How the rules of `edition` differ from the last rules `user` confirmed ([] if they confirmed
    none before, or these): what a reader is shown when a new edition asks them to confirm again."""
    last = (
        RulesAcknowledgement.objects.filter(user_id=user.pk, document_id=edition.document_id)
        .order_by("-acknowledged_at", "-pk")
        .first()
    )
    if last is None or last.rules_version == edition.rules_version:
        return []
    earlier = (
        Edition.objects.filter(document_id=edition.document_id)
        .filter(rules_version=last.rules_version)
        .only("handling_rules")
        .first()
    )
    return list_diff(earlier.handling_rules, edition.handling_rules) if earlier else []


def document_messages(*, document: Document, fetched_by) -> list[Message]:
    """Every live message in document order, for printing the whole document."""
    require_reader(fetched_by)
    return list(live_messages(document))


def document_sections(*, document: Document, fetched_by) -> list[Section]:
    """Every live section and sub-section in document order (a section, then its sub-sections: the
    loader numbers positions through the whole outline), for printing the whole document. One query."""
    require_reader(fetched_by)
    return list(
        Section.objects.filter(document=document, retired_in__isnull=True)
        .filter(Q(parent__isnull=True) | Q(parent__retired_in__isnull=True))
        .order_by("position")
    )


@dataclass
class ChangeSinceVisit:
    message: Message
    read_version: MessageVersion | None  # the version current when the reader last looked; None: a new message
    diff: list


@dataclass
class ChangesSinceVisit:
    since: object  # when the reader last marked the changes as seen (else first read this document); None: never read it
    items: list[ChangeSinceVisit]


def changes_since_last_visit(*, document: Document, fetched_by) -> ChangesSinceVisit:
    """What the editions published since the reader's last visit changed: the messages they changed
    (with the word diff from the version current then) and the messages they added.

    "Last visit" is when the reader last marked this list as seen (ChangesSeen), else when they first
    read a message of the document (their read receipts, MessageRead): the list stays until they mark
    it as seen, whatever they opened meanwhile. Nothing before they first read the document.
    """
    require_reader(fetched_by)
    seen = ChangesSeen.objects.filter(user_id=fetched_by.pk, document=document).values_list("seen_at", flat=True).first()
    since = seen or MessageRead.objects.filter(user_id=fetched_by.pk, message__document=document).aggregate(first=Min("first_read_at"))["first"]
    if since is None:
        return ChangesSinceVisit(None, [])
    live = list(live_messages(document).select_related("current_version__edition").filter(current_version__edition__loaded_at__gt=since))
    # The version of each of them that was current at `since` (none: added since).
    then = {}
    for version in (
        MessageVersion.objects.filter(message__in=live, edition__loaded_at__lte=since).only("id", "message_id", "number", "text").order_by("number")
    ):
        then[version.message_id] = version  # the highest number wins
    items = []
    for message in live:
        old = then.get(message.pk)
        items.append(ChangeSinceVisit(message, old, word_diff(old.text, message.current_version.text) if old else []))
    return ChangesSinceVisit(since, items)
