"""The social media helper: a message's text with its character count against common post limits,
and a copy button whose use is recorded in the access log (copied_message)."""

import html
import re

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.catalogue.models import Message, MessageVersion, Section
from tests.accounts import sign_in

# Post limits of common platforms, in characters (the spec the page is held to).
LIMITS = [("X", 280), ("Bluesky", 300), ("Threads", 500), ("LinkedIn", 3000), ("Instagram", 2200), ("Facebook", 63206)]
LIMIT_ROW = re.compile(
    r'<li data-limit="(\d+)" class="(over)?"><strong>([^<]+)</strong> \((\d+)\): <span class="remaining">([^<]+)</span></li>'
)


def social_url(identifier):
    return reverse("messages:social", args=["migration-americas", identifier])


def copied_url(identifier):
    return reverse("messages:copied", args=["migration-americas", identifier])


def limit_rows(response):
    """(platform, limit, over?, remaining text) for each platform listed."""
    rows = []
    for data_limit, over, name, limit, remaining in LIMIT_ROW.findall(response.content.decode()):
        assert data_limit == limit
        rows.append((name, int(limit), bool(over), remaining))
    return rows


def expected_rows(length):
    return [(name, limit, length > limit, f"{length - limit} too many" if length > limit else f"{limit - length} left") for name, limit in LIMITS]


def textarea_text(response):
    [text] = re.findall(r'<textarea id="post-text" rows="10" data-count-target="post-count" data-limits-target="post-limits"[^>]*>(.*?)</textarea>', response.content.decode(), re.S)
    return html.unescape(text)


def count_text(response):
    [text] = re.findall(r'<span id="post-count" role="status" aria-live="polite">([^<]*)</span>', response.content.decode())
    return text


def copies():
    return list(AuditEvent.objects.filter(action=Action.COPIED_MESSAGE).order_by("id"))


@pytest.fixture
def made(library):
    """Messages made for the limits: exactly 280 and 281 characters (accents and emoji, one character
    each, as the page's script counts them), and one whose text holds markup."""
    section = Section.objects.get(key="detention-deportation")
    edition = section.document.editions.get()
    last = Message.objects.order_by("-position").first().position
    texts = {
        "ZZZ-01": "é😀" * 140,
        "ZZZ-02": "é😀" * 140 + "!",
        "ZZZ-03": 'Quote "this" & </textarea><script>alert(1)</script> — done',
    }
    for offset, (identifier, text) in enumerate(texts.items(), 1):
        message = Message.objects.create(document_id=section.document_id, identifier=identifier, section=section, position=last + offset)
        message.current_version = MessageVersion.objects.create(message=message, number=1, edition=edition, text=text)
        message.save()
    return texts


# --- The page -----------------------------------------------------------------------------------


def test_social_page_shows_the_text_its_count_and_what_is_left_on_each_platform(member_client, member):
    message = Message.objects.select_related("current_version").get(identifier="ADV-03")
    text = message.current_version.text
    assert len(text) < 280

    response = member_client.get(social_url("ADV-03"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Prepare a social media post" in page
    assert textarea_text(response) == text
    assert count_text(response) == f"{len(text)} characters"
    assert limit_rows(response) == expected_rows(len(text))
    assert ("X", 280, False, f"{280 - len(text)} left") in limit_rows(response)
    # What the script needs to count live, and the copy button that records the copy.
    assert '<ul id="post-limits" class="limits">' in page
    assert 'data-left="%(n)s left" data-over="%(n)s too many" data-chars="%(n)s characters"' in page
    [button] = re.findall(r'<button type="button" class="copy-button primary"[^>]*>', page)
    assert 'data-copy-target="post-text"' in button
    assert f'data-record-url="{copied_url("ADV-03")}"' in button
    assert re.search(r'data-csrf="[A-Za-z0-9]{32,}"', button)
    assert f'<a href="{message.get_absolute_url()}">' in page
    # Opening the helper is a read of the message, recorded like any other.
    [event] = AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE, actor_user_id=member.pk)
    assert (event.message_identifier, event.message_version, event.details) == ("ADV-03", message.current_version.number, {"page": "social media helper", "document": "migration-americas"})
    assert copies() == []


def test_a_long_message_is_marked_over_the_shorter_limits(member_client):
    text = Message.objects.get(identifier="DET-04").current_version.text
    assert 500 < len(text) < 2200

    response = member_client.get(social_url("DET-04"))

    rows = limit_rows(response)
    assert rows == expected_rows(len(text))
    assert [name for name, _limit, over, _text in rows if over] == ["X", "Bluesky", "Threads"]
    assert ("X", 280, True, f"{len(text) - 280} too many") in rows
    assert ("LinkedIn", 3000, False, f"{3000 - len(text)} left") in rows
    assert count_text(response) == f"{len(text)} characters"


@pytest.mark.parametrize(("identifier", "length", "x_row"), [("ZZZ-01", 280, ("X", 280, False, "0 left")), ("ZZZ-02", 281, ("X", 280, True, "1 too many"))])
def test_the_limit_itself_is_allowed_and_one_more_is_over(member_client, made, identifier, length, x_row):
    response = member_client.get(social_url(identifier))
    assert textarea_text(response) == made[identifier]
    # Counted in characters (code points), as the page's script counts them, not in UTF-16 units.
    assert count_text(response) == f"{length} characters"
    rows = limit_rows(response)
    assert rows[0] == x_row
    assert rows[1] == ("Bluesky", 300, False, f"{300 - length} left")


def test_markup_in_a_message_is_shown_as_text(member_client, made):
    response = member_client.get(social_url("ZZZ-03"))
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and "</textarea><script>" not in page
    assert textarea_text(response) == made["ZZZ-03"]
    assert count_text(response) == f"{len(made['ZZZ-03'])} characters"


def test_the_message_page_links_to_the_helper(member_client):
    page = member_client.get(reverse("messages:detail", args=["migration-americas", "ADV-03"])).content.decode()
    assert f'<a href="{social_url("ADV-03")}">Prepare a social media post with this message</a>' in page


def test_unknown_message_and_signed_out_visitor(member_client, client):
    assert member_client.get(social_url("ZZZ-99")).status_code == 404
    assert member_client.post(copied_url("ZZZ-99")).status_code == 404
    anonymous = Client()
    for response in (anonymous.get(social_url("ADV-03")), anonymous.post(copied_url("ADV-03"))):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert copies() == []


# --- The copy record ----------------------------------------------------------------------------


def test_copying_records_one_copied_message_event(member_client, member, colombia):
    version = Message.objects.get(identifier="ADV-03").current_version

    response = member_client.post(copied_url("adv-03"))

    assert response.status_code == 204 and response.content == b""
    [event] = copies()
    assert (event.actor_user_id, event.actor_email, event.actor_organisation_id) == (member.pk, member.email, colombia.pk)
    assert (event.target_type, event.target_id, event.message_identifier, event.message_version) == ("message", "ADV-03", "ADV-03", version.number)
    member_client.post(copied_url("ADV-03"))
    assert len(copies()) == 2  # each copy is an event


def test_copy_works_with_the_csrf_token_the_page_gives_and_not_without(member, library):
    client = sign_in(Client(enforce_csrf_checks=True), member)
    page = client.get(social_url("ADV-03")).content.decode()
    [token] = re.findall(r'data-csrf="([^"]+)"', page)

    assert client.post(copied_url("ADV-03")).status_code == 403
    assert copies() == []
    response = client.post(copied_url("ADV-03"), headers={"X-CSRFToken": token})
    assert response.status_code == 204
    assert len(copies()) == 1


def test_the_copy_endpoint_takes_post_only(member_client):
    for method in ("get", "put", "delete", "head"):
        response = getattr(member_client, method)(copied_url("ADV-03"))
        assert response.status_code == 405, method
        assert response["Allow"] == "POST", method
    assert copies() == []


def test_the_helper_takes_get_only(member_client):
    response = member_client.post(social_url("ADV-03"))
    assert response.status_code == 405
    assert copies() == []


def test_when_the_access_log_cannot_write_nothing_is_shown_or_recorded(member_client, monkeypatch):
    def refuse(*rows, **fields):
        raise DatabaseError("disk full (simulated)")

    text = Message.objects.get(identifier="ADV-03").current_version.text
    for method, url in (("get", social_url("ADV-03")), ("post", copied_url("ADV-03"))):
        with monkeypatch.context() as patch:
            patch.setattr(AuditEvent.objects, "create", refuse)
            patch.setattr(AuditEvent.objects, "bulk_create", refuse)
            response = getattr(member_client, method)(url)
        assert response.status_code == 503, url
        assert text not in response.content.decode() and "post-text" not in response.content.decode(), url
    assert copies() == []
    assert not AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE, message_identifier="ADV-03").exists()
