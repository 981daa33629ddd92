""""How to use this document": nobody reads a message before confirming the current handling rules.

Users here are signed in with `force_login` and no acknowledgement, the state right after a first
login. The full middleware stack runs on every request.
"""

from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from audit.services import audit_records_for
from messages_app.catalogue.models import Edition, Message, RulesAcknowledgement, Section, Topic

ACKNOWLEDGE_URL = reverse("messages:acknowledge_rules", args=["migration-americas"])
CONFIRM_ERROR = "Tick the box to confirm that you have read the rules."


def _ack_redirect(next_path):
    return f"{ACKNOWLEDGE_URL}?next={quote(next_path, safe='')}"


@pytest.fixture
def edition(library):
    return Edition.objects.filter(document__slug="migration-americas").order_by("-sequence").first()


@pytest.fixture
def new_client(client, member, library):
    """A member signed in for the first time: nothing confirmed yet."""
    client.force_login(member)
    return client


def _library_pages():
    message = Message.objects.filter(retired_in__isnull=True).order_by("position").first()
    section = Section.objects.filter(retired_in__isnull=True, parent__isnull=True).order_by("position").first()
    topic = Topic.objects.order_by("name").first()
    return [
        reverse("messages:document", args=["migration-americas"]),
        reverse("messages:section", args=["migration-americas", section.key]),
        reverse("messages:detail", args=["migration-americas", message.identifier]),
        reverse("messages:version", args=["migration-americas", message.identifier, 1]),
        reverse("messages:topics", args=["migration-americas"]),
        reverse("messages:topic", args=["migration-americas", topic.slug]),
        reverse("messages:search") + "?q=children&page=1",
        reverse("messages:help", args=["migration-americas"]),
    ]


def _new_edition(edition, rules=("A brand-new rule: never forward a message to the press.",), version="f" * 64):
    """A new edition written directly, so it also does what the loader does after one."""
    new = Edition.objects.create(
        document=edition.document,
        label=f"{edition.label}-next",
        sequence=edition.sequence + 1,
        handling_rules=list(rules),
        rules_version=version,
        content_sha256="0" * 64,
    )
    return new


# --- Before confirming ------------------------------------------------------------------------


def test_every_library_page_redirects_to_the_rules_with_next_after_first_login(new_client):
    for url in _library_pages():
        response = new_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == _ack_redirect(url), url
    assert not RulesAcknowledgement.objects.exists()


def test_a_post_to_a_library_page_is_redirected_without_next(new_client):
    response = new_client.post(reverse("messages:search"), {"q": "children"})
    assert response.status_code == 302
    assert response["Location"] == ACKNOWLEDGE_URL


def test_the_rules_page_shows_every_handling_rule_of_the_current_edition(new_client, edition):
    assert edition.handling_rules, "the shipped content has handling rules"
    response = new_client.get(ACKNOWLEDGE_URL, {"next": "/documents/migration-americas/topics/"})
    assert response.status_code == 200
    page = response.content.decode()
    for rule in edition.handling_rules:
        assert escape(rule) in page
    assert 'name="confirm"' in page
    assert '<input type="hidden" name="next" value="/documents/migration-americas/topics/">' in page
    assert f'name="rules_version" value="{edition.rules_version}"' in page


def test_posting_without_the_checkbox_shows_a_clear_error_and_records_nothing(new_client, member):
    response = new_client.post(ACKNOWLEDGE_URL, {"next": "/documents/migration-americas/topics/"})
    assert response.status_code == 200
    page = response.content.decode()
    assert CONFIRM_ERROR in page
    assert 'aria-invalid="true"' in page
    # The sanitised next survives the error, so confirming afterwards still goes back there.
    assert '<input type="hidden" name="next" value="/documents/migration-americas/topics/">' in page
    assert not RulesAcknowledgement.objects.filter(user=member).exists()
    assert [r for r in audit_records_for(member) if r["action"] == "rules_acknowledged"] == []
    doc_home = reverse("messages:document", args=["migration-americas"])
    assert new_client.get(doc_home)["Location"] == _ack_redirect(doc_home)


def test_confirming_records_the_editions_rules_version_and_goes_to_next(new_client, member, edition):
    message = Message.objects.filter(retired_in__isnull=True).order_by("position").first()
    next_url = reverse("messages:detail", args=["migration-americas", message.identifier])
    response = new_client.post(ACKNOWLEDGE_URL, {"confirm": "on", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url

    acknowledgement = RulesAcknowledgement.objects.get(user=member)
    assert acknowledgement.rules_version == edition.rules_version
    records = [r for r in audit_records_for(member) if r["action"] == "rules_acknowledged"]
    assert len(records) == 1
    assert records[0]["details"]["rules_version"] == edition.rules_version
    assert records[0]["actor_id"] == member.pk

    page = new_client.get(next_url)
    assert page.status_code == 200
    assert message.current_version.text in page.content.decode()


def test_next_from_the_query_string_is_kept_through_the_form(new_client):
    # The page is reached by the middleware's redirect: the form posts `next` back as a hidden field.
    start = new_client.get(reverse("messages:topics", args=["migration-americas"]))
    page = new_client.get(start["Location"]).content.decode()
    assert '<input type="hidden" name="next" value="/documents/migration-americas/topics/">' in page
    response = new_client.post(ACKNOWLEDGE_URL + "?next=%2Fdocuments%2Fmigration-americas%2Ftopics%2F", {"confirm": "on"})
    assert response["Location"] == "/documents/migration-americas/topics/"


def test_without_next_confirming_goes_to_the_library_home(new_client):
    response = new_client.post(ACKNOWLEDGE_URL, {"confirm": "on"})
    assert response["Location"] == reverse("messages:document", args=["migration-americas"])


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://evil.example/topics/", "https:///evil.example/"],
)
def test_an_external_next_is_not_followed(new_client, member, next_url):
    page = new_client.get(ACKNOWLEDGE_URL, {"next": next_url}).content.decode()
    assert "evil.example" not in page

    response = new_client.post(ACKNOWLEDGE_URL, {"confirm": "on", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("messages:document", args=["migration-americas"])
    assert RulesAcknowledgement.objects.filter(user=member).exists()


def test_an_external_next_in_the_query_string_is_not_followed_either(new_client):
    response = new_client.post(ACKNOWLEDGE_URL + "?next=https%3A%2F%2Fevil.example%2F", {"confirm": "on"})
    assert response["Location"] == reverse("messages:document", args=["migration-americas"])


# --- After confirming -------------------------------------------------------------------------


def test_once_confirmed_every_library_page_shows(new_client):
    new_client.post(ACKNOWLEDGE_URL, {"confirm": "on"})
    for url in _library_pages():
        response = new_client.get(url)
        assert response.status_code == 200, (url, response.get("Location"))


def test_the_confirmation_is_kept_across_sessions(new_client, member):
    new_client.post(ACKNOWLEDGE_URL, {"confirm": "on"})
    other = Client()
    other.force_login(member)
    assert other.get(reverse("messages:search")).status_code == 200


def test_the_rules_page_says_when_the_rules_are_already_confirmed(new_client, member):
    new_client.post(ACKNOWLEDGE_URL, {"confirm": "on"})
    page = new_client.get(ACKNOWLEDGE_URL).content.decode()
    assert "You have already confirmed these rules." in page
    assert 'name="confirm"' not in page
    # Confirming again is harmless: still one acknowledgement and one audit record.
    new_client.post(ACKNOWLEDGE_URL, {"confirm": "on"})
    assert RulesAcknowledgement.objects.filter(user=member).count() == 1
    assert len([r for r in audit_records_for(member) if r["action"] == "rules_acknowledged"]) == 1


def test_a_new_edition_with_other_rules_asks_again_within_the_same_session(new_client, member, edition):
    new_client.post(ACKNOWLEDGE_URL, {"confirm": "on"})
    assert new_client.get(reverse("messages:topics", args=["migration-americas"])).status_code == 200

    new = _new_edition(edition)
    response = new_client.get(reverse("messages:topics", args=["migration-americas"]))
    assert response.status_code == 302
    assert response["Location"] == _ack_redirect("/documents/migration-americas/topics/")

    page = new_client.get(response["Location"]).content.decode()
    assert escape(new.handling_rules[0]) in page
    assert "You have already confirmed" not in page

    response = new_client.post(ACKNOWLEDGE_URL, {"confirm": "on", "rules_version": new.rules_version, "next": "/documents/migration-americas/topics/"})
    assert response["Location"] == "/documents/migration-americas/topics/"
    assert set(RulesAcknowledgement.objects.filter(user=member).values_list("rules_version", flat=True)) == {
        edition.rules_version,
        new.rules_version,
    }
    assert new_client.get(reverse("messages:topics", args=["migration-americas"])).status_code == 200


def test_a_new_edition_with_the_same_rules_does_not_ask_again(new_client, edition):
    new_client.post(ACKNOWLEDGE_URL, {"confirm": "on"})
    _new_edition(edition, rules=edition.handling_rules, version=edition.rules_version)
    assert new_client.get(reverse("messages:topics", args=["migration-americas"])).status_code == 200


def test_a_confirmation_of_rules_that_changed_meanwhile_is_refused(new_client, member, edition):
    """The page was opened on the old rules; a new edition came out before the box was ticked."""
    page = new_client.get(ACKNOWLEDGE_URL).content.decode()
    assert f'name="rules_version" value="{edition.rules_version}"' in page
    new = _new_edition(edition)

    response = new_client.post(ACKNOWLEDGE_URL, {"confirm": "on", "rules_version": edition.rules_version, "next": "/"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The rules changed while this page was open" in page
    assert escape(new.handling_rules[0]) in page
    assert f'name="rules_version" value="{new.rules_version}"' in page
    assert not RulesAcknowledgement.objects.filter(user=member).exists()
    assert new_client.get(reverse("messages:search")).status_code == 302


# --- Account pages stay reachable ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["national_societies:my_account", "usersessions_list", "mfa_index", "account_email_address", ACKNOWLEDGE_URL],
)
def test_account_pages_are_reachable_without_confirming(new_client, name):
    url = name if name.startswith("/") else reverse(name)
    response = new_client.get(url)
    assert response.status_code == 200, response.get("Location")


def test_totp_setup_and_password_change_are_not_sent_to_the_rules(new_client):
    # Both may ask for the password again (allauth's reauthentication), never for the rules.
    for name in ("mfa_activate_totp", "account_change_password"):
        response = new_client.get(reverse(name))
        assert response.status_code in (200, 302), name
        if response.status_code == 302:
            assert not response["Location"].startswith(ACKNOWLEDGE_URL), name
            assert response["Location"].startswith(reverse("account_reauthenticate")), name


def test_sign_out_works_without_confirming(new_client, member):
    response = new_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not response["Location"].startswith(ACKNOWLEDGE_URL)
    assert SESSION_KEY not in new_client.session
    assert new_client.get(reverse("messages:home"))["Location"].startswith(reverse("account_login"))
    assert not RulesAcknowledgement.objects.filter(user=member).exists()


def test_anonymous_visitors_are_sent_to_sign_in_not_to_the_rules(client, library):
    response = client.get(reverse("messages:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.get(ACKNOWLEDGE_URL)
    assert response["Location"].startswith(reverse("account_login"))


def test_the_library_home_lists_the_document_and_asks_for_its_rules_without_redirecting(new_client):
    page = new_client.get(reverse("messages:home"))
    assert page.status_code == 200
    assert ACKNOWLEDGE_URL in page.content.decode()


def test_pages_spanning_documents_ask_for_the_rules_of_each_document(new_client):
    # Search, briefings and notes show content of every document the reader reads: each must be confirmed.
    for name in ("messages:search", "messages:briefings", "messages:notes_overview"):
        url = reverse(name)
        assert new_client.get(url)["Location"] == _ack_redirect(url), name
