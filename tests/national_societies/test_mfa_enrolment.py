"""A privileged account without any authenticator sets up its first one only through a link emailed to
its work address: knowing the password is not enough to attach an authenticator to it."""

import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from national_societies.enrolment import enrolment_token
from tests.accounts import sign_in
from tests.factories import TEST_PASSWORD
from tests.totp import totp_code

ACTIVATE_URL = reverse("mfa_activate_totp")
ENROLMENT_URL = reverse("mfa_enrolment_link")
LOGIN_URL = reverse("account_login")


def signed_in_with_password(user):
    client = Client()
    client.post(LOGIN_URL, {"login": user.email, "password": TEST_PASSWORD})
    return client


def link_in(email):
    return next(word for word in email.body.split() if "/accounts/2fa/enrolment/" in word)


def test_the_password_alone_attaches_no_authenticator(privileged_no_mfa):
    client = signed_in_with_password(privileged_no_mfa)
    for url in (ACTIVATE_URL, reverse("mfa_add_webauthn"), reverse("mfa_generate_recovery_codes")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == ENROLMENT_URL, url
    # Even a well-formed set-up POST does nothing.
    response = client.post(ACTIVATE_URL, {"code": "123456"})
    assert response["Location"] == ENROLMENT_URL
    assert not Authenticator.objects.filter(user=privileged_no_mfa).exists()


def test_the_emailed_link_opens_the_set_up_in_that_session_and_it_is_recorded(privileged_no_mfa):
    client = signed_in_with_password(privileged_no_mfa)
    page = client.post(ENROLMENT_URL)
    assert "A link was sent to" in page.content.decode()
    [email] = mail.outbox
    assert email.to == [privileged_no_mfa.email] and "30 minutes" in email.body
    response = client.get(link_in(email))
    assert response["Location"] == ACTIVATE_URL
    assert client.get(ACTIVATE_URL).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    client.post(ACTIVATE_URL, {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=privileged_no_mfa, type=Authenticator.Type.TOTP).exists()
    actions = list(AuditEvent.objects.filter(actor_user_id=privileged_no_mfa.pk).values_list("action", "outcome"))
    assert (Action.MFA_ENROLMENT_LINK_SENT, "allowed") in actions and (Action.MFA_ENROLMENT_LINK_USED, "allowed") in actions
    # Once an authenticator exists, the link no longer opens anything.
    assert client.get(link_in(email))["Location"] == reverse("mfa_index")


def test_someone_elses_link_an_altered_one_or_an_expired_one_is_refused(privileged_no_mfa, admin_b, settings, monkeypatch):
    Authenticator.objects.filter(user=admin_b).delete()  # admin_b needs a link too, now
    client = signed_in_with_password(privileged_no_mfa)
    for token in (enrolment_token(admin_b), enrolment_token(privileged_no_mfa)[:-2] + "xx"):
        response = client.get(reverse("mfa_enrolment_open", args=[token]))
        assert response.status_code == 410 and "can no longer be used" in response.content.decode()
    with monkeypatch.context() as patch:  # a link sent a minute longer ago than it lasts
        sent_at = int(time.time()) - settings.MFA_ENROLMENT_LINK_MINUTES * 60 - 60
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(sent_at))
        token = enrolment_token(privileged_no_mfa)
    assert client.get(reverse("mfa_enrolment_open", args=[token])).status_code == 410
    assert client.get(ACTIVATE_URL)["Location"] == ENROLMENT_URL
    refused = AuditEvent.objects.filter(action=Action.MFA_ENROLMENT_LINK_USED, outcome="denied", actor_user_id=privileged_no_mfa.pk)
    assert refused.count() == 3


def test_a_password_change_voids_a_link_sent_before(privileged_no_mfa):
    token = enrolment_token(privileged_no_mfa)
    privileged_no_mfa.set_password("another-long-password-1")
    privileged_no_mfa.save()
    client = Client()
    client.post(LOGIN_URL, {"login": privileged_no_mfa.email, "password": "another-long-password-1"})
    assert client.get(reverse("mfa_enrolment_open", args=[token])).status_code == 410


def test_one_email_a_minute_at_most(privileged_no_mfa):
    client = signed_in_with_password(privileged_no_mfa)
    client.post(ENROLMENT_URL)
    again = client.post(ENROLMENT_URL, follow=True)
    assert "A link was sent a moment ago" in again.content.decode()
    assert len(mail.outbox) == 1


def test_members_and_accounts_with_an_authenticator_do_not_need_a_link(member_a, admin_a):
    assert sign_in(Client(), member_a).get(ACTIVATE_URL).status_code in (200, 302)
    assert sign_in(Client(), member_a).get(ACTIVATE_URL).get("Location", "") != ENROLMENT_URL
    client = sign_in(Client(), admin_a)  # has TOTP
    assert client.get(ENROLMENT_URL)["Location"] == reverse("mfa_index")
    assert mail.outbox == []


def test_the_server_can_print_the_link_for_a_first_admin_without_email(privileged_no_mfa, admin_a):
    out = StringIO()
    call_command("mfa_enrolment_link", privileged_no_mfa.email, "--base-url", "https://km.example.org/", stdout=out)
    link = out.getvalue().strip()
    assert link.startswith("https://km.example.org/accounts/2fa/enrolment/")
    client = signed_in_with_password(privileged_no_mfa)
    assert client.get(link.removeprefix("https://km.example.org"))["Location"] == ACTIVATE_URL
    assert AuditEvent.objects.filter(action=Action.MFA_ENROLMENT_LINK_SENT, target_id=str(privileged_no_mfa.pk)).exists()
    with pytest.raises(CommandError, match="needs no link"):
        call_command("mfa_enrolment_link", admin_a.email)
