"""The language switcher: remembered in the browser and on the account; the browser's language first."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from national_societies.models import User


def _lang(response):
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_browser_language_is_the_default(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9").get(reverse("account_login"))
    assert _lang(response) == "pt-br"


def test_portuguese_is_brazilian_on_our_pages_and_on_allauths(db):
    """Any Portuguese browser gets Brazilian Portuguese: "senha", not "palavra-passe"."""
    for accept in ("pt", "pt-PT", "pt-BR"):
        html = Client(HTTP_ACCEPT_LANGUAGE=accept).get(reverse("account_login")).content.decode()
        assert '<html lang="pt-br">' in html and "Senha" in html and "palavra-passe" not in html.lower()
        reset = Client(HTTP_ACCEPT_LANGUAGE=accept).get(reverse("account_reset_password")).content.decode()
        assert "senha" in reset.lower() and "palavra-passe" not in reset.lower()


def test_anyone_can_switch_language_and_it_is_remembered_in_the_browser(db):
    client = Client()
    response = client.post(reverse("national_societies:language"), {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert _lang(client.get(reverse("account_login"))) == "fr"


def test_a_signed_in_users_choice_is_saved_on_the_account_and_follows_them(member_client, member):
    member_client.post(reverse("national_societies:language"), {"language": "es", "next": "/"})
    member.refresh_from_db()
    assert member.language == "es"
    fresh = Client()
    fresh.force_login(member)  # another browser: no cookie yet
    page = fresh.get(reverse("messages:help", args=["migration-americas"]))
    assert _lang(page) == "es"


def test_an_unknown_language_or_an_outside_next_is_ignored(member_client, member):
    response = member_client.post(reverse("national_societies:language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=member.pk).language == ""


def test_the_switcher_is_on_every_page(member_client):
    page = member_client.get(reverse("messages:home")).content.decode()
    assert 'name="language"' in page and "Español" in page and "Português" in page and "Français" in page


def test_accounts_that_chose_portuguese_before_keep_it_as_brazilian_portuguese(db):
    from importlib import import_module

    from django.apps import apps

    from tests.factories import UserFactory

    chose_portuguese = UserFactory(language="pt")
    chose_french = UserFactory(language="fr")
    import_module("national_societies.migrations.0007_user_language_brazilian_portuguese").to_brazilian(apps, None)
    chose_portuguese.refresh_from_db()
    chose_french.refresh_from_db()
    assert (chose_portuguese.language, chose_french.language) == ("pt-br", "fr")
