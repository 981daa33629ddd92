"""An edition of the library as a content file (the format `load_key_messages` reads).

The texts are the edition's own: each message as that edition gave it, the edition's introduction,
rules, contacts and summary. The library keeps one structure (section headings, order, topics), the
current one: an older edition is exported with today's structure around its texts.
"""

from collections import defaultdict

from messages_app.catalogue.content_file import ContentDocument, MessageSpec, SectionSpec, TopicSpec
from messages_app.catalogue.models import Message, MessageVersion, Section, Topic


def edition_content(edition) -> ContentDocument:
    """The content of `edition` (a constant number of queries, whatever the document's size)."""
    sequence = edition.sequence
    document = edition.document

    def alive_at(thing) -> bool:
        return thing.retired_in_id is None or thing.retired_in.sequence > sequence

    texts = {}
    for version in (
        MessageVersion.objects.filter(message__document=document, edition__sequence__lte=sequence)
        .order_by("message_id", "number")
        .only("message_id", "text")
    ):
        texts[version.message_id] = version.text  # the last one up to this edition wins
    messages = [
        m
        for m in Message.objects.filter(document=document).select_related("retired_in").order_by("position")
        if m.pk in texts and alive_at(m)
    ]
    through = Message.topics.through
    topic_slugs = defaultdict(list)
    for link in through.objects.filter(message__in=messages).select_related("topic").order_by("pk"):
        topic_slugs[link.message_id].append(link.topic.slug)

    children = defaultdict(list)
    for message in messages:
        if message.parent_id:
            children[message.parent_id].append(message)

    def message_spec(message) -> MessageSpec:
        return MessageSpec(
            identifier=message.identifier,
            text=texts[message.pk],
            topics=tuple(topic_slugs[message.pk]),
            children=tuple(message_spec(child) for child in children[message.pk]),
        )

    by_section = defaultdict(list)
    for message in messages:
        if not message.parent_id:
            by_section[message.section_id].append(message_spec(message))

    sections = [s for s in Section.objects.filter(document=document).select_related("retired_in").order_by("position") if alive_at(s)]
    subsections = defaultdict(list)
    for section in sections:
        if section.parent_id:
            subsections[section.parent_id].append(section)

    def section_spec(section) -> SectionSpec:
        return SectionSpec(
            key=section.key,
            title=section.title,
            number=section.number,
            lead=section.lead,
            messages=tuple(by_section[section.pk]),
            subsections=tuple(section_spec(sub) for sub in subsections[section.pk]),
        )

    return ContentDocument(
        slug=document.slug,
        title=document.title,
        edition=edition.label,
        edition_note=edition.note,
        introduction=tuple(edition.introduction),
        handling_rules=tuple(edition.handling_rules),
        contacts=tuple(edition.contacts),
        summary=edition.summary,
        topics=tuple(TopicSpec(slug=t.slug, name=t.name) for t in Topic.objects.filter(document=document).order_by("pk")),
        sections=tuple(section_spec(s) for s in sections if not s.parent_id),
    )
