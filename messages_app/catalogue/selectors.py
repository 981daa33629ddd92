"""Reads of the canonical library, each limited to what the requesting user may see."""

from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404

from audit.models import Action, AuditEvent
from messages_app.catalogue.diffs import word_diff
from messages_app.catalogue.models import Document, Edition, Message, MessageVersion, RulesAcknowledgement, Section, Topic
from messages_app.catalogue.permissions import can_read_library

DOCUMENT_SLUG = "migration-americas"


def require_reader(user):
    """403 with the reason for an account that reads nothing (see permissions.can_read_library)."""
    can_read_library(user).enforce()


def live_messages():
    """Messages of the current edition, with what every list shows, in document order."""
    return (
        Message.objects.filter(retired_in__isnull=True)
        .select_related("current_version", "section")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .order_by("position")
    )


@dataclass
class LibraryHome:
    document: Document
    edition: Edition
    sections: list[Section]
    new_messages: list[Message]
    changed_messages: list[Message]
    retired_messages: list[Message]
    message_count: int


def library_home(*, fetched_by) -> LibraryHome:
    require_reader(fetched_by)
    document = Document.objects.filter(slug=DOCUMENT_SLUG).first()
    if document is None:
        raise Http404("The key messages have not been loaded yet.")
    edition = document.editions.order_by("-sequence").first()
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
        message_count=Message.objects.filter(retired_in__isnull=True).count(),
    )


def current_edition(*, fetched_by) -> Edition:
    require_reader(fetched_by)
    edition = Edition.objects.filter(document__slug=DOCUMENT_SLUG).order_by("-sequence").first()
    if edition is None:
        raise Http404("The key messages have not been loaded yet.")
    return edition


@dataclass
class SectionPage:
    section: Section
    messages: list[Message]
    subsections: list[tuple[Section, list[Message]]]


def section_detail(*, key: str, fetched_by) -> SectionPage:
    """A section with its messages and, for the management model, its four approaches."""
    require_reader(fetched_by)
    section = Section.objects.select_related("parent").filter(key=key, retired_in__isnull=True).first()
    if section is None:
        raise Http404
    subsections = list(section.subsections.filter(retired_in__isnull=True).order_by("position"))
    messages = list(live_messages().filter(section__in=[section, *subsections]))
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
    previous: Message | None
    next: Message | None
    versions: list[MessageVersion]


def message_detail(*, identifier: str, fetched_by, version_number: int | None = None) -> MessagePage:
    """A message's current text, or one of its earlier versions, which stay readable."""
    require_reader(fetched_by)
    message = (
        Message.objects.select_related("current_version__edition", "section__parent", "parent")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch("versions", queryset=MessageVersion.objects.select_related("edition").order_by("number")),
            Prefetch("children", queryset=live_messages()),
        )
        .filter(identifier=identifier)
        .first()
    )
    if message is None:
        raise Http404
    versions = list(message.versions.all())
    if version_number is None:
        version = message.current_version
    else:
        version = next((v for v in versions if v.number == version_number), None)
        if version is None:
            raise Http404
    neighbours = Message.objects.filter(retired_in__isnull=True).only("identifier", "position")
    return MessagePage(
        message=message,
        version=version,
        children=list(message.children.all()),
        previous=neighbours.filter(position__lt=message.position).order_by("-position").first(),
        next=neighbours.filter(position__gt=message.position).order_by("position").first(),
        versions=versions,
    )


def topic_list(*, fetched_by) -> list[Topic]:
    require_reader(fetched_by)
    return list(
        Topic.objects.annotate(
            message_count=Count("messages", filter=Q(messages__retired_in__isnull=True))
        ).order_by("name")
    )


def topic_detail(*, slug: str, fetched_by) -> tuple[Topic, list[Message]]:
    require_reader(fetched_by)
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise Http404
    return topic, list(live_messages().filter(topics=topic))


def current_rules_version() -> str | None:
    """The version of the handling rules users must have acknowledged; None before any load."""
    return (
        Edition.objects.filter(document__slug=DOCUMENT_SLUG)
        .order_by("-sequence")
        .values_list("rules_version", flat=True)
        .first()
    )


def rules_acknowledged(*, user, rules_version: str) -> bool:
    return RulesAcknowledgement.objects.filter(user_id=user.pk, rules_version=rules_version).exists()


def document_messages(*, fetched_by) -> list[Message]:
    """Every live message in document order, for printing the whole document."""
    require_reader(fetched_by)
    return list(live_messages())


@dataclass
class ChangeSinceVisit:
    message: Message
    read_version: MessageVersion | None  # the version the reader last opened; None for a new message
    diff: list


def changes_since_last_visit(*, fetched_by) -> list[ChangeSinceVisit]:
    """Messages new or changed since this reader last read them, from their own access-log rows.

    Changed: the reader opened an earlier version than the current one. New: a message added by an
    edition loaded after the reader's first reading, which they have not opened yet.
    """
    require_reader(fetched_by)
    mine = AuditEvent.objects.filter(actor_user_id=fetched_by.pk)
    read = dict(
        mine.filter(action=Action.VIEWED_MESSAGE, message_version__isnull=False)
        .values_list("message_identifier")
        .annotate(last=Max("message_version"))
    )
    first_activity = mine.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    if first_activity is None:
        return []
    live = list(live_messages().select_related("current_version__edition"))
    changed = [m for m in live if m.identifier in read and m.current_version.number > read[m.identifier]]
    versions = {
        (v.message_id, v.number): v
        for v in MessageVersion.objects.filter(message__in=changed).only("id", "message_id", "number", "text")
    }
    first_versions = dict(
        MessageVersion.objects.filter(number=1, message__in=[m for m in live if m.identifier not in read])
        .values_list("message_id", "edition__loaded_at")
    )
    result = []
    for message in live:
        if message in changed:
            old = versions.get((message.pk, read[message.identifier]))
            result.append(ChangeSinceVisit(message, old, word_diff(old.text if old else "", message.current_version.text)))
        elif message.identifier not in read and first_versions.get(message.pk) and first_versions[message.pk] > first_activity:
            result.append(ChangeSinceVisit(message, None, []))
    return result
