"""What `make run` promises: each demo account logs in with its role (privileged ones with TOTP on
the documented secret), confirms the handling rules and reads the messages; the demonstration
Spanish translation is there for a reader who switches to Spanish."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from messages_app.catalogue.models import Message
from national_societies.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from national_societies.permissions import PRIVILEGED_ROLES, membership_of
from tests.totp import totp_code

DEMO_TRANSLATION = settings.BASE_DIR / "messages_app" / "content" / "demo" / "key-messages.es.yaml"


@pytest.fixture
def demo_site(db, settings):
    settings.DEBUG = True  # create_demo_accounts refuses without DEBUG or --demo
    call_command("load_key_messages", verbosity=0)
    call_command("load_key_messages", str(DEMO_TRANSLATION), verbosity=0)  # as the Makefile's `demo` does
    call_command("create_demo_accounts", verbosity=0)


@pytest.mark.parametrize(("email", "slug", "role"), [(a[0], a[3], a[4]) for a in DEMO_ACCOUNTS])
def test_demo_account_logs_in_with_its_role_and_reads_the_messages(demo_site, email, slug, role):
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    if role in PRIVILEGED_ROLES:
        assert response["Location"] == reverse("mfa_authenticate")
        assert client.get(reverse("messages:home"))["Location"].startswith(reverse("account_login"))
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302, response.content.decode()[:500]
    user = response.wsgi_request.user
    assert user.email == email
    membership = membership_of(user)
    assert (membership.national_society.slug, membership.role) == (slug, role)
    response = client.get(reverse("messages:document", args=["migration-americas"]))
    assert response["Location"].startswith(reverse("messages:acknowledge_rules", args=["migration-americas"]))
    response = client.post(reverse("messages:acknowledge_rules", args=["migration-americas"]), {"confirm": "on", "next": "/"})
    assert response["Location"] == "/"
    assert client.get(reverse("messages:document", args=["migration-americas"])).status_code == 200
    messages = list(Message.objects.select_related("current_version").order_by("position"))
    assert len(messages) == 65
    if role != "member":  # every message once is enough: the other roles read the first, a middle and the last
        messages = [messages[0], messages[32], messages[-1]]
    for message in messages:
        page = client.get(message.get_absolute_url())
        assert page.status_code == 200
        assert message.current_version.text in page.content.decode()


def test_demo_accounts_are_refused_without_debug(db, settings):
    from django.core.management import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="only created with DEBUG on"):
        call_command("create_demo_accounts")


def test_a_demo_reader_in_spanish_sees_the_demonstration_translation_labelled(demo_site):
    client = Client()
    client.post(reverse("account_login"), {"login": "member@colombia.example.org", "password": DEMO_PASSWORD})
    client.post(reverse("messages:acknowledge_rules", args=["migration-americas"]), {"confirm": "on", "next": "/"})
    client.post(reverse("national_societies:language"), {"language": "es", "next": "/"})
    html = client.get(reverse("messages:detail", args=["migration-americas", "GEN-01"])).content.decode()
    assert "Traducción oficial." in html and "Las acciones de la Cruz Roja y la Media Luna Roja" in html
    assert "no es una traducción oficial del Movimiento" in client.get(reverse("messages:document", args=["migration-americas"])).content.decode()
    assert "Todavía no hay traducción oficial de este mensaje" in client.get(reverse("messages:detail", args=["migration-americas", "DET-04"])).content.decode()
