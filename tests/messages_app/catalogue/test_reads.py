"""The one read path (messages_app/catalogue/reads.py): what a page shows is recorded in one INSERT
with the reader's read receipts, and the features keep their own state instead of reading the log."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Action, AuditEvent
from audit.services import audit_record
from messages_app.catalogue.models import Message, MessageRead
from messages_app.catalogue.services import key_messages_load
from messages_app.printing.models import Print
from tests.conftest import shipped_content
from tests.messages_app.content import with_message_text


def test_a_message_page_leaves_a_read_receipt_once_per_version(member, member_client, library):
    url = reverse("messages:detail", args=["migration-americas", "DET-01"])
    member_client.get(url)
    member_client.get(url)
    assert list(MessageRead.objects.filter(user=member).values_list("message__identifier", "version_number")) == [("DET-01", 1)]
    assert AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE, actor_user_id=member.pk, message_identifier="DET-01").count() == 2


def test_a_copy_leaves_no_receipt_but_a_page_of_several_messages_leaves_one_each(member, member_client, library):
    member_client.post(reverse("messages:copied", args=["migration-americas", "DET-01"]))
    assert not MessageRead.objects.filter(user=member).exists()
    member_client.get(reverse("messages:section", args=["migration-americas", "detention-deportation"]))
    section = set(Message.objects.filter(section__key="detention-deportation", retired_in__isnull=True).values_list("pk", flat=True))
    assert set(MessageRead.objects.filter(user=member).values_list("message_id", flat=True)) == section


def test_changes_since_last_visit_never_read_the_access_log(member_client, library):
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    key_messages_load(content=with_message_text(shipped_content(), "DET-01", "Reworded.", edition="2"))
    with CaptureQueriesContext(connection) as queries:
        page = member_client.get(reverse("messages:changes", args=["migration-americas"])).content.decode()
    assert "DET-01" in page and "version 1 then, version 2 now" in page
    reads_of_the_log = [q["sql"] for q in queries.captured_queries if "audit_auditevent" in q["sql"] and not q["sql"].startswith("INSERT")]
    assert reads_of_the_log == []


def test_a_print_watermark_comes_from_its_own_row_not_from_the_access_log(member, member_client, library):
    response = member_client.get(reverse("messages:document_print", args=["migration-americas"]))
    printed = Print.objects.get(reader=member)
    assert printed.trace_code in response.content.decode()
    event = AuditEvent.objects.get(action=Action.PRINTED, actor_user_id=member.pk)
    assert event.trace_code == printed.trace_code and event.request_id == response["X-Request-ID"]
    with CaptureQueriesContext(connection) as queries:
        css = member_client.get(reverse("messages:print_marks", args=[printed.trace_code]))
    assert css.status_code == 200 and printed.trace_code in css.content.decode()
    assert not [q for q in queries.captured_queries if "audit_auditevent" in q["sql"] and not q["sql"].startswith("INSERT")]


def test_a_print_and_its_access_log_row_are_written_together_or_not_at_all(member, member_client, library, monkeypatch):
    from django.db import DatabaseError

    def refuse(*rows, **fields):
        raise DatabaseError("disk full (simulated)")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", refuse)
    assert member_client.get(reverse("messages:document_print", args=["migration-americas"])).status_code == 503
    assert not Print.objects.exists()


def test_the_reads_switch_turns_off_receipts_with_the_rows(member, member_client, library, settings):
    settings.AUDIT_READS_ENABLED = False
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    member_client.get(reverse("messages:changes", args=["migration-americas"]))
    assert not MessageRead.objects.exists()
    assert not AuditEvent.objects.filter(action__in=[Action.VIEWED_MESSAGE, Action.NOTE_VIEWED]).exists()


def test_the_upgrade_carries_reads_and_prints_over_from_the_access_log(member, library):
    det = Message.objects.get(identifier="DET-01")
    audit_record(action=Action.VIEWED_MESSAGE, actor=member, target_type="message", target_id="DET-01", message=det, version=det.current_version)
    audit_record(action=Action.PRINTED, actor=member, target_type="document", target_id="x", trace_code="KM-AAAA-BBBB", details={"paper": "letter", "kind": "document"})
    migration = importlib.import_module("messages_app.migrations.0006_reads_and_prints")
    migration.carry_over_from_the_access_log(apps, None)
    migration.carry_over_from_the_access_log(apps, None)  # safe to run twice
    assert list(MessageRead.objects.values_list("user_id", "message_id", "version_number")) == [(member.pk, det.pk, 1)]
    printed = Print.objects.get()
    assert (printed.trace_code, printed.reader_id, printed.paper, printed.kind) == ("KM-AAAA-BBBB", member.pk, "Letter", "document")


@pytest.mark.parametrize("by", [None, "platform@ifrc.example.org"])
def test_loading_an_edition_or_a_translation_is_recorded_naming_who_loaded_it(no_library, by, capsys):
    from django.core.management import call_command

    from tests.accounts import person
    from national_societies.models import Membership

    if by:
        person("ifrc-americas", Membership.Role.PLATFORM_ADMIN, by)
    args = ["--by", by] if by else []
    call_command("load_key_messages", *args)
    call_command("load_key_messages", *args)  # nothing changed: nothing recorded
    call_command("load_key_messages", "messages_app/content/demo/key-messages.es.yaml", *args)
    events = list(AuditEvent.objects.filter(action__in=[Action.LOADED_EDITION, Action.LOADED_TRANSLATION]).order_by("id"))
    assert [e.action for e in events] == [Action.LOADED_EDITION, Action.LOADED_TRANSLATION]
    assert events[0].details["edition"] == "1" and events[0].details["edition_created"] is True
    assert events[1].details["language"] == "es"
    for event in events:
        if by:
            assert event.actor_email == by and "loaded_as" not in event.details
        else:
            assert event.actor_user_id is None and "(manage.py)" in event.details["loaded_as"]


def test_loading_as_an_unknown_account_imports_nothing(no_library):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no active account"):
        call_command("load_key_messages", "--by", "nobody@example.org")
    assert not Message.objects.exists()
