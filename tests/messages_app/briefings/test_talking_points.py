"""A briefing's talking points: the author's own plain text for each message, beside the canonical
text (never in its place), saved per item from the briefing page, bounded in length, the author's
alone (anyone else: 404), and printed under the message, labelled as theirs."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from audit.models import Action, AuditEvent
from core.rules import NotAllowed
from messages_app.briefings import services as briefing_services
from messages_app.briefings.forms import TalkingPointsForm
from messages_app.briefings.models import (
    TALKING_POINTS_MAX_LENGTH,
    Briefing,
    BriefingItem,
)
from messages_app.catalogue.models import Message

POINTS = "Start with the numbers: 3 shelters.\nThen the hotline."


@pytest.fixture
def briefing(member_a, library):
    return briefing_services.briefing_create(
        acting_user=member_a, title="Radio interview", occasion="media_interview",
        messages=[Message.objects.get(identifier=i) for i in ("GEN-01", "ADV-03")],
    )


def item_of(briefing, identifier):
    return briefing.items.get(message__identifier=identifier)


def field_name(item):
    return f"item-{item.pk}-talking_points"


def points_url(briefing, item):
    return reverse("messages:briefing_talking_points", args=[briefing.pk, item.pk])


# --- The service ----------------------------------------------------------------------------------


def test_the_service_keeps_the_authors_words_beside_the_canonical_text(member_a, briefing):
    item = item_of(briefing, "ADV-03")
    canonical = item.message.current_version.text
    before = Briefing.objects.get(pk=briefing.pk).updated_at
    briefing_services.briefing_set_talking_points(
        acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points="  Start with the numbers: 3 shelters.\r\nThen the hotline.\n"
    )
    item.refresh_from_db()
    assert item.talking_points == POINTS  # line breaks as one character, edges trimmed
    assert Briefing.objects.get(pk=briefing.pk).updated_at > before
    message = Message.objects.get(identifier="ADV-03")
    assert message.current_version.text == canonical and message.current_version.number == 1  # untouched
    assert item_of(briefing, "GEN-01").talking_points == ""

    briefing_services.briefing_set_talking_points(acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points="")
    item.refresh_from_db()
    assert item.talking_points == ""  # emptied: none


def test_the_service_refuses_more_than_the_limit_and_keeps_what_was_saved(member_a, briefing):
    item = item_of(briefing, "ADV-03")
    briefing_services.briefing_set_talking_points(acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points="x" * TALKING_POINTS_MAX_LENGTH)
    with pytest.raises(ValidationError) as refused:
        briefing_services.briefing_set_talking_points(
            acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points="y" * (TALKING_POINTS_MAX_LENGTH + 1)
        )
    assert refused.value.message_dict["talking_points"] == [f"Talking points have at most 2000 characters (these have {TALKING_POINTS_MAX_LENGTH + 1})."]
    with pytest.raises(ValidationError):
        briefing_services.briefing_set_talking_points(acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points="a\x00b")
    item.refresh_from_db()
    assert item.talking_points == "x" * TALKING_POINTS_MAX_LENGTH


def test_the_service_is_the_authors_alone(member_a, member_b, briefing):
    item = item_of(briefing, "ADV-03")
    with pytest.raises(NotAllowed):
        briefing_services.briefing_set_talking_points(acting_user=member_b, briefing=briefing, item_id=item.pk, talking_points="Hijacked")
    other = briefing_services.briefing_create(acting_user=member_a, title="Other", occasion="meeting", messages=[Message.objects.get(identifier="DET-04")])
    with pytest.raises(BriefingItem.DoesNotExist):  # an item of another briefing, through this one
        briefing_services.briefing_set_talking_points(acting_user=member_a, briefing=briefing, item_id=other.items.get().pk, talking_points="Mixed up")
    assert set(BriefingItem.objects.values_list("talking_points", flat=True)) == {""}


def test_a_duplicate_keeps_the_talking_points(member_a, briefing):
    item = item_of(briefing, "ADV-03")
    briefing_services.briefing_set_talking_points(acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points=POINTS)
    copy = briefing_services.briefing_duplicate(acting_user=member_a, briefing=briefing)
    assert item_of(copy, "ADV-03").talking_points == POINTS and item_of(copy, "ADV-03").pk != item.pk


# --- The form -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "valid"),
    [
        ("a\r\n" * (TALKING_POINTS_MAX_LENGTH // 2), True),  # 2,000 characters once CRLF counts as one
        ("x" * TALKING_POINTS_MAX_LENGTH, True),
        ("x" * (TALKING_POINTS_MAX_LENGTH + 1), False),
        ("NUL\x00inside", False),
        ("", True),
    ],
)
def test_the_form_counts_a_line_break_as_one_character_and_bounds_the_length(briefing, typed, valid):
    item = item_of(briefing, "ADV-03")
    form = TalkingPointsForm({field_name(item): typed}, item=item)
    assert form.is_valid() is valid, form.errors
    if typed.startswith("x") and not valid:
        assert form.errors["talking_points"] == ["Talking points have at most 2000 characters (these have 2001)."]


# --- The page -------------------------------------------------------------------------------------


def test_the_briefing_page_has_a_form_per_message_and_saves_one_items_points(member_a_client, briefing):
    first, second = item_of(briefing, "GEN-01"), item_of(briefing, "ADV-03")
    page = member_a_client.get(reverse("messages:briefing", args=[briefing.pk])).content.decode()
    for item in (first, second):
        assert f'action="{points_url(briefing, item)}"' in page
        assert f'name="{field_name(item)}"' in page
    response = member_a_client.post(points_url(briefing, second), {field_name(second): POINTS.replace("\n", "\r\n")})
    assert response.status_code == 302
    assert response["Location"] == reverse("messages:briefing", args=[briefing.pk]) + f"#item-{second.pk}"
    assert item_of(briefing, "ADV-03").talking_points == POINTS and item_of(briefing, "GEN-01").talking_points == ""
    page = member_a_client.get(response["Location"]).content.decode()
    assert "Your talking points for ADV-03 are saved." in page
    assert re.search(r"<details class=\"talking-points\" open>.*?Start with the numbers: 3 shelters.\nThen the hotline.</textarea>", page, re.DOTALL)


def test_too_long_talking_points_come_back_with_what_was_typed_and_why(member_a, member_a_client, briefing):
    item = item_of(briefing, "ADV-03")
    typed = "<b>mine</b> " + "y" * TALKING_POINTS_MAX_LENGTH
    response = member_a_client.post(points_url(briefing, item), {field_name(item): typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"these have {len(typed)}" in page
    assert "&lt;b&gt;mine&lt;/b&gt; " + "y" * TALKING_POINTS_MAX_LENGTH + "</textarea>" in page  # nothing typed is lost, all escaped
    assert 'aria-invalid="true"' in page and "autofocus" in page
    assert item_of(briefing, "ADV-03").talking_points == ""
    # The page shows the canonical texts again: recorded like the briefing page's.
    assert AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE, actor_user_id=member_a.pk, details__page="briefing").count() == 2
    # The briefing's own form still saves the briefing, not the talking points.
    assert f'<form method="post" action="{reverse("messages:briefing", args=[briefing.pk])}"' in page


def test_member_b_gets_404_for_member_as_talking_points(member_b_client, member_a_client, briefing):
    item = item_of(briefing, "ADV-03")
    response = member_b_client.post(points_url(briefing, item), {field_name(item): "Hijacked"})
    assert response.status_code == 404 and "Radio interview" not in response.content.decode()
    other = briefing_services.briefing_create(
        acting_user=briefing.owner, title="Other", occasion="meeting", messages=[Message.objects.get(identifier="DET-04")]
    )
    stray = other.items.get()
    assert member_a_client.post(points_url(briefing, stray), {field_name(stray): "Mixed up"}).status_code == 404
    assert member_a_client.get(points_url(briefing, item)).status_code == 405
    assert set(BriefingItem.objects.values_list("talking_points", flat=True)) == {""}


# --- Print and PDF --------------------------------------------------------------------------------


def test_the_print_and_the_pdf_show_the_talking_points_under_their_message_labelled_as_the_authors(member_a, member_a_client, briefing):
    item = item_of(briefing, "ADV-03")
    briefing_services.briefing_set_talking_points(
        acting_user=member_a, briefing=briefing, item_id=item.pk, talking_points="Start with 3 shelters.\n<script>alert(1)</script>"
    )
    label = f"Talking points of {member_a.get_full_name()}: their own words, not part of the canonical text"
    page = member_a_client.get(reverse("messages:briefing_print", args=[briefing.pk])).content.decode()
    adv03 = page[page.index("<h2>ADV-03</h2>"):]
    assert page.index("<h2>GEN-01</h2>") < page.index("<h2>ADV-03</h2>")
    assert adv03.index(item.message.current_version.text) < adv03.index(label)  # under the canonical text
    assert "Start with 3 shelters.<br>&lt;script&gt;alert(1)&lt;/script&gt;" in adv03
    assert "<script>alert(1)" not in page
    assert page.count(label) == 1  # GEN-01 has none

    response = member_a_client.get(reverse("messages:briefing_pdf", args=[briefing.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "".join(label.split()) in text and "Startwith3shelters." in text
