"""The copy buttons of the message page (a copy with its source on request, recorded like any copy;
"Copied" said by one status region) and the "Internal" banner's wording for each kind of organisation.
What only a browser shows (the clipboard, the single announcement) is in tests/browser/test_copy.py."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEvent
from messages_app.catalogue.models import Message

NATIONAL_SOCIETY_WORDING = "do not share outside your National Society."
MOVEMENT_WORDING = "do not share outside the Red Cross and Red Crescent Movement."


def detail(client, identifier="DET-04", language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("messages:detail", args=["migration-americas", identifier])).content.decode()


def copies():
    return list(AuditEvent.objects.filter(action=Action.COPIED_MESSAGE).order_by("id"))


# --- A copy with its source ------------------------------------------------------------------------


def test_the_message_page_offers_the_copy_with_its_source_without_changing_the_text(member_client):
    page = detail(member_client)
    version = Message.objects.get(identifier="DET-04").current_version
    [option] = re.findall(r'<label class="copy-source" data-copy-option hidden>.*?</label>', page, re.S)
    assert 'id="copy-source" data-source="Key Messages, DET-04, edition 1"' in option
    assert "With its source (identifier and edition)" in option
    assert 'type="checkbox"' in option
    # Each copy button names the option; the option is shown by the script only (like the buttons).
    assert page.count('data-source-option="copy-source"') == page.count('class="copy-button"') == 1
    # The canonical text on the page is the version's text, with nothing appended.
    assert re.search(rf'id="text-DET-04"[^>]*>{re.escape(version.text)}</', page)


def test_the_source_is_in_the_readers_language(member_client):
    page = detail(member_client, language="es")
    assert 'data-source="Mensajes clave, DET-04, edición 1"' in page


def test_a_copy_with_its_source_is_recorded_as_such(member_client, member):
    url = reverse("messages:copied", args=["migration-americas", "DET-04"])
    assert member_client.post(url).status_code == 204
    assert member_client.post(url + "?source=1").status_code == 204
    assert member_client.post(url + "?language=es&source=1").status_code == 204
    assert member_client.post(url + "?source=yes").status_code == 204  # anything else: a plain copy
    plain, with_source, translated, other = copies()
    assert all(event.actor_user_id == member.pk and event.message_identifier == "DET-04" for event in copies())
    assert plain.details == {"document": "migration-americas"} and other.details == {"document": "migration-americas"}
    assert with_source.details == {"with_source": True, "document": "migration-americas"}
    assert translated.details == {"copied": "official translation", "language": "es", "with_source": True, "document": "migration-americas"}


# --- "Copied", said once -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [reverse("messages:detail", args=["migration-americas", "DET-04"]), reverse("messages:section", args=["migration-americas", "general-information"])])
def test_every_copy_button_has_a_status_region_beside_it(member_client, url):
    page = member_client.get(url).content.decode()
    buttons = page.count('class="copy-button"')
    assert buttons >= 1
    # One status region per group of copy buttons, in the same container (the script looks there).
    groups = re.findall(r'<div class="copy-actions">(.*?)</div>', page, re.S)
    assert sum(group.count('class="copy-button"') for group in groups) == buttons
    assert all(group.count('<span class="copy-status" role="status" aria-live="polite"></span>') == 1 for group in groups)


# --- The "Internal" banner -------------------------------------------------------------------------


def test_a_national_societys_people_are_asked_to_keep_it_within_their_society(member_client, admin_a_client):
    for client in (member_client, admin_a_client):
        page = detail(client)
        assert NATIONAL_SOCIETY_WORDING in page and MOVEMENT_WORDING not in page


@pytest.mark.parametrize("persona", ["ifrc_focal", "icrc_focal", "platform_admin", "doc_editor", "doc_reviewer"])
def test_the_ifrc_and_icrc_staff_are_not_told_about_a_national_society(db, request, persona):
    client = request.getfixturevalue(f"{persona}_client")
    page = client.get(reverse("messages:home")).content.decode()
    assert MOVEMENT_WORDING in page
    assert NATIONAL_SOCIETY_WORDING not in page


def test_the_movement_wording_is_translated(ifrc_focal_client):
    ifrc_focal_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = ifrc_focal_client.get(reverse("messages:home")).content.decode()
    with translation.override("fr"):
        assert translation.gettext(MOVEMENT_WORDING) != MOVEMENT_WORDING
        assert translation.gettext(MOVEMENT_WORDING) in page
