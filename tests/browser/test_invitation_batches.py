"""Inviting many people at once in a real browser, on a phone (390 px): a CSV chosen from the members
page, its report, the confirmation, the batch's progress. Each page passes axe and none scrolls sideways."""

import re

import pytest
from django.core import mail

from national_societies.models import AllowedDomain, Invitation, NationalSociety
from tests.browser.conftest import click_and_wait, signed_in
from tests.browser.test_accessibility import PHONE, assert_none, check_pages

pytestmark = pytest.mark.browser

PEOPLE = (
    "\ufeffemail;name;role;language\r\n"
    "ana.gomez@colombia.example.org;Ana Gómez;;es\r\n"
    "\r\n"
    "jean.baptiste@colombia.example.org;Jean Baptiste;society admin;Français\r\n"
    "not-an-email;;;\r\n"
)


def _width(page):
    return page.evaluate("() => document.documentElement.scrollWidth")


def _results(page):
    return [cell.strip() for cell in page.locator("main table.list-report tbody tr td:last-child").all_inner_texts()]


def test_a_society_admin_uploads_a_csv_checks_it_confirms_and_follows_the_batch_on_a_phone(request, new_page, society_admin, live_server, tmp_path):
    colombia = NationalSociety.objects.get(slug="colombia")
    AllowedDomain.objects.create(national_society=colombia, domain="colombia.example.org")
    upload = tmp_path / "people.csv"
    upload.write_bytes(PEOPLE.encode("utf-8"))
    page = signed_in(new_page(viewport=PHONE), society_admin, live_server)
    page.goto("/society/colombia/members/")
    click_and_wait(page, page.get_by_role("link", name="Invite many people at once"))
    failures = check_pages(page, ["/society/colombia/invitations/bulk/"], navigate=False)

    page.set_input_files("input[name=file]", str(upload))
    click_and_wait(page, page.get_by_role("button", name="Check the list"))
    assert page.locator("main table.list-report tbody th").all_inner_texts()[0].startswith("ana.gomez@colombia.example.org")
    assert _results(page) == ["Will be invited", "Will be invited", "Invalid email address"]
    assert [cell.strip() for cell in page.locator("main table.list-report tbody td:first-child").all_inner_texts()] == ["2", "4", "5"]
    assert _width(page) <= PHONE["width"]
    failures += check_pages(page, ["/society/colombia/invitations/bulk/"], navigate=False)
    assert mail.outbox == [] and not Invitation.objects.exists()  # nothing before the confirmation

    click_and_wait(page, page.get_by_role("button", name="Send 2 invitations"))
    assert re.search(r"/society/colombia/invitations/batches/\d+/$", page.url)
    # The confirmation queued a run of the job at once (the tests run it in place): both are sent.
    assert "2 invitations are on their way." in page.locator("main").inner_text()
    assert _results(page) == ["Sent", "Sent"]
    assert sorted(message.to[0] for message in mail.outbox) == ["ana.gomez@colombia.example.org", "jean.baptiste@colombia.example.org"]
    assert Invitation.objects.get(email="jean.baptiste@colombia.example.org").language == "fr"
    assert _width(page) <= PHONE["width"]
    failures += check_pages(page, [page.url.removeprefix(live_server.url)], navigate=False)
    assert_none(request, failures)
