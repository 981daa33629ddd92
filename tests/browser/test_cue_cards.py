"""A briefing's cue cards on a phone (390 x 844): turned with the arrow keys and with the links, never
wider than the screen, and WCAG 2.1 AA by axe-core."""

import re

import pytest

from messages_app.briefings.services import briefing_create, briefing_set_talking_points
from messages_app.catalogue.models import Message
from tests.browser.conftest import click_and_wait, signed_in
from tests.browser.test_accessibility import PHONE, _describe, axe_violations

pytestmark = pytest.mark.browser

IDENTIFIERS = ("DET-01", "DET-04", "STA-02")
# A long unbroken word (a pasted link): the card must wrap it rather than scroll sideways.
POINTS = "Start with the numbers.\nThen: https://example.org/a-very-long-address-without-any-break-in-it-at-all/and-more"


def _no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_cue_cards_turn_with_the_arrow_keys_and_the_links_on_a_phone(new_page, member, live_server):
    briefing = briefing_create(
        acting_user=member, title="Radio interview", occasion="media_interview",
        messages=[Message.objects.get(identifier=i) for i in IDENTIFIERS],
    )
    briefing_set_talking_points(
        acting_user=member, briefing=briefing, item_id=briefing.items.get(message__identifier="DET-04").pk, talking_points=POINTS
    )
    page = signed_in(new_page(viewport=PHONE), member, live_server)
    cards = f"/briefings/{briefing.pk}/cards/"

    page.goto(cards + "1/")
    assert page.locator(".cue-position").inner_text() == "1 of 3"
    assert page.locator("h1").inner_text() == "DET-01"
    assert _no_sideways_scroll(page)

    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    assert page.url.endswith(cards + "2/")
    assert page.locator(".cue-position").inner_text() == "2 of 3"
    assert "Start with the numbers." in page.locator(".cue-points").inner_text()
    assert _no_sideways_scroll(page)
    violations = axe_violations(page)
    assert violations == [], _describe(page.url, violations)

    click_and_wait(page, page.get_by_role("link", name=re.compile("Next")))
    assert page.url.endswith(cards + "3/") and page.locator(".cue-position").inner_text() == "3 of 3"
    assert page.locator(".cue-nav a[rel=next]").count() == 0
    page.keyboard.press("ArrowRight")  # the last card: nowhere to go
    assert page.url.endswith(cards + "3/")
    assert _no_sideways_scroll(page)

    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    assert page.url.endswith(cards + "2/")
    click_and_wait(page, page.get_by_role("link", name=re.compile("Back to the briefing")))
    assert page.url.endswith(f"/briefings/{briefing.pk}/")
