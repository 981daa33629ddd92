"""Account events, recorded from real sign-ins through the forms: signed in, failed sign-in (with
the address typed and never the password), signed out, MFA used, failed, set up, password changed.
Every row carries the actor's organisation and role as they were, and the client's IP."""

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from national_societies.models import Membership
from tests.accounts import follow_enrolment_link
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from tests.totp import totp_code

IP = "198.51.100.7"
AGENT = "Mozilla/5.0 (audit test)"
WRONG_PASSWORD = "Not-The-Password-8231"
NEW_PASSWORD = "an-even-longer-new-password-77"


def browser():
    return Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=AGENT)


def log_text():
    """Every value of every event, as one string: for "never logged" checks."""
    return repr([model_to_dict(e) for e in AuditEvent.objects.all()])


def only(action):
    rows = list(AuditEvent.objects.filter(action=action))
    assert len(rows) == 1, (action, rows)
    return rows[0]


def assert_actor(row, user, organisation, role):
    assert row.actor_user_id == user.pk
    assert row.actor_email == user.email
    assert (row.actor_organisation_id, row.actor_organisation, row.actor_role) == (organisation.pk, organisation.name, role)
    assert (row.ip, row.user_agent) == (IP, AGENT)
    assert len(row.request_id) == 32


def password_step(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_sign_in_through_the_form_is_recorded(member, colombia):
    client = browser()
    response = password_step(client, "member@colombia.example.org")
    assert response.status_code == 302
    row = only(Action.LOGGED_IN)
    assert_actor(row, member, colombia, Membership.Role.MEMBER)
    assert row.outcome == Outcome.ALLOWED
    assert row.request_id == response["X-Request-ID"]
    assert TEST_PASSWORD not in log_text()


@pytest.mark.parametrize("typed", ["Member@Colombia.example.org", "nobody@colombia.example.org"])
def test_a_failed_sign_in_records_the_address_typed_and_never_the_password(member, typed):
    client = browser()
    response = password_step(client, typed, WRONG_PASSWORD)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    row = only(Action.LOGIN_FAILED)
    assert (row.target_type, row.target_id) == ("login", typed.lower())
    assert (row.outcome, row.reason) == (Outcome.DENIED, "wrong email or password")
    assert (row.ip, row.user_agent) == (IP, AGENT)
    assert row.actor_user_id is None and row.actor_email == "" and row.actor_organisation_id is None
    assert not AuditEvent.objects.filter(action=Action.LOGGED_IN).exists()
    text = log_text()
    assert WRONG_PASSWORD not in text and WRONG_PASSWORD.lower() not in text and TEST_PASSWORD not in text


def test_a_sign_out_is_recorded(member, colombia):
    client = browser()
    password_step(client, member.email)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not client.get(reverse("messages:home")).wsgi_request.user.is_authenticated
    assert_actor(only(Action.LOGGED_OUT), member, colombia, Membership.Role.MEMBER)


def test_a_privileged_sign_in_with_totp_records_the_second_factor(society_admin, colombia):
    client = browser()
    response = password_step(client, society_admin.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not AuditEvent.objects.filter(action=Action.LOGGED_IN).exists()  # not signed in yet
    code = totp_code()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    used = only(Action.MFA_USED)
    assert_actor(used, society_admin, colombia, Membership.Role.SOCIETY_ADMIN)
    assert used.details == {"type": "totp", "reauthentication": False}
    assert_actor(only(Action.LOGGED_IN), society_admin, colombia, Membership.Role.SOCIETY_ADMIN)
    assert code not in repr([e.details for e in AuditEvent.objects.all()])


def test_a_wrong_totp_code_is_recorded_as_a_denied_mfa_attempt(society_admin, colombia):
    client = browser()
    password_step(client, society_admin.email)
    wrong = "000000" if totp_code() != "000000" else "111111"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    failed = only(Action.MFA_FAILED)
    assert_actor(failed, society_admin, colombia, Membership.Role.SOCIETY_ADMIN)
    assert (failed.outcome, failed.reason, failed.details) == (Outcome.DENIED, "wrong code", {"type": "totp"})
    assert not AuditEvent.objects.filter(action__in=[Action.LOGGED_IN, Action.MFA_USED]).exists()
    assert wrong not in repr([(e.details, e.reason, e.query, e.target_id) for e in AuditEvent.objects.all()])


def test_setting_up_totp_is_recorded(colombia, django_capture_on_commit_callbacks):
    user = UserFactory(email="new.admin@colombia.example.org")
    MembershipFactory(user=user, national_society=colombia, role=Membership.Role.SOCIETY_ADMIN)
    client = browser()
    response = password_step(client, user.email)
    assert response.status_code == 302
    assert client.get(reverse("messages:home"))["Location"] == reverse("mfa_enrolment_link")
    follow_enrolment_link(client, user)  # a first authenticator: through the emailed link
    assert client.get(reverse("mfa_activate_totp")).status_code == 200  # just signed in: no second password
    secret = client.session[SECRET_SESSION_KEY]
    # allauth sends its "authenticator added" signal once the request's transaction has committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    rows = list(AuditEvent.objects.filter(action=Action.MFA_SET_UP).order_by("id"))
    assert [row.details for row in rows] == [{"type": "totp"}, {"type": "recovery_codes"}]
    for row in rows:
        assert_actor(row, user, colombia, Membership.Role.SOCIETY_ADMIN)
    assert secret not in log_text()


def test_a_password_change_is_recorded_without_either_password(member, colombia):
    client = browser()
    password_step(client, member.email)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert_actor(only(Action.PASSWORD_CHANGED), member, colombia, Membership.Role.MEMBER)
    text = log_text()
    assert TEST_PASSWORD not in text and NEW_PASSWORD not in text


def test_a_rejected_password_change_is_not_recorded_as_a_change(member):
    client = browser()
    password_step(client, member.email)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": WRONG_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED).exists()


def test_the_actor_is_recorded_as_they_were_at_the_time(member, colombia, mexico):
    client = browser()
    password_step(client, member.email)
    client.post(reverse("account_logout"))
    Membership.objects.filter(user=member).update(national_society=mexico, role=Membership.Role.SOCIETY_ADMIN)
    password_step(browser(), member.email)
    first, second = AuditEvent.objects.filter(action=Action.LOGGED_IN).order_by("id")
    assert (first.actor_organisation, first.actor_role) == (colombia.name, "member")
    assert (second.actor_organisation, second.actor_role) == (mexico.name, "society_admin")


def test_the_client_ip_honours_the_trusted_proxy_count(member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.50")
    password_step(client, member.email, WRONG_PASSWORD)
    password_step(client, member.email)
    assert set(AuditEvent.objects.values_list("ip", flat=True)) == {"203.0.113.50"}
