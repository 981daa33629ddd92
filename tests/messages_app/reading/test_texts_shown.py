"""Every response that shows a message's text records that message: one `viewed_message` row per
text shown (identifier + version + the page kind), in the request's transaction, whatever the page.
HEAD and prefetch requests get no text and record nothing; reads in the Django admin are recorded."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import Action, AuditEvent
from console.alerts import Rule, audit_flags_detect
from messages_app.briefings.services import briefing_create
from messages_app.catalogue.models import Message
from messages_app.catalogue.services import key_messages_load
from messages_app.notes.services import note_save
from tests.accounts import sign_in
from tests.conftest import shipped_content
from tests.messages_app.content import with_message_text
from tests.messages_app.translations.files import SPANISH, load_translation


def texts_on_page(html: str) -> dict[str, int]:
    """{identifier: version number} of every live message whose current text (original or official
    translation) stands on the page, search highlights taken out."""
    html = re.sub(r"</?mark>", "", html)
    found = {}
    for message in Message.objects.filter(retired_in__isnull=True).select_related("current_version"):
        texts = [message.current_version.text, SPANISH.get(message.identifier, "")]
        if any(text and escape(text) in html for text in texts):
            found[message.identifier] = message.current_version.number
    return found


def recorded_reads(response) -> dict[str, int]:
    rows = AuditEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.VIEWED_MESSAGE)
    identifiers = [row.message_identifier for row in rows]
    assert len(identifiers) == len(set(identifiers)), f"a message recorded twice: {identifiers}"
    return {row.message_identifier: row.message_version for row in rows}


def page_kinds(response) -> set:
    rows = AuditEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.VIEWED_MESSAGE)
    return {row.details.get("page", "message") for row in rows}


@pytest.fixture
def briefing(member, library):
    return briefing_create(
        acting_user=member, title="Interview", occasion="media_interview",
        messages=list(Message.objects.filter(identifier__in=["GEN-01", "DET-04", "GCO-05"]).order_by("position")),
    )


@pytest.fixture
def editor(member):
    member.membership.can_edit_notes = True
    member.membership.save(update_fields=["can_edit_notes"])
    return member


PAGES = {
    "message": (lambda b: reverse("messages:detail", args=["migration-americas", "DET-04"]), {"message"}),
    "parent message": (lambda b: reverse("messages:detail", args=["migration-americas", "GCO-05"]), {"message"}),
    "section": (lambda b: reverse("messages:section", args=["migration-americas", "detention-deportation"]), {"section"}),
    "sub-section": (lambda b: reverse("messages:section", args=["migration-americas", "management-model"]), {"section"}),
    "topic": (lambda b: reverse("messages:topic", args=["migration-americas", "detention"]), {"topic"}),
    "search": (lambda b: reverse("messages:search") + "?q=detention", {"search"}),
    "briefing": (lambda b: reverse("messages:briefing", args=[b.pk]), {"briefing"}),
    "briefing print": (lambda b: reverse("messages:briefing_print", args=[b.pk]), {"print"}),
    "section print": (lambda b: reverse("messages:section_print", args=["migration-americas", "challenges"]), {"print"}),
    "document print": (lambda b: reverse("messages:document_print", args=["migration-americas"]), {"print"}),
    "note editor": (lambda b: reverse("messages:message_note", args=["migration-americas", "DET-04"]), {"editor"}),
    "social media helper": (lambda b: reverse("messages:social", args=["migration-americas", "DET-04"]), {"social media helper"}),
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", PAGES)
def test_rows_written_are_the_message_texts_shown(kind, language, member, editor, briefing, client, library):
    if language == "es":
        load_translation(texts=SPANISH)
        member.language = "es"
        member.save(update_fields=["language"])
    url, kinds = PAGES[kind]
    response = sign_in(client, member).get(url(briefing))
    assert response.status_code == 200
    shown = texts_on_page(response.content.decode())
    assert shown, "the page shows no message text: the test would prove nothing"
    assert recorded_reads(response) == shown
    assert page_kinds(response) <= kinds
    if language == "es" and "DET-04" in shown:
        # The row says whether the official translation was shown beside the original (the note
        # editor shows the original only).
        translated = escape(SPANISH["DET-04"]) in response.content.decode()
        rows = AuditEvent.objects.filter(request_id=response["X-Request-ID"], action=Action.VIEWED_MESSAGE, message_identifier="DET-04")
        assert [row.details.get("translation_shown") for row in rows] == ["es" if translated else None]


def test_what_changed_records_the_new_texts_it_shows(member_client, library):
    member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"]))
    key_messages_load(content=with_message_text(shipped_content(), "DET-01", "Reworded for the test.", edition="2"))
    response = member_client.get(reverse("messages:changes", args=["migration-americas"]))
    assert "Reworded" in response.content.decode()  # shown as a word diff against the version read
    assert recorded_reads(response) == {"DET-01": 2}


def test_a_page_without_message_texts_records_none(member_client, library):
    for url in (reverse("messages:home"), reverse("messages:topics", args=["migration-americas"]), reverse("messages:help", args=["migration-americas"])):
        response = member_client.get(url)
        assert texts_on_page(response.content.decode()) == {} and recorded_reads(response) == {}


@pytest.mark.parametrize("url", ["/documents/migration-americas/messages/DET-04/", "/documents/migration-americas/sections/detention-deportation/", "/search/?q=detention", "/briefings/"])
def test_head_gets_no_text_and_records_nothing(member_client, library, url):
    before = AuditEvent.objects.count()
    response = member_client.head(url)
    assert response.status_code == 200 and response.content == b""
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("header", [{"Sec-Purpose": "prefetch"}, {"Purpose": "prefetch"}, {"Sec-Purpose": "prefetch;prerender"}])
def test_a_prefetch_gets_no_text_and_records_nothing(member_client, library, header):
    before = AuditEvent.objects.count()
    response = member_client.get("/documents/migration-americas/messages/DET-04/", headers=header)
    assert response.status_code == 204 and response.content == b""
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.count() == before
    # The reader opening the page for real gets it, recorded.
    assert recorded_reads(member_client.get("/documents/migration-americas/messages/DET-04/")) == {"DET-04": 1}


def test_whole_document_read_through_sections_or_a_briefing_raises_the_bulk_reading_alert(member, member_client, library, settings):
    settings.AUDIT_ALERTS = {**settings.AUDIT_ALERTS, "many_messages": {"messages": 30, "minutes": 10}}
    for key in ("general-information", "detention-deportation", "challenges"):
        member_client.get(reverse("messages:section", args=["migration-americas", key]))
    briefing = briefing_create(
        acting_user=member, title="All", occasion="meeting", messages=list(Message.objects.filter(retired_in__isnull=True)[:60])
    )
    member_client.get(reverse("messages:briefing", args=[briefing.pk]))
    now = timezone.now()
    flags = audit_flags_detect(start=now - timedelta(minutes=30), end=now + timedelta(minutes=1))
    assert [flag.rule for flag in flags if flag.subject == member.email] == [Rule.MANY_MESSAGES]


def test_reads_in_the_django_admin_are_recorded(platform_admin_client, platform_admin, library):
    message = Message.objects.get(identifier="DET-04")
    for url in (
        reverse("admin:messages_app_message_changelist") + "?q=detention",
        reverse("admin:messages_app_message_change", args=[message.pk]),
        reverse("admin:messages_app_officialtranslation_changelist"),
        reverse("admin:audit_auditevent_changelist"),
    ):
        response = platform_admin_client.get(url)
        assert response.status_code == 200, url
        row = AuditEvent.objects.get(request_id=response["X-Request-ID"], action=Action.ADMIN_VIEWED)
        assert row.actor_user_id == platform_admin.pk
    row = AuditEvent.objects.filter(action=Action.ADMIN_VIEWED, target_type="message").exclude(target_id="").get()
    assert (row.message_identifier, row.message_version, row.target_id) == ("DET-04", 1, str(message.pk))
    assert AuditEvent.objects.filter(action=Action.ADMIN_VIEWED, query="detention").exists()
