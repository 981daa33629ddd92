"""On a phone (390 × 844): the whole document's print preview, a console table and the coverage matrix.

The page itself never scrolls sideways (SC 1.4.10 Reflow: `scrollWidth <= innerWidth`); a table wider
than the screen scrolls inside its own region, which takes the keyboard focus (tabindex 0, a role and a
name) and moves with the arrow keys (SC 2.1.1); and axe finds no WCAG 2.1 A/AA violation.
"""

import pytest
from django.test import Client

from messages_app.catalogue.models import Message
from messages_app.notes.services import note_save
from tests.accounts import sign_in
from tests.browser.conftest import signed_in
from tests.browser.test_accessibility import PHONE, assert_none, check_pages

pytestmark = pytest.mark.browser


def page_width(page):
    """(the page's scroll width, the window's inner width)."""
    return tuple(page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]"))


def assert_no_sideways_scroll(page):
    scroll_width, inner_width = page_width(page)
    assert scroll_width <= inner_width, f"{page.url}: {scroll_width} px wide on a {inner_width} px screen"


def assert_scrolls_by_keyboard(page, region):
    """The region is named, in the tab order, wider inside than out, and the arrow keys scroll it."""
    assert region.get_attribute("role") == "region"
    assert region.evaluate("r => r.tabIndex") == 0
    assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")
    inner, outer = region.evaluate("r => [r.scrollWidth, r.clientWidth]")
    assert inner > outer, f"{page.url}: the table fits ({inner} <= {outer} px): nothing to scroll"
    region.focus()
    assert region.evaluate("r => document.activeElement === r")
    before = region.evaluate("r => r.scrollLeft")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("r => r.scrollLeft") > before
    assert_no_sideways_scroll(page)  # the region scrolled, not the page


def test_the_whole_document_print_preview_on_a_phone(request, new_page, member, live_server):
    phone = signed_in(new_page(viewport=PHONE), member, live_server)
    failures = check_pages(phone, ["/documents/migration-americas/print/"])
    assert phone.locator("main section.print-section > h2").count() == 8
    assert phone.locator("main article.print-message").count() == 65
    assert_no_sideways_scroll(phone)
    # The diagonal watermark is drawn on the screen, inside it.
    box = phone.locator(".print-diagonal").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
    assert_none(request, failures)


def test_a_focal_points_console_table_and_the_coverage_matrix_on_a_phone(request, new_page, focal_point, member, society_admin, live_server):
    # Events to list (the member reading), and a note shared with focal points behind a cell.
    reader = sign_in(Client(), member)
    for path in ("/documents/migration-americas/messages/DET-04/", "/documents/migration-americas/sections/detention-deportation/", "/search/?q=detention"):
        assert reader.get(path).status_code == 200
    note = note_save(
        acting_user=society_admin, message=Message.objects.get(identifier="PRO-01"), text="Shared with the focal points.",
        visibility="focal_points", expected_revision=None,
    )
    phone = signed_in(new_page(viewport=PHONE), focal_point, live_server)
    failures = check_pages(phone, ["/audit/", "/documents/migration-americas/notes/coverage/"])

    phone.goto("/audit/")
    assert phone.locator("table.events-table tbody tr").count() >= 3
    assert_scrolls_by_keyboard(phone, phone.locator("div.table-scroll[role=region]:has(table.events-table)"))

    phone.goto("/documents/migration-americas/notes/coverage/")
    assert_scrolls_by_keyboard(phone, phone.locator("div.table-scroll[role=region]:has(table.coverage)"))
    link = phone.locator(f"table.coverage a[href='/documents/migration-americas/messages/PRO-01/#note-{note.pk}']")
    link.focus()  # inside the region: focusing it scrolls the region, not the page
    assert_no_sideways_scroll(phone)
    link.press("Enter")
    phone.wait_for_url(f"**/messages/PRO-01/#note-{note.pk}")
    assert phone.locator(f"article#note-{note.pk}").is_visible()
    assert_none(request, failures)
