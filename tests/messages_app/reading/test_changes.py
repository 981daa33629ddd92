"""What changed since your last visit: from the reader's own access-log rows."""

import dataclasses

from django.urls import reverse

from messages_app.catalogue.services import key_messages_load
from tests.conftest import shipped_content
from tests.messages_app.content import with_message_text

NEW_TEXT = "Detention of migrants must be an exceptional measure of last resort, reviewed by a judge."


def _second_edition():
    """Edition 2: DET-01 reworded, and a new message DET-08 at the end of the detention section."""
    content = with_message_text(shipped_content(), "DET-01", NEW_TEXT, edition="2")

    def add_to_detention(section):
        if section.key != "detention-deportation":
            return section
        template = section.messages[-1]
        new = dataclasses.replace(template, identifier="DET-08", text="A brand new detention message.", children=())
        return dataclasses.replace(section, messages=(*section.messages, new))

    return dataclasses.replace(content, sections=tuple(add_to_detention(s) for s in content.sections))


def test_nothing_to_show_before_a_new_edition(member_client, library):
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    page = member_client.get(reverse("messages:changes", args=["migration-americas"])).content.decode()
    assert "Nothing new" in page


def test_changed_and_new_messages_are_listed_with_the_canonical_diff_then_cleared(member_client, library):
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-02"]))
    key_messages_load(content=_second_edition())

    page = member_client.get(reverse("messages:changes", args=["migration-americas"])).content.decode()

    assert "DET-01" in page and "you read version 1, now version 2" in page
    assert "<ins>" in page and "<del>" in page and "judge." in page
    assert "DET-08" in page and "A brand new detention message." in page
    assert "DET-02" not in page  # read, unchanged
    assert "GEN-05" not in page  # never read, not new
    # Reading them here counts: the next visit shows nothing.
    assert "Nothing new" in member_client.get(reverse("messages:changes", args=["migration-americas"])).content.decode()


def test_a_reader_who_opens_the_new_version_no_longer_sees_it(member_client, library):
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    key_messages_load(content=_second_edition())
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    page = member_client.get(reverse("messages:changes", args=["migration-americas"])).content.decode()
    assert "you read version 1" not in page
