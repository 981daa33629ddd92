"""My sessions in a real browser: each session named by its browser, one ended from its row (the
other device is signed out at once, this one stays), and the page passes axe."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.accounts import acknowledge_rules
from tests.browser.conftest import click_and_wait, signed_in
from tests.browser.test_accessibility import assert_none, check_pages

pytestmark = pytest.mark.browser

SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_a_member_ends_the_session_of_a_lost_phone(request, page, member, live_server):
    acknowledge_rules(member)
    phone = Client(HTTP_USER_AGENT=SAFARI_IPHONE)
    phone.force_login(member)
    assert phone.get(reverse("messages:home")).status_code == 200  # the session is listed from its first request

    signed_in(page, member, live_server)
    page.goto("/")
    failures = check_pages(page, ["/accounts/sessions/"])
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    phone_row = rows.filter(has_text="Safari 17 on iOS")
    assert phone_row.count() == 1
    assert "Mozilla" not in page.locator("main table").inner_text()
    this_row = rows.filter(has=page.locator(".badge", has_text="This session"))
    assert this_row.locator("td").nth(3).inner_text().startswith("Chrome ")  # Playwright's Chromium
    assert this_row.get_by_role("button").count() == 0

    click_and_wait(page, phone_row.get_by_role("button", name="End this session"))
    assert page.url.endswith("/accounts/sessions/")
    assert "The session was ended: that browser is signed out." in page.locator("main").inner_text()
    assert page.locator("main table tbody tr").count() == 1
    assert "This is your only session." in page.locator("main").inner_text()
    failures += check_pages(page, ["/accounts/sessions/"], navigate=False)

    response = phone.get(reverse("messages:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert AuditEvent.objects.filter(actor_user_id=member.pk, action=Action.SESSION_ENDED).count() == 1
    assert_none(request, failures)
