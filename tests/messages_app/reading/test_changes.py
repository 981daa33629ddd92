"""What changed since your last visit: the editions published since the reader last marked the list as seen."""

import dataclasses

from django.urls import reverse

from audit.models import Action, AuditEvent
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


def test_changed_and_new_messages_are_listed_with_the_canonical_diff_until_marked_as_seen(member_client, member, library):
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-02"]))
    key_messages_load(content=_second_edition())
    url = reverse("messages:changes", args=["migration-americas"])

    page = member_client.get(url).content.decode()

    assert "DET-01" in page and "version 1 then, version 2 now" in page
    assert "<ins>" in page and "<del>" in page and "judge." in page
    assert "DET-08" in page and "A brand new detention message." in page
    assert "DET-02" not in page and "GEN-05" not in page  # unchanged
    # Opening the list again, or the changed message itself, leaves it there.
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    assert "version 1 then, version 2 now" in member_client.get(url).content.decode()
    # The page is recorded like any other: its row, and a row per message text it showed.
    rows = AuditEvent.objects.filter(actor_user_id=member.pk, details__page__in=["what changed", "changes"]).order_by("pk")
    assert [(r.action, r.message_identifier) for r in rows][:3] == [
        (Action.VIEWED_DOCUMENT, ""), (Action.VIEWED_MESSAGE, "DET-01"), (Action.VIEWED_MESSAGE, "DET-08"),
    ]
    # Marked as seen: the list starts again from now.
    response = member_client.post(reverse("messages:changes_seen", args=["migration-americas"]))
    assert response.status_code == 302 and response["Location"] == url
    assert "Nothing new" in member_client.get(url).content.decode()


def test_before_reading_the_document_there_is_nothing_to_compare_with(member_client, library):
    key_messages_load(content=_second_edition())
    page = member_client.get(reverse("messages:changes", args=["migration-americas"])).content.decode()
    assert "Nothing to show yet" in page and "DET-08" not in page
