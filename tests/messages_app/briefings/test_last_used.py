"""The "Add to a briefing" menu preselects the briefing its user last added a message to (kept on the
server: the briefing holding their newest item), on every page that has the menu, at no extra query."""

import re

import pytest
from django.urls import reverse

from messages_app.briefings import services as briefing_services
from messages_app.briefings.models import Briefing, Occasion
from messages_app.catalogue.models import Message

MESSAGE_PAGE = reverse("messages:detail", args=["migration-americas", "DET-04"])
OPTION = re.compile(r'<option value="([^"]+)"( selected)?>')


def make_briefing(owner, identifiers, title):
    return briefing_services.briefing_create(
        acting_user=owner, title=title, occasion=Occasion.MEETING, messages=[Message.objects.get(identifier=i) for i in identifiers]
    )


def menu(client, url=MESSAGE_PAGE):
    """(the options of the menu, the one chosen), as the page offers them."""
    page = client.get(url).content.decode()
    [select] = re.findall(r'<select id="briefing-target" name="briefing">(.*?)</select>', page, re.S)
    options = OPTION.findall(select)
    chosen = [value for value, selected in options if selected]
    assert len(chosen) <= 1
    return [value for value, _selected in options], (chosen[0] if chosen else "new")


def add(client, briefing, identifier="DET-04"):
    response = client.post(reverse("messages:briefing_add"), {"briefing": str(briefing.pk), "message": [identifier]})
    assert response.status_code == 302


def test_without_briefings_the_menu_offers_a_new_one(member_client):
    assert menu(member_client) == (["new"], "new")


def test_the_briefing_last_added_to_is_chosen(member_client, member):
    interview = make_briefing(member, ["GEN-01"], "Radio interview")
    speech = make_briefing(member, ["GEN-02"], "Speech")
    assert menu(member_client)[1] == str(speech.pk)  # created with a message: the last used

    add(member_client, interview)
    assert menu(member_client)[1] == str(interview.pk)
    add(member_client, speech, "ADV-03")
    assert menu(member_client)[1] == str(speech.pk)


def test_changing_a_briefing_in_other_ways_does_not_make_it_the_last_used(member_client, member):
    interview = make_briefing(member, ["GEN-01", "GEN-02"], "Radio interview")
    speech = make_briefing(member, ["ADV-03"], "Speech")
    add(member_client, interview, "DET-04")
    # Renaming and reordering the other briefing put it first in the menu, not chosen.
    briefing_services.briefing_update(acting_user=member, briefing=speech, title="Speech, new title", occasion=Occasion.SPEECH, include_notes=True)
    item = interview.items.order_by("position").first()
    briefing_services.briefing_move_item(acting_user=member, briefing=interview, item_id=item.pk, direction="down")
    briefing_services.briefing_update(acting_user=member, briefing=speech, title="Speech again", occasion=Occasion.SPEECH, include_notes=True)
    options, chosen = menu(member_client)
    assert options == ["new", str(speech.pk), str(interview.pk)]
    assert chosen == str(interview.pk)


def test_an_empty_new_briefing_is_offered_but_not_chosen(member_client, member):
    interview = make_briefing(member, ["GEN-01"], "Radio interview")
    empty = make_briefing(member, [], "Not started")
    options, chosen = menu(member_client)
    assert options == ["new", str(empty.pk), str(interview.pk)]
    assert chosen == str(interview.pk)


@pytest.mark.parametrize(
    "url",
    [
        reverse("messages:section", args=["migration-americas", "detention-deportation"]),
        reverse("messages:topic", args=["migration-americas", "detention"]),
        reverse("messages:search") + "?q=detention",
    ],
)
def test_every_menu_chooses_it(member_client, member, url):
    make_briefing(member, ["GEN-01"], "Radio interview")
    latest = make_briefing(member, ["GEN-02"], "Speech")
    assert menu(member_client, url)[1] == str(latest.pk)


def test_another_persons_briefings_are_neither_offered_nor_chosen(member_client, member, member_b_client, member_b):
    mine = make_briefing(member, ["GEN-01"], "Mine")
    theirs = make_briefing(member_b, ["GEN-02"], "Theirs")  # added to after mine
    assert menu(member_client) == (["new", str(mine.pk)], str(mine.pk))
    assert menu(member_b_client) == (["new", str(theirs.pk)], str(theirs.pk))


def test_the_menu_costs_the_same_queries_with_briefings(member_client, member, django_assert_num_queries):
    """The message page's budget (tests/messages_app/reading/test_views.py, PAGES) with briefings too."""
    member_client.get(reverse("messages:help", args=["migration-americas"]))  # the session's first request
    with django_assert_num_queries(11):
        assert member_client.get(MESSAGE_PAGE).status_code == 200
    for number in range(5):
        make_briefing(member, ["GEN-01", "GEN-02", "ADV-03"], f"Briefing {number}")
    with django_assert_num_queries(11):
        assert member_client.get(MESSAGE_PAGE).status_code == 200
    assert Briefing.objects.filter(owner=member).count() == 5
