"""A briefing as cue cards for a phone: one message a screen with its talking points, previous and next
links, "3 of 7"; each card records the message it shows through the one read path, as the briefing
page does, in a constant number of queries; the author's alone (anyone else: 404)."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.briefings import services as briefing_services
from messages_app.catalogue.models import Message, MessageRead

IDENTIFIERS = ["GEN-01", "ADV-03", "DET-04"]


@pytest.fixture
def briefing(member_a, library):
    briefing = briefing_services.briefing_create(
        acting_user=member_a, title="Radio interview", occasion="media_interview",
        messages=[Message.objects.get(identifier=i) for i in IDENTIFIERS],
    )
    item = briefing.items.get(message__identifier="ADV-03")
    briefing_services.briefing_set_talking_points(
        acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points="Three shelters.\n<script>alert(1)</script>"
    )
    return briefing


def card_url(briefing, number):
    return reverse("messages:briefing_cards", args=[briefing.pk, number])


def viewed(user):
    return list(
        AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE, actor_user_id=user.pk).order_by("id").values_list("message_identifier", "details")
    )


def test_one_message_a_card_with_its_talking_points_and_the_way_through(member_a_client, briefing):
    first = member_a_client.get(card_url(briefing, 1)).content.decode()
    assert "1 of 3" in first and ">GEN-01</h1>" in first
    assert Message.objects.get(identifier="GEN-01").current_version.text in first
    assert Message.objects.get(identifier="ADV-03").current_version.text not in first  # one message a screen
    assert 'rel="prev"' not in first and f'rel="next" href="{card_url(briefing, 2)}"' in first
    assert f'href="{reverse("messages:briefing", args=[briefing.pk])}"' in first  # the way back
    assert "site-header" not in first and "main-nav" not in first and "site-footer" not in first  # no chrome
    assert '<script src="/static/js/cue-cards.js" defer></script>' in first  # the arrow keys; no inline script

    second = member_a_client.get(card_url(briefing, 2)).content.decode()
    assert "2 of 3" in second and ">ADV-03</h1>" in second
    assert f'rel="prev" href="{card_url(briefing, 1)}"' in second and f'rel="next" href="{card_url(briefing, 3)}"' in second
    assert "My talking points" in second and "Three shelters.<br>&lt;script&gt;alert(1)&lt;/script&gt;" in second
    assert "<script>alert(1)" not in second

    last = member_a_client.get(card_url(briefing, 3)).content.decode()
    assert "3 of 3" in last and 'rel="next"' not in last and f'rel="prev" href="{card_url(briefing, 2)}"' in last
    for past_the_end in (0, 4, 10**22):
        assert member_a_client.get(card_url(briefing, past_the_end)).status_code == 404


def test_each_card_records_the_message_it_shows_as_the_briefing_page_does(member_a, member_a_client, briefing):
    member_a_client.get(card_url(briefing, 2))
    adv03 = Message.objects.get(identifier="ADV-03")
    assert viewed(member_a) == [("ADV-03", {"page": "cue card"})]
    assert list(MessageRead.objects.filter(user=member_a).values_list("message_id", "version_number")) == [(adv03.pk, 1)]
    # The briefing page records through the same door, one row per message it shows.
    member_a_client.get(reverse("messages:briefing", args=[briefing.pk]))
    assert viewed(member_a)[1:] == [(identifier, {"page": "briefing"}) for identifier in IDENTIFIERS]


def test_no_card_without_its_access_log_row(member_a, member_a_client, briefing, monkeypatch):
    def refuse(*rows, **fields):
        raise DatabaseError("disk full (simulated)")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", refuse)
    monkeypatch.setattr(AuditEvent.objects, "create", refuse)
    response = member_a_client.get(card_url(briefing, 2))
    assert response.status_code == 503
    assert Message.objects.get(identifier="ADV-03").current_version.text not in response.content.decode()
    assert "Three shelters." not in response.content.decode()
    assert not MessageRead.objects.filter(user=member_a).exists()


# As the reading pages count them (tests/messages_app/reading/test_views.py): the session, the user with
# their membership, the documents the reader reads (their rules confirmed; the briefing's items of
# other documents are not shown), the request's savepoint pair, the briefing, its items with their
# messages, the society's notes (fetched by the briefing's one access helper), the access-log row and
# the read receipt.
CARD_QUERIES = 10


def test_a_card_costs_the_same_whatever_the_briefings_size(member_a, member_a_client, briefing, django_assert_num_queries):
    member_a_client.get(reverse("messages:briefings"))  # the session's first request does more
    with django_assert_num_queries(CARD_QUERIES):
        member_a_client.get(card_url(briefing, 2))
    briefing_services.briefing_add_messages(
        acting_user=member_a, briefing=briefing,
        messages=list(Message.objects.filter(retired_in__isnull=True).exclude(identifier__in=IDENTIFIERS).order_by("position")[:20]),
    )
    for number in (2, 23):
        with django_assert_num_queries(CARD_QUERIES):
            assert member_a_client.get(card_url(briefing, number)).status_code == 200


def test_anyone_else_gets_404_and_nothing_is_recorded_for_them(member_b, member_b_client, briefing):
    response = member_b_client.get(card_url(briefing, 1))
    assert response.status_code == 404 and "Radio interview" not in response.content.decode()
    assert viewed(member_b) == []


def test_an_empty_briefing_has_one_empty_card(member_a, member_a_client, library):
    empty = briefing_services.briefing_create(acting_user=member_a, title="Nothing yet", occasion="meeting")
    page = member_a_client.get(card_url(empty, 1))
    assert page.status_code == 200 and "No message yet." in page.content.decode()
    assert " of 0" not in page.content.decode() and 'rel="next"' not in page.content.decode()
    assert member_a_client.get(card_url(empty, 2)).status_code == 404
    assert viewed(member_a) == []
