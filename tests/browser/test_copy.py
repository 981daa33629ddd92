"""The copy buttons in a real browser: what lands on the clipboard (the canonical text, with its source
only when asked), and "Copied" said once, by one status region, the button keeping its name."""

import pytest

from audit.models import Action, AuditEvent
from messages_app.catalogue.models import Message
from tests.browser.conftest import signed_in

pytestmark = pytest.mark.browser

LIVE_REGIONS = "[role=status], [role=alert], [aria-live]"


def _open(page, member, live_server, url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    signed_in(page, member, live_server)
    page.goto(url)


def _clipboard(page):
    return page.evaluate("navigator.clipboard.readText()")


def _announcements(page, text):
    """The live regions of the page whose text is `text` (each would be read out)."""
    return page.eval_on_selector_all(LIVE_REGIONS, "(nodes, text) => nodes.filter(n => n.textContent.trim() === text).length", text)


def _copies(member):
    return list(AuditEvent.objects.filter(action=Action.COPIED_MESSAGE, actor_user_id=member.pk).order_by("id"))


def _wait_for_copies(page, member, count):
    for _ in range(50):
        if len(_copies(member)) >= count:
            break
        page.wait_for_timeout(100)
    return _copies(member)


def test_copied_is_announced_once_and_the_button_keeps_its_name(page, member, live_server):
    text = Message.objects.get(identifier="DET-04").current_version.text
    _open(page, member, live_server, "/documents/migration-americas/messages/DET-04/")
    button = page.get_by_role("button", name="Copy text", exact=True)
    button.click()

    status = page.locator(".copy-actions .copy-status")
    status.filter(has_text="Copied").wait_for()
    assert status.is_visible()  # seen beside the button, and heard from there
    assert _announcements(page, "Copied") == 1
    # Read at once (a locator would wait for a renamed button to get its name back).
    assert page.locator("button[data-copy-target='text-DET-04']").evaluate("b => b.textContent") == "Copy text"
    assert _clipboard(page) == text
    [event] = _wait_for_copies(page, member, 1)
    assert (event.message_identifier, event.details) == ("DET-04", {"document": "migration-americas"})

    # A second copy is announced again (the region is emptied first), still by one region.
    button.click()
    page.wait_for_timeout(20)
    status.filter(has_text="Copied").wait_for()
    assert _announcements(page, "Copied") == 1
    assert len(_wait_for_copies(page, member, 2)) == 2


def test_on_a_page_of_cards_only_the_card_copied_says_so(page, member, live_server):
    _open(page, member, live_server, "/documents/migration-americas/sections/general-information/")
    cards = page.locator("article.message-card")
    assert cards.count() > 3
    second = cards.nth(1)
    identifier = second.locator(".message-id").inner_text()
    second.get_by_role("button", name="Copy text", exact=True).click()
    second.locator(".copy-status").filter(has_text="Copied").wait_for()
    assert _announcements(page, "Copied") == 1
    assert second.locator(".copy-button").evaluate("b => b.textContent") == "Copy text"
    assert _clipboard(page) == Message.objects.get(identifier=identifier).current_version.text


def test_a_copy_with_its_source_ends_with_identifier_and_edition_and_leaves_the_text_alone(page, member, live_server):
    text = Message.objects.get(identifier="DET-04").current_version.text
    _open(page, member, live_server, "/documents/migration-americas/messages/DET-04/")
    option = page.get_by_label("With its source (identifier and edition)")
    assert option.is_visible() and not option.is_checked()
    option.check()
    page.get_by_role("button", name="Copy text", exact=True).click()
    page.locator(".copy-status").filter(has_text="Copied").wait_for()

    assert _clipboard(page) == f"{text} \u2014 Key Messages, DET-04, edition 1"
    assert page.locator("#text-DET-04").inner_text().strip() == text  # the page's text is unchanged
    [event] = _wait_for_copies(page, member, 1)
    assert event.details == {"with_source": True, "document": "migration-americas"}

    # Unticked: the text alone again.
    option.uncheck()
    page.get_by_role("button", name="Copy text", exact=True).click()
    assert len(_wait_for_copies(page, member, 2)) == 2
    assert _clipboard(page) == text
    assert _copies(member)[-1].details == {"document": "migration-americas"}
