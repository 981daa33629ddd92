"""The whole document's structure on paper: its sections in order, each with its own messages and its
sub-sections (one level of nesting, as the management model's four approaches), built from what the
print already fetched, without a query."""

from dataclasses import dataclass, field


@dataclass
class OutlinePart:
    """A heading of the printed document and the messages right under it."""

    section: object  # catalogue.models.Section
    messages: list = field(default_factory=list)
    subsections: list["OutlinePart"] = field(default_factory=list)


def document_outline(sections, messages) -> list[OutlinePart]:
    """`sections` in document order (catalogue.selectors.document_sections), `messages` in document
    order (document_messages): the top-level sections, each with its messages and sub-sections.

    A sub-section whose parent is not among `sections` is left out, with its messages, as is a message
    whose section is not: what is printed is what the reader's library shows."""
    parts = {section.pk: OutlinePart(section) for section in sections}
    top = []
    for section in sections:
        if section.parent_id is None:
            top.append(parts[section.pk])
        elif section.parent_id in parts:
            parts[section.parent_id].subsections.append(parts[section.pk])
    for message in messages:
        if message.section_id in parts:
            parts[message.section_id].messages.append(message)
    return top


def outline_messages(parts: list[OutlinePart]) -> list:
    """The messages the outline prints, in the order it prints them (the access log records these)."""
    printed = []
    for part in parts:
        printed += part.messages
        for sub in part.subsections:
            printed += sub.messages
    return printed
