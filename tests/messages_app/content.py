"""Changes to the loaded library that several test modules make: an edited text, more messages."""

import dataclasses

from django.db import connection

from messages_app.catalogue.models import Message, MessageVersion, Section
from messages_app.catalogue.services import _refresh_search_vectors


def with_message_text(content, identifier, new_text, *, edition):
    """A copy of the content with one message's text replaced and a given edition label."""

    def replace(messages):
        return tuple(
            dataclasses.replace(
                m,
                text=new_text if m.identifier == identifier else m.text,
                children=replace(m.children),
            )
            for m in messages
        )

    def replace_sections(sections):
        return tuple(
            dataclasses.replace(s, messages=replace(s.messages), subsections=replace_sections(s.subsections))
            for s in sections
        )

    return dataclasses.replace(content, edition=edition, sections=replace_sections(content.sections))


def add_messages(count):
    """More messages in an existing section, to show that query counts do not grow with them."""
    section = Section.objects.get(key="detention-deportation")
    edition = section.document.editions.get()
    last = Message.objects.order_by("-position").first().position
    for i in range(count):
        message = Message.objects.create(document_id=section.document_id, identifier=f"ZZZ-{i:02d}", section=section, position=last + 1 + i)
        version = MessageVersion.objects.create(message=message, number=1, edition=edition, text=f"Detention extra {i}")
        message.current_version = version
        message.save()
        message.topics.set(section.messages.first().topics.all())
    if connection.vendor == "postgresql":
        _refresh_search_vectors(section.document)


JOINT_SECRET = "A message of the IFRC and ICRC's own document, for their staff only."


def load_joint_document(content, *, slug="joint-statement", audience=("ifrc-americas", "icrc-americas")):
    """A second document, "Joint statement", reusing the shipped one's identifiers, section keys and
    topic slugs (one section, one message whose text is JOINT_SECRET), read only by `audience` (slugs
    of organisations; None: every organisation)."""
    from messages_app.catalogue.models import Document
    from messages_app.catalogue.services import key_messages_load
    from national_societies.models import NationalSociety

    first_section = content.sections[0]
    message = dataclasses.replace(first_section.messages[0], text=JOINT_SECRET, children=())
    section = dataclasses.replace(first_section, messages=(message,), subsections=())
    key_messages_load(content=dataclasses.replace(content, slug=slug, title="Joint statement", edition="1", sections=(section,)))
    document = Document.objects.get(slug=slug)
    if audience is not None:
        document.audience_all = False
        document.save(update_fields=["audience_all"])
        document.audience.set(NationalSociety.objects.filter(slug__in=audience))
    return document
