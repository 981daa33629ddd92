"""A draft as a content file: the form in which the loader's parser validates it and the loader
publishes it (one format, one validator, one way into the library)."""

from collections import defaultdict

from messages_app.catalogue.content_file import ContentDocument, MessageSpec, SectionSpec, TopicSpec, write_content
from messages_app.editorial.models import Draft, DraftMessage, DraftSection


def draft_content(draft: Draft, *, sections=None, messages=None) -> ContentDocument:
    """The next edition as the draft stands, retired messages left out (two queries, or none when the
    caller passes the draft's sections and messages)."""
    sections = sections if sections is not None else list(DraftSection.objects.filter(draft=draft).order_by("position"))
    messages = messages if messages is not None else list(DraftMessage.objects.filter(draft=draft).order_by("position"))
    children = defaultdict(list)
    top_level = defaultdict(list)
    for message in messages:
        if message.retired:
            continue
        if message.parent_id:
            children[message.parent_id].append(message)
        else:
            top_level[message.section_id].append(message)

    def message_spec(message) -> MessageSpec:
        return MessageSpec(
            identifier=message.identifier, text=message.text, topics=tuple(message.topics),
            children=tuple(message_spec(child) for child in children[message.pk]),
        )

    subsections = defaultdict(list)
    for section in sections:
        if section.parent_id:
            subsections[section.parent_id].append(section)

    def section_spec(section) -> SectionSpec:
        return SectionSpec(
            key=section.key, title=section.title, number=section.number, lead=section.lead,
            messages=tuple(message_spec(m) for m in top_level[section.pk]),
            subsections=tuple(section_spec(sub) for sub in subsections[section.pk]),
        )

    return ContentDocument(
        slug=draft.document.slug,
        title=draft.title,
        edition=draft.label,
        edition_note=draft.release_note,
        introduction=tuple(draft.introduction),
        handling_rules=tuple(draft.handling_rules),
        contacts=tuple(draft.contacts),
        summary=draft.summary,
        topics=tuple(TopicSpec(slug=slug, name=name) for slug, name in draft.topics),
        sections=tuple(section_spec(s) for s in sections if not s.parent_id),
    )


def draft_yaml(draft: Draft, **rows) -> str:
    return write_content(draft_content(draft, **rows))
