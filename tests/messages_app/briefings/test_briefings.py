"""Briefing packs: gathered from any page through the "Add to a briefing" form, edited, reordered,
duplicated, deleted, with the society's own notes, and private to their author (anyone else: 404).
"""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.briefings import services as briefing_services
from messages_app.briefings.models import Briefing, BriefingItem, Occasion
from messages_app.catalogue.models import Message, Topic
from messages_app.notes.models import Visibility
from messages_app.notes.services import note_save
from national_societies.models import Membership, NationalSociety
from tests.accounts import add_totp, sign_in
from tests.factories import MembershipFactory, UserFactory

# --- Helpers ------------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """The forms of a page: action, method, class and the fields a browser would submit."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "method": attrs.get("method", "get"), "class": attrs.get("class", ""), "fields": [], "options": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "checkbox"):
            self._form["fields"].append((attrs.get("name"), attrs.get("value", "")))
        elif tag == "select":
            self._select = attrs.get("name")
            self._form["options"][self._select] = []
        elif tag == "option" and self._select:
            self._form["options"][self._select].append(attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_of(response):
    parser = _FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def add_form_of(response):
    """The "Add to a briefing" form of a page (there is exactly one)."""
    [form] = [f for f in forms_of(response) if "add-to-briefing" in f["class"]]
    assert form["action"] == reverse("messages:briefing_add") and form["method"] == "post"
    return form


def form_messages(form):
    """The identifiers the form adds (each sent as "<document slug>:<identifier>")."""
    values = [value for name, value in form["fields"] if name == "message"]
    assert all(value.startswith("migration-americas:") for value in values), values
    return [value.partition(":")[2] for value in values]


def item_ids(briefing):
    return list(briefing.items.order_by("position").values_list("message__identifier", flat=True))


def flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def person(slug, email, role=Membership.Role.MEMBER):
    user = UserFactory(email=email)
    MembershipFactory(user=user, national_society=NationalSociety.objects.get(slug=slug), role=role)
    if role != Membership.Role.MEMBER:
        add_totp(user)
    return user


def make_briefing(owner, identifiers, title="Radio interview", **fields):
    return briefing_services.briefing_create(
        acting_user=owner,
        title=title,
        occasion=fields.pop("occasion", Occasion.MEDIA_INTERVIEW),
        messages=[Message.objects.get(identifier=i) for i in identifiers],
        **fields,
    )


NEW_FORM = {"title": "Meeting with the mayor", "occasion": "meeting", "occasion_date": "2025-03-12", "include_notes": "on"}


# --- Creating from every kind of page -----------------------------------------------------------


def _message_page(client):
    return client.get(reverse("messages:detail", args=["migration-americas", "ADV-03"])), ["ADV-03"]


def _section_page(client):
    expected = list(
        Message.objects.filter(section__key="detention-deportation", retired_in__isnull=True).order_by("position").values_list("identifier", flat=True)
    )
    return client.get(reverse("messages:section", args=["migration-americas", "detention-deportation"])), expected


def _topic_page(client):
    topic = Topic.objects.get(slug="children-adolescents")
    expected = list(topic.messages.filter(retired_in__isnull=True).order_by("position").values_list("identifier", flat=True))
    return client.get(reverse("messages:topic", args=["migration-americas", topic.slug])), expected


def _search_page(client):
    response = client.get(reverse("messages:search"), {"q": "children detention"})
    expected = [m.identifier for m, *_html in response.context["results"]]
    assert expected[0] == "ADV-03" and len(expected) > 1
    return response, expected


PAGES = {"message": _message_page, "section": _section_page, "topic": _topic_page, "search": _search_page}


@pytest.mark.parametrize("kind", PAGES)
def test_add_form_on_each_kind_of_page_creates_a_new_briefing_with_its_messages(member_client, member, kind):
    page, expected = PAGES[kind](member_client)
    assert page.status_code == 200
    form = add_form_of(page)
    assert form_messages(form) == expected
    assert form["options"]["briefing"] == ["new"]  # no briefing yet

    # "New briefing…": to the creation form, with the page's messages.
    response = member_client.post(form["action"], {"briefing": "new", "message": form_messages(form)})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("messages:briefing_new")
    assert [v for k, v in parse_qsl(location.query) if k == "message"] == expected
    assert not Briefing.objects.exists()  # nothing is created before the title is given

    new_page = member_client.get(response["Location"])
    assert new_page.status_code == 200
    [create_form] = [f for f in forms_of(new_page) if f["method"] == "post" and "stacked-form" in f["class"]]
    assert form_messages(create_form) == expected
    text = new_page.content.decode()
    for identifier in expected:
        assert f"<strong>{identifier}</strong>" in text

    created = member_client.post(create_form["action"] or reverse("messages:briefing_new"), {**NEW_FORM, "message": form_messages(create_form)})
    briefing = Briefing.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("messages:briefing", args=[briefing.pk])
    assert briefing.owner == member
    assert (briefing.title, briefing.occasion, briefing.occasion_date, briefing.include_notes) == (
        "Meeting with the mayor", "meeting", datetime.date(2025, 3, 12), True,
    )
    assert item_ids(briefing) == expected
    assert list(briefing.items.order_by("position").values_list("position", flat=True)) == list(range(1, len(expected) + 1))

    detail = member_client.get(created["Location"])
    html = detail.content.decode()
    assert "<h1>Meeting with the mayor</h1>" in html
    assert f'<p class="meta">Meeting · March 12, 2025 · {len(expected)} message' in html
    for identifier in expected:
        assert f'class="message-id" href="{reverse("messages:detail", args=["migration-americas", identifier])}">{identifier}</a>' in html


@pytest.mark.parametrize("kind", PAGES)
def test_add_form_on_each_kind_of_page_appends_to_an_existing_briefing(member_client, member, kind):
    existing = make_briefing(member, ["GEN-01", "ADV-03"], title="Speech at the forum")
    other = make_briefing(member, [], title="Another pack")
    page, expected = PAGES[kind](member_client)
    form = add_form_of(page)
    # The user's briefings are offered, most recently changed first.
    assert form["options"]["briefing"] == ["new", str(other.pk), str(existing.pk)]
    assert "Speech at the forum" in page.content.decode()

    response = member_client.post(form["action"], {"briefing": str(existing.pk), "message": form_messages(form)})

    assert response.status_code == 302 and response["Location"] == reverse("messages:briefing", args=[existing.pk])
    appended = [i for i in expected if i not in ("GEN-01", "ADV-03")]
    assert item_ids(existing) == ["GEN-01", "ADV-03", *appended]  # already there: not added twice
    assert flashes(response) == [f"{len(appended)} message(s) added to “Speech at the forum”."]
    assert item_ids(other) == []


def test_new_briefing_page_lists_each_message_once_and_ignores_unknown_ones(member_client):
    response = member_client.get(reverse("messages:briefing_new"), {"message": ["adv-03", "ADV-03", "ZZZ-99", "DET-04"]})
    assert [m.identifier for m in response.context["chosen"]] == ["ADV-03", "DET-04"]
    [create_form] = [f for f in forms_of(response) if "stacked-form" in f["class"]]
    assert form_messages(create_form) == ["ADV-03", "DET-04"]
    assert "It will start with 2 messages:" in response.content.decode()


def test_new_briefing_without_messages(member_client, member):
    response = member_client.post(reverse("messages:briefing_new"), {"title": "  Empty for now  ", "occasion": "other"})
    briefing = Briefing.objects.get()
    assert response["Location"] == reverse("messages:briefing", args=[briefing.pk])
    assert (briefing.title, briefing.occasion, briefing.occasion_date, briefing.include_notes) == ("Empty for now", "other", None, False)
    assert item_ids(briefing) == []
    assert "No message yet." in member_client.get(response["Location"]).content.decode()


def test_add_redirect_to_the_new_form_encodes_what_was_posted(member_client):
    response = member_client.post(reverse("messages:briefing_add"), {"briefing": "new", "message": ["ADV-03", "x&title=Injected"]})
    assert response.status_code == 302
    query = parse_qsl(urlsplit(response["Location"]).query)
    assert query == [("message", "ADV-03"), ("message", "x&title=Injected")]
    follow = member_client.get(response["Location"])
    assert [m.identifier for m in follow.context["chosen"]] == ["ADV-03"]
    assert follow.context["form"]["title"].value() in (None, "")


def test_every_occasion_can_be_chosen(member_client):
    for occasion in Occasion.values:
        member_client.post(reverse("messages:briefing_new"), {"title": f"Pack {occasion}", "occasion": occasion, "message": "ADV-03"})
        briefing = Briefing.objects.get(title=f"Pack {occasion}")
        assert briefing.occasion == occasion
        html = member_client.get(reverse("messages:briefing", args=[briefing.pk])).content.decode()
        assert f'<p class="meta">{Occasion(occasion).label} · 1 message</p>' in html, occasion
    assert Briefing.objects.count() == len(Occasion.values) == 5


INVALID = [
    ({"title": ""}, "title", "This field is required."),
    ({"title": "   "}, "title", "This field is required."),
    ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters (it has 201)."),
    ({"occasion": "party"}, "occasion", "Select a valid choice. party is not one of the available choices."),
    ({"occasion": ""}, "occasion", "This field is required."),
    ({"occasion_date": "2025-02-30"}, "occasion_date", "Enter a valid date."),
    ({"occasion_date": "next week"}, "occasion_date", "Enter a valid date."),
]


def test_creation_form_refuses_invalid_title_occasion_or_date(member_client):
    for change, field, error in INVALID:
        response = member_client.post(reverse("messages:briefing_new"), {**NEW_FORM, **change, "message": ["ADV-03"]})
        assert response.status_code == 200, change
        assert response.context["form"].errors == {field: [error]}, change
        assert not Briefing.objects.exists(), change
        # The messages chosen are kept for the next attempt.
        assert [m.identifier for m in response.context["chosen"]] == ["ADV-03"], change
        assert 'name="message" value="migration-americas:ADV-03"' in response.content.decode(), change


def test_edit_form_refuses_invalid_title_occasion_or_date(member_client, member):
    briefing = make_briefing(member, ["ADV-03"], occasion_date=datetime.date(2025, 1, 5))
    before = Briefing.objects.filter(pk=briefing.pk).values().get()
    for change, field, error in INVALID:
        response = member_client.post(reverse("messages:briefing", args=[briefing.pk]), {**NEW_FORM, **change})
        assert response.status_code == 200, change
        assert response.context["form"].errors == {field: [error]}, change
        assert error.replace("'", "&#x27;") in response.content.decode(), change
        assert Briefing.objects.filter(pk=briefing.pk).values().get() == before, change


def test_edit_form_saves_title_occasion_date_and_notes_choice(member_client, member):
    briefing = make_briefing(member, ["ADV-03"], occasion_date=datetime.date(2025, 1, 5))
    url = reverse("messages:briefing", args=[briefing.pk])
    page = member_client.get(url)
    assert page.context["form"]["title"].value() == "Radio interview"
    response = member_client.post(url, {"title": " TV debate ", "occasion": "speech", "occasion_date": ""})
    assert response.status_code == 302 and response["Location"] == url
    briefing.refresh_from_db()
    assert (briefing.title, briefing.occasion, briefing.occasion_date, briefing.include_notes) == ("TV debate", "speech", None, False)
    assert item_ids(briefing) == ["ADV-03"]


def test_a_briefing_holds_at_most_max_items(member_client, member, monkeypatch):
    monkeypatch.setattr(briefing_services, "MAX_ITEMS", 3)
    briefing = make_briefing(member, ["GEN-01", "GEN-02"])
    response = member_client.post(reverse("messages:briefing_add"), {"briefing": briefing.pk, "message": ["GEN-03", "GEN-04"]})
    assert response["Location"] == reverse("messages:briefing", args=[briefing.pk])
    assert flashes(response) == ["A briefing holds at most 3 messages."]
    assert item_ids(briefing) == ["GEN-01", "GEN-02"]
    # The same limit on creation: a form error, nothing created.
    response = member_client.post(reverse("messages:briefing_new"), {**NEW_FORM, "message": ["GEN-01", "GEN-02", "GEN-03", "GEN-04"]})
    assert response.status_code == 200 and "A briefing holds at most 3 messages." in response.content.decode()
    assert Briefing.objects.count() == 1


# --- Reorder, remove ----------------------------------------------------------------------------


def _act(client, briefing, identifier, action):
    item = briefing.items.get(message__identifier=identifier)
    response = client.post(reverse("messages:briefing_item", args=[briefing.pk, item.pk]), {"action": action})
    assert response.status_code == 302
    assert response["Location"] == reverse("messages:briefing", args=[briefing.pk]) + f"#item-{item.pk}"
    return response


def test_reorder_up_and_down_and_the_ends_do_not_move(member_client, member):
    briefing = make_briefing(member, ["GEN-01", "ADV-03", "DET-04"])

    _act(member_client, briefing, "ADV-03", "up")
    assert item_ids(briefing) == ["ADV-03", "GEN-01", "DET-04"]
    _act(member_client, briefing, "ADV-03", "up")  # first already: stays first
    assert item_ids(briefing) == ["ADV-03", "GEN-01", "DET-04"]
    _act(member_client, briefing, "DET-04", "down")  # last already: stays last
    assert item_ids(briefing) == ["ADV-03", "GEN-01", "DET-04"]
    _act(member_client, briefing, "ADV-03", "down")
    _act(member_client, briefing, "ADV-03", "down")
    assert item_ids(briefing) == ["GEN-01", "DET-04", "ADV-03"]
    _act(member_client, briefing, "GEN-01", "nonsense")
    assert item_ids(briefing) == ["GEN-01", "DET-04", "ADV-03"]

    # The page shows that order; the first cannot go up and the last cannot go down.
    html = member_client.get(reverse("messages:briefing", args=[briefing.pk])).content.decode()
    assert html.index(">GEN-01</a>") < html.index(">DET-04</a>") < html.index(">ADV-03</a>")
    assert re.search(r'value="up" disabled aria-label="Move GEN-01 up"', html)
    assert re.search(r'value="down" disabled aria-label="Move ADV-03 down"', html)
    assert 'value="up" aria-label="Move DET-04 up"' in html and 'value="down" aria-label="Move DET-04 down"' in html


def test_remove_takes_the_message_out_of_the_briefing_only(member_client, member):
    briefing = make_briefing(member, ["GEN-01", "ADV-03", "DET-04"])
    response = _act(member_client, briefing, "ADV-03", "remove")
    assert flashes(response) == ["Message removed from the briefing."]
    assert item_ids(briefing) == ["GEN-01", "DET-04"]
    assert Message.objects.filter(identifier="ADV-03", retired_in__isnull=True).exists()
    # Added again, it goes to the end.
    member_client.post(reverse("messages:briefing_add"), {"briefing": briefing.pk, "message": "ADV-03"})
    assert item_ids(briefing) == ["GEN-01", "DET-04", "ADV-03"]
    _act(member_client, briefing, "ADV-03", "up")
    assert item_ids(briefing) == ["GEN-01", "ADV-03", "DET-04"]


def test_an_item_of_another_briefing_is_not_found_through_this_one(member_client, member):
    mine = make_briefing(member, ["GEN-01", "ADV-03"])
    other_of_mine = make_briefing(member, ["DET-04", "GEN-02"])
    foreign_item = other_of_mine.items.get(message__identifier="DET-04")
    for action in ("up", "down", "remove"):
        response = member_client.post(reverse("messages:briefing_item", args=[mine.pk, foreign_item.pk]), {"action": action})
        assert response.status_code == 404
    assert item_ids(mine) == ["GEN-01", "ADV-03"] and item_ids(other_of_mine) == ["DET-04", "GEN-02"]


def test_item_actions_are_post_only(member_client, member):
    briefing = make_briefing(member, ["GEN-01", "ADV-03"])
    item = briefing.items.get(message__identifier="ADV-03")
    assert member_client.get(reverse("messages:briefing_item", args=[briefing.pk, item.pk]), {"action": "remove"}).status_code == 405
    assert member_client.get(reverse("messages:briefing_duplicate", args=[briefing.pk])).status_code == 405
    assert member_client.get(reverse("messages:briefing_add"), {"briefing": briefing.pk, "message": "DET-04"}).status_code == 405
    assert item_ids(briefing) == ["GEN-01", "ADV-03"] and Briefing.objects.count() == 1


# --- Duplicate, delete --------------------------------------------------------------------------


def test_duplicate_is_an_independent_copy(member_client, member):
    original = make_briefing(member, ["GEN-01", "ADV-03", "DET-04"], occasion=Occasion.SPEECH, occasion_date=datetime.date(2025, 6, 1), include_notes=False)
    _act(member_client, original, "DET-04", "up")

    response = member_client.post(reverse("messages:briefing_duplicate", args=[original.pk]))

    copy = Briefing.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("messages:briefing", args=[copy.pk])
    assert flashes(response) == ["Briefing duplicated: this is the copy."]
    assert (copy.owner, copy.title, copy.occasion, copy.occasion_date, copy.include_notes) == (
        member, "Radio interview (copy)", "speech", datetime.date(2025, 6, 1), False,
    )
    assert item_ids(copy) == item_ids(original) == ["GEN-01", "DET-04", "ADV-03"]
    assert not set(copy.items.values_list("pk", flat=True)) & set(original.items.values_list("pk", flat=True))

    # Changing the copy leaves the original alone, and the other way round.
    _act(member_client, copy, "GEN-01", "remove")
    _act(member_client, copy, "ADV-03", "up")
    member_client.post(reverse("messages:briefing", args=[copy.pk]), {"title": "Copy renamed", "occasion": "other"})
    original.refresh_from_db()
    assert original.title == "Radio interview" and original.occasion == "speech"
    assert item_ids(original) == ["GEN-01", "DET-04", "ADV-03"]
    _act(member_client, original, "DET-04", "remove")
    assert item_ids(copy) == ["ADV-03", "DET-04"]
    member_client.post(reverse("messages:briefing_delete", args=[original.pk]))
    assert item_ids(Briefing.objects.get(pk=copy.pk)) == ["ADV-03", "DET-04"]


def test_duplicate_of_a_briefing_with_the_longest_title(member_client, member):
    original = make_briefing(member, ["ADV-03"], title="T" * 200)
    response = member_client.post(reverse("messages:briefing_duplicate", args=[original.pk]))
    assert response.status_code == 302
    copy = Briefing.objects.exclude(pk=original.pk).get()
    assert len(copy.title) <= 200 and copy.title.endswith("… (copy)") and copy.title.startswith("T" * 150)
    assert item_ids(copy) == ["ADV-03"]


def test_delete_asks_for_confirmation_and_keeps_the_messages(member_client, member):
    briefing = make_briefing(member, ["GEN-01", "ADV-03"], title="Old pack")
    keep = make_briefing(member, ["ADV-03"], title="Kept pack")
    url = reverse("messages:briefing_delete", args=[briefing.pk])

    confirm = member_client.get(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Delete “Old pack”?" in html and "The messages themselves stay in the library." in html
    [form] = [f for f in forms_of(confirm) if f["method"] == "post" and f["action"] == ""]
    assert Briefing.objects.filter(pk=briefing.pk).exists()  # asking deletes nothing

    messages_before = Message.objects.count()
    response = member_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("messages:briefings")
    assert flashes(response) == ["Briefing deleted."]
    assert not Briefing.objects.filter(pk=briefing.pk).exists()
    assert not BriefingItem.objects.filter(briefing_id=briefing.pk).exists()
    assert Message.objects.count() == messages_before and Message.objects.filter(identifier="GEN-01").exists()
    assert item_ids(keep) == ["ADV-03"]
    assert member_client.get(reverse("messages:briefing", args=[briefing.pk])).status_code == 404
    assert member_client.get(url).status_code == 404


def test_list_shows_own_briefings_with_counts(member_client, member):
    make_briefing(member, ["GEN-01", "ADV-03"], title="Two messages")
    make_briefing(member, [], title="Nothing yet")
    other = person("colombia", "colleague@colombia.example.org")
    make_briefing(other, ["ADV-03"], title="Colleague's private pack")
    response = member_client.get(reverse("messages:briefings"))
    assert [(b.title, b.item_count) for b in response.context["briefings"]] == [("Nothing yet", 0), ("Two messages", 2)]
    assert "Colleague&#x27;s private pack" not in response.content.decode()


# --- Notes of the society -----------------------------------------------------------------------


@pytest.fixture
def notes(library, society_admin):
    """A Colombian note (society only) on ADV-03; Mexican notes on ADV-03 (private) and DET-04 (region)."""
    mexican_admin = person("mexico", "admin@mexico.example.org", Membership.Role.SOCIETY_ADMIN)
    adv, det = Message.objects.get(identifier="ADV-03"), Message.objects.get(identifier="DET-04")
    note_save(acting_user=society_admin, message=adv, text="Colombia says CanaryColB1.", visibility=Visibility.SOCIETY, expected_revision=None)
    note_save(acting_user=mexican_admin, message=adv, text="Mexico keeps CanaryMexB2.", visibility=Visibility.SOCIETY, expected_revision=None)
    note_save(acting_user=mexican_admin, message=det, text="Mexico shares CanaryMexB3.", visibility=Visibility.REGION, expected_revision=None)
    return mexican_admin


def test_briefing_includes_the_societys_own_note_and_never_another_societys(member_client, member, notes):
    briefing = make_briefing(member, ["ADV-03", "DET-04"], include_notes=True)
    detail = member_client.get(reverse("messages:briefing", args=[briefing.pk])).content.decode()
    printed = member_client.get(reverse("messages:briefing_print", args=[briefing.pk])).content.decode()
    for html in (detail, printed):
        assert "CanaryColB1" in html
        assert "CanaryMexB2" not in html and "CanaryMexB3" not in html
    assert "Colombian Red Cross (your society)" in detail
    assert "Local note — Colombian Red Cross (not part of the canonical text)" in printed
    # Shown notes are recorded like on every other page that shows one.
    assert AuditEvent.objects.filter(action=Action.NOTE_VIEWED, actor_user_id=member.pk, message_identifier="ADV-03").exists()


def test_briefing_without_notes_shows_none(member_client, member, notes):
    briefing = make_briefing(member, ["ADV-03", "DET-04"], include_notes=False)
    for url in (reverse("messages:briefing", args=[briefing.pk]), reverse("messages:briefing_print", args=[briefing.pk])):
        html = member_client.get(url).content.decode()
        assert "CanaryColB1" not in html and "CanaryMexB2" not in html and "CanaryMexB3" not in html
    # Ticking the box again brings the note in.
    member_client.post(reverse("messages:briefing", args=[briefing.pk]), {"title": "Pack", "occasion": "meeting", "include_notes": "on"})
    assert "CanaryColB1" in member_client.get(reverse("messages:briefing", args=[briefing.pk])).content.decode()


def test_another_societys_briefing_shows_its_own_note_only(client, notes):
    mexican = person("mexico", "member@mexico.example.org")
    briefing = make_briefing(mexican, ["ADV-03", "DET-04"], include_notes=True)
    html = sign_in(client, mexican).get(reverse("messages:briefing", args=[briefing.pk])).content.decode()
    assert "CanaryMexB2" in html and "CanaryMexB3" in html
    assert "CanaryColB1" not in html


# --- A briefing is its author's alone -----------------------------------------------------------


@pytest.fixture
def outsiders(library, focal_point, platform_admin):
    return {
        "same society": person("colombia", "colleague@colombia.example.org"),
        "same society admin": person("colombia", "admin2@colombia.example.org", Membership.Role.SOCIETY_ADMIN),
        "other society": person("mexico", "member@mexico.example.org"),
        "focal point": focal_point,
        "platform admin": platform_admin,
    }


def _every_briefing_url(briefing, item):
    b = briefing.pk
    return [
        ("get", reverse("messages:briefing", args=[b]), {}),
        ("post", reverse("messages:briefing", args=[b]), {"title": "Hijacked", "occasion": "other"}),
        ("post", reverse("messages:briefing_item", args=[b, item.pk]), {"action": "up"}),
        ("post", reverse("messages:briefing_item", args=[b, item.pk]), {"action": "down"}),
        ("post", reverse("messages:briefing_item", args=[b, item.pk]), {"action": "remove"}),
        ("post", reverse("messages:briefing_duplicate", args=[b]), {}),
        ("get", reverse("messages:briefing_delete", args=[b]), {}),
        ("post", reverse("messages:briefing_delete", args=[b]), {}),
        ("get", reverse("messages:briefing_print", args=[b]), {}),
        ("get", reverse("messages:briefing_print", args=[b]) + "?paper=letter", {}),
        ("get", reverse("messages:briefing_pdf", args=[b]), {}),
        ("post", reverse("messages:briefing_add"), {"briefing": str(b), "message": "DET-04"}),
    ]


def test_anyone_but_the_author_gets_404_on_every_briefing_url(member, outsiders):
    briefing = make_briefing(member, ["GEN-01", "ADV-03"], title="Mine alone")
    item = briefing.items.get(message__identifier="ADV-03")
    owner = sign_in(Client(), member)
    printed = owner.get(reverse("messages:briefing_print", args=[briefing.pk]))
    trace_code = printed.context["watermark"]["trace_code"]
    before = Briefing.objects.filter(pk=briefing.pk).values().get()
    prints_before = AuditEvent.objects.filter(action=Action.PRINTED).count()

    for who, outsider in outsiders.items():
        client = sign_in(Client(), outsider)
        urls = _every_briefing_url(briefing, item)
        for method, url, data in urls:
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (who, method, url)
            assert "Mine alone" not in response.content.decode(), (who, url)
        assert client.get(reverse("messages:print_marks", args=[trace_code])).status_code == 404, who

        assert Briefing.objects.filter(pk=briefing.pk).values().get() == before, who
        assert Briefing.objects.count() == 1, who
        assert item_ids(briefing) == ["GEN-01", "ADV-03"], who
        assert AuditEvent.objects.filter(action=Action.PRINTED).count() == prints_before, who
        # Denials are recorded; the outsider's own list and menus never name the briefing.
        denials = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor_user_id=outsider.pk).count()
        assert denials == len(urls) + 1, who
        assert "Mine alone" not in client.get(reverse("messages:briefings")).content.decode(), who
        assert "Mine alone" not in client.get(reverse("messages:detail", args=["migration-americas", "ADV-03"])).content.decode(), who
    # And the author still reaches all of it.
    assert owner.get(reverse("messages:briefing", args=[briefing.pk])).status_code == 200
    assert owner.get(reverse("messages:print_marks", args=[trace_code])).status_code == 200


def test_briefing_urls_with_odd_ids_are_not_found(member_client, member):
    briefing = make_briefing(member, ["ADV-03"])
    for target in ("abc", "", "-1", "99999999999999999999999", "0"):
        response = member_client.post(reverse("messages:briefing_add"), {"briefing": target, "message": "DET-04"})
        assert response.status_code == 404, target
    assert member_client.get("/briefings/99999999999999999999999/").status_code == 404
    assert member_client.get("/briefings/99999999999999999999999/print/").status_code == 404
    assert item_ids(briefing) == ["ADV-03"]


def test_signed_out_visitors_are_sent_to_sign_in(client, member, library):
    briefing = make_briefing(member, ["ADV-03"])
    for url in (reverse("messages:briefings"), reverse("messages:briefing", args=[briefing.pk]), reverse("messages:briefing_pdf", args=[briefing.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert not AuditEvent.objects.filter(action=Action.PRINTED).exists()
