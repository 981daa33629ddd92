"""The loader: idempotent, versioned, all or nothing."""

import dataclasses

from tests.messages_app.content import with_message_text

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from messages_app.catalogue.content_file import ContentFileError
from messages_app.catalogue.models import Edition, Message, MessageVersion, Section, Topic
from messages_app.catalogue.services import key_messages_load
from tests.conftest import shipped_content


def _snapshot():
    return {
        "editions": list(Edition.objects.values_list("label", "sequence")),
        "versions": list(MessageVersion.objects.values_list("message__identifier", "number", "text")),
        "messages": list(Message.objects.values_list("identifier", "position", "section__key", "parent__identifier", "retired_in")),
        "sections": list(Section.objects.values_list("key", "title", "position", "parent__key")),
        "tags": sorted(Message.topics.through.objects.values_list("message__identifier", "topic__slug")),
    }


@pytest.fixture
def first_load(no_library):
    """The shipped file loaded into an empty library, in this test (the `library` fixture's was loaded
    once for the whole test run)."""
    return key_messages_load(content=shipped_content())


def test_first_load_creates_every_message_once(first_load):
    assert first_load.edition_created
    assert len(first_load.messages_created) == 65
    assert Message.objects.count() == 65
    assert Message.objects.filter(parent__isnull=False).count() == 3
    assert MessageVersion.objects.count() == 65
    assert Section.objects.count() == 12
    assert Topic.objects.count() == len(shipped_content().topics)
    compact = Message.objects.get(identifier="GCO-05")
    assert list(compact.children.values_list("identifier", flat=True)) == ["GCO-05.1", "GCO-05.2", "GCO-05.3"]


def test_loading_twice_changes_nothing(library):
    before = _snapshot()
    report = key_messages_load(content=shipped_content())
    assert not report.changed_anything
    assert _snapshot() == before


def test_changed_text_in_a_new_edition_becomes_version_two_and_keeps_version_one(library):
    original = Message.objects.get(identifier="DET-01").current_version.text
    changed = with_message_text(shipped_content(), "DET-01", "A new wording.", edition="2")
    report = key_messages_load(content=changed)
    assert report.edition_created
    assert report.messages_changed == ["DET-01"]
    message = Message.objects.get(identifier="DET-01")
    assert message.current_version.number == 2
    assert message.current_version.text == "A new wording."
    assert message.current_version.edition.label == "2"
    assert message.versions.get(number=1).text == original
    # Loading edition 2 again changes nothing.
    assert not key_messages_load(content=changed).changed_anything


def test_changed_text_without_a_new_edition_is_refused_and_nothing_is_written(library):
    before = _snapshot()
    changed = with_message_text(shipped_content(), "DET-01", "A quiet rewrite.", edition="1")
    with pytest.raises(ContentFileError, match="the text of message DET-01 changed"):
        key_messages_load(content=changed)
    assert _snapshot() == before


def test_a_message_left_out_of_a_new_edition_is_retired_not_deleted(library):
    content = shipped_content()
    sections = tuple(
        dataclasses.replace(s, messages=tuple(m for m in s.messages if m.identifier != "CHA-02"))
        for s in content.sections
    )
    report = key_messages_load(content=dataclasses.replace(content, edition="2", sections=sections))
    assert report.messages_retired == ["CHA-02"]
    retired = Message.objects.get(identifier="CHA-02")
    assert retired.retired_in.label == "2"
    assert retired.current_version.text  # still readable


def test_an_older_edition_is_refused(library):
    key_messages_load(content=with_message_text(shipped_content(), "DET-01", "New.", edition="2"))
    with pytest.raises(ContentFileError, match="older edition"):
        key_messages_load(content=shipped_content())


def test_command_loads_the_shipped_file_and_is_idempotent(no_library, capsys):
    call_command("load_key_messages")
    assert "Loaded edition 1" in capsys.readouterr().out
    call_command("load_key_messages")
    assert "nothing changed" in capsys.readouterr().out
    assert Message.objects.count() == 65


def test_command_refuses_a_malformed_file_and_imports_nothing(no_library, tmp_path):
    broken = tmp_path / "broken.yaml"
    text = settings.KEY_MESSAGES_CONTENT_FILE.read_text(encoding="utf-8")
    # Break the very last message: everything before it must not be imported either.
    broken.write_text(text.replace("id: GCO-05.3", "id: not-an-id"), encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_key_messages", str(broken))
    assert "Nothing was imported" in str(excinfo.value)
    assert "field 'sections[7].messages[4].children[2].id'" in str(excinfo.value)
    assert "line " in str(excinfo.value)
    assert Message.objects.count() == 0 and Edition.objects.count() == 0


def test_command_reports_a_missing_file(db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_key_messages", "/nonexistent/key-messages.yaml")
