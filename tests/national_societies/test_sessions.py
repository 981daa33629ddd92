"""Sessions: server-side, ended after idle and absolute timeouts, listed and ended by their owner,
ended by a password change or reset, and by a deactivation in the Django admin."""

import re
import time

import pytest
from allauth.account.signals import password_reset, password_set
from allauth.usersessions.models import UserSession
from django.conf import settings as django_settings
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from core.rules import NotAllowed

from audit.services import audit_records_for
from national_societies.middleware import LAST_SEEN_KEY, STARTED_KEY, TRACKED_KEY
from national_societies.models import NationalSociety, User
from tests.accounts import acknowledge_rules
from tests.factories import TEST_PASSWORD, MembershipFactory

NEW_PASSWORD = "a-different-passphrase-for-tests-91"
PAGE = reverse("messages:topics", args=["migration-americas"])
LOGIN_URL = reverse("account_login")


def real_login(user, password=TEST_PASSWORD, user_agent="Browser"):
    """A new browser signed in through allauth's login form (member: no MFA stage)."""
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post(LOGIN_URL, {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]
    assert client.session.get(SESSION_KEY) == str(user.pk)
    return client


def is_signed_in(client) -> bool:
    """Whether the browser's next request is a signed-in one (the request goes through the middleware)."""
    response = client.get(reverse("national_societies:my_account"))
    return response.status_code == 200 and response.wsgi_request.user.is_authenticated


def set_session(client, **values):
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


@pytest.fixture
def reader(member, library):
    acknowledge_rules(member)
    return member


# --- Server-side sessions -----------------------------------------------------------------------


def test_sessions_are_stored_in_the_database_not_in_signed_cookies(member_client, member):
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    key = member_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    session = Session.objects.get(session_key=key)
    assert session.get_decoded()[SESSION_KEY] == str(member.pk)
    # The cookie holds only a random key (a signed cookie would carry the signed data, with ':').
    assert re.fullmatch(r"[a-z0-9]{32}", key)
    # Deleting the row on the server is enough to sign the browser out.
    assert is_signed_in(member_client)
    Session.objects.filter(session_key=key).delete()
    assert not is_signed_in(member_client)


def test_signing_in_starts_both_clocks_and_lists_the_session(member_client, member):
    before = time.time()
    member_client.get(PAGE)
    session = member_client.session
    assert before - 5 <= session[STARTED_KEY] <= time.time()
    assert before - 5 <= session[LAST_SEEN_KEY] <= time.time()
    assert UserSession.objects.filter(user=member, session_key=session.session_key).count() == 1
    assert session[TRACKED_KEY] == session.session_key


# --- Idle and absolute timeouts -----------------------------------------------------------------


def test_an_idle_session_is_signed_out_with_a_message_and_deleted(member_client, member):
    assert member_client.get(PAGE).status_code == 200
    key = member_client.session.session_key
    assert UserSession.objects.filter(session_key=key).exists()
    set_session(member_client, **{LAST_SEEN_KEY: time.time() - django_settings.SESSION_IDLE_TIMEOUT - 5})

    response = member_client.get(PAGE + "?x=1")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/documents/migration-americas/topics/%3Fx%3D1"
    assert not response.wsgi_request.user.is_authenticated
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=member).exists()

    login_page = member_client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity. Please sign in again." in login_page
    assert member_client.get(PAGE)["Location"].startswith(LOGIN_URL)


def test_a_session_older_than_the_absolute_limit_is_signed_out_even_when_active(member_client, member):
    assert member_client.get(PAGE).status_code == 200
    key = member_client.session.session_key
    set_session(
        member_client,
        **{STARTED_KEY: time.time() - django_settings.SESSION_ABSOLUTE_TIMEOUT - 5, LAST_SEEN_KEY: time.time()},
    )

    response = member_client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    login_page = member_client.get(response["Location"]).content.decode()
    assert "a session lasts at most 12 hours. Please sign in again." in login_page
    assert not is_signed_in(member_client)


def test_an_expired_post_does_nothing_and_redirects_to_login(client, member, library):
    client.force_login(member)  # rules not confirmed yet: the POST below would confirm them
    set_session(client, **{LAST_SEEN_KEY: time.time() - django_settings.SESSION_IDLE_TIMEOUT - 5})
    response = client.post(reverse("messages:acknowledge_rules", args=["migration-americas"]), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/"
    assert not member.rules_acknowledgements.exists()


def test_activity_within_the_limits_keeps_the_session_and_moves_the_idle_clock(member_client, member):
    member_client.get(PAGE)
    key = member_client.session.session_key
    UserSession.objects.filter(session_key=key).update(last_seen_at="2000-01-01T00:00:00Z")
    now = time.time()
    started = now - django_settings.SESSION_ABSOLUTE_TIMEOUT + 120
    set_session(member_client, **{STARTED_KEY: started, LAST_SEEN_KEY: now - django_settings.SESSION_IDLE_TIMEOUT + 60})

    assert member_client.get(PAGE).status_code == 200
    session = member_client.session
    assert session.session_key == key
    assert session[LAST_SEEN_KEY] >= now
    assert session[STARTED_KEY] == started  # activity never extends the absolute limit
    assert UserSession.objects.get(session_key=key).last_seen_at.year > 2000

    # Idle for less than the limit again, counted from the last request: still signed in.
    set_session(member_client, **{LAST_SEEN_KEY: time.time() - django_settings.SESSION_IDLE_TIMEOUT + 60})
    assert member_client.get(PAGE).status_code == 200


def test_activity_is_written_back_at_most_once_a_minute(member_client):
    member_client.get(PAGE)
    recent = time.time() - 30
    set_session(member_client, **{LAST_SEEN_KEY: recent})
    assert member_client.get(PAGE).status_code == 200
    assert member_client.session[LAST_SEEN_KEY] == recent


def test_a_session_without_clocks_gets_them_instead_of_being_signed_out(member_client):
    member_client.get(PAGE)
    session = member_client.session
    del session[STARTED_KEY]
    del session[LAST_SEEN_KEY]
    session.save()
    assert member_client.get(PAGE).status_code == 200
    assert member_client.session[STARTED_KEY] == member_client.session[LAST_SEEN_KEY]


def test_a_shorter_idle_timeout_from_settings_applies(member_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 120
    member_client.get(PAGE)
    set_session(member_client, **{LAST_SEEN_KEY: time.time() - 100})
    assert member_client.get(PAGE).status_code == 200
    set_session(member_client, **{LAST_SEEN_KEY: time.time() - 130})
    response = member_client.get(PAGE)
    assert response["Location"].startswith(LOGIN_URL)
    assert "after 2 minutes without activity" in member_client.get(response["Location"]).content.decode()


def test_a_longer_idle_timeout_from_settings_applies(member_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 4 * 3600
    member_client.get(PAGE)
    set_session(member_client, **{LAST_SEEN_KEY: time.time() - 3 * 3600})
    assert member_client.get(PAGE).status_code == 200


def test_a_shorter_absolute_timeout_from_settings_applies(member_client, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 2 * 3600
    member_client.get(PAGE)
    set_session(member_client, **{STARTED_KEY: time.time() - 2 * 3600 + 60})
    assert member_client.get(PAGE).status_code == 200
    set_session(member_client, **{STARTED_KEY: time.time() - 2 * 3600 - 60})
    response = member_client.get(PAGE)
    assert response["Location"].startswith(LOGIN_URL)
    assert "at most 2 hours" in member_client.get(response["Location"]).content.decode()


def test_signing_in_again_restarts_the_clocks(reader):
    client = real_login(reader)
    set_session(client, **{STARTED_KEY: time.time() - django_settings.SESSION_ABSOLUTE_TIMEOUT - 5})
    assert client.get(PAGE)["Location"].startswith(LOGIN_URL)
    response = client.post(LOGIN_URL, {"login": reader.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(PAGE).status_code == 200
    assert time.time() - client.session[STARTED_KEY] < 60


# --- "My sessions" ------------------------------------------------------------------------------


FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)


def test_my_sessions_lists_every_session_of_the_user_only(reader, colombia):
    laptop = real_login(reader, user_agent=FIREFOX_WINDOWS)
    phone = real_login(reader, user_agent=SAFARI_IPHONE)
    someone_else = MembershipFactory(national_society=colombia).user
    real_login(someone_else, user_agent=CHROME_ANDROID)

    response = laptop.get(reverse("usersessions_list"))
    assert response.status_code == 200
    sessions = response.context["sessions"]
    assert {s.session_key for s in sessions} == {laptop.session.session_key, phone.session.session_key}
    page = response.content.decode()
    assert "Firefox 128 on Windows" in page and "Safari 17 on iOS" in page
    assert "Chrome 126 on Android" not in page
    assert page.count("This session") == 1
    assert "End all other sessions" in page
    assert "30 minutes without activity" in page and "12 hours" in page


def test_the_browser_column_never_shows_the_raw_user_agent(reader):
    laptop = real_login(reader, user_agent=FIREFOX_WINDOWS)
    real_login(reader, user_agent="<b>Evil</b> agent/1.0 " + "x" * 200)
    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "Mozilla/5.0" not in page and "Gecko" not in page
    assert "Evil" not in page and "xxxxxxxxxx" not in page
    assert "Unknown browser" in page


def _other_session_of(user, client):
    return UserSession.objects.filter(user=user).exclude(session_key=client.session.session_key)


def test_each_other_session_has_its_own_end_button_and_this_one_none(reader):
    laptop = real_login(reader, user_agent=FIREFOX_WINDOWS)
    phone = real_login(reader, user_agent=SAFARI_IPHONE)
    page = laptop.get(reverse("usersessions_list")).content.decode()
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)
    laptop_session = UserSession.objects.get(session_key=laptop.session.session_key)
    assert f'action="{reverse("usersessions_end", args=[phone_session.pk])}"' in page
    assert reverse("usersessions_end", args=[laptop_session.pk]) not in page
    assert page.count("End this session") == 1
    # The button names the session it ends, for a screen reader too.
    assert f'aria-describedby="session-{phone_session.pk}-browser"' in page
    assert f'id="session-{phone_session.pk}-browser">Safari 17 on iOS<' in page


def test_ending_one_session_signs_out_that_browser_only_and_is_recorded(reader):
    laptop = real_login(reader, user_agent=FIREFOX_WINDOWS)
    phone = real_login(reader, user_agent=SAFARI_IPHONE)
    tablet = real_login(reader, user_agent=CHROME_ANDROID)
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)

    response = laptop.post(reverse("usersessions_end", args=[phone_session.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("usersessions_list")
    page = laptop.get(response["Location"]).content.decode()
    assert "The session was ended: that browser is signed out." in page

    assert not Session.objects.filter(session_key=phone_session.session_key).exists()
    assert not UserSession.objects.filter(pk=phone_session.pk).exists()
    assert not is_signed_in(phone)
    assert is_signed_in(laptop) and is_signed_in(tablet)

    records = audit_records_for(reader)
    assert [r["action"] for r in records] == ["session_ended"]
    assert records[0]["actor_id"] == reader.pk
    assert records[0]["details"]["scope"] == "one"
    assert records[0]["details"]["browser"] == "Safari 17 on iOS"
    assert records[0]["label"] == "ended a session"


def test_nobody_ends_someone_elses_session(reader, colombia):
    victim = MembershipFactory(national_society=colombia).user
    acknowledge_rules(victim)
    victims_browser = real_login(victim, user_agent=CHROME_ANDROID)
    victims_session = UserSession.objects.get(session_key=victims_browser.session.session_key)
    attacker = real_login(reader, user_agent=FIREFOX_WINDOWS)

    response = attacker.post(reverse("usersessions_end", args=[victims_session.pk]))
    assert response.status_code == 404  # alike for another person's session and a missing one
    assert attacker.post(reverse("usersessions_end", args=[victims_session.pk + 1000])).status_code == 404
    assert UserSession.objects.filter(pk=victims_session.pk).exists()
    assert is_signed_in(victims_browser)
    assert audit_records_for(victim) == [] and audit_records_for(reader) == []


def test_the_rule_refuses_another_persons_session_even_past_the_lookup(reader, colombia):
    from national_societies.permissions import can_end_session
    from national_societies.services import user_session_end

    victim = MembershipFactory(national_society=colombia).user
    acknowledge_rules(victim)
    victims_browser = real_login(victim)
    victims_session = UserSession.objects.get(session_key=victims_browser.session.session_key)
    decision = can_end_session(reader, victims_session, "another-key")
    assert not decision and decision.reason == "This is not one of your sessions."
    with pytest.raises(NotAllowed):
        user_session_end(user_session=victims_session, ended_by=reader, current_session_key="another-key")
    assert is_signed_in(victims_browser)
    assert audit_records_for(victim) == []


def test_the_session_in_use_is_not_ended_from_its_row(reader):
    laptop = real_login(reader)
    real_login(reader)
    this_session = UserSession.objects.get(session_key=laptop.session.session_key)
    response = laptop.post(reverse("usersessions_end", args=[this_session.pk]))
    assert response.status_code == 302
    assert "This is the session you are using: sign out to end it." in laptop.get(response["Location"]).content.decode()
    assert is_signed_in(laptop)
    assert audit_records_for(reader) == []


def test_ending_a_session_is_a_post(reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)
    assert laptop.get(reverse("usersessions_end", args=[phone_session.pk])).status_code == 405
    assert is_signed_in(phone)


def test_ending_other_sessions_signs_out_the_other_browser_and_keeps_this_one(reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    phone_key = phone.session.session_key
    laptop_key = laptop.session.session_key

    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert "Signed out of all other sessions." in laptop.get(response["Location"]).content.decode()

    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not UserSession.objects.filter(session_key=phone_key).exists()
    response = phone.get(PAGE)
    assert not response.wsgi_request.user.is_authenticated
    assert response["Location"].startswith(LOGIN_URL)

    assert laptop.get(PAGE).status_code == 200
    assert laptop.session.session_key == laptop_key
    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "This is your only session." in page

    records = audit_records_for(reader)
    assert [r["action"] for r in records] == ["session_ended"]
    assert records[0]["details"] == {"scope": "others", "count": 1}


def test_my_sessions_is_for_signed_in_users_only(client, db):
    response = client.get(reverse("usersessions_list"))
    assert response["Location"].startswith(LOGIN_URL)


# --- Password change, set and reset -------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    phone_key = phone.session.session_key

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)

    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not UserSession.objects.filter(session_key=phone_key).exists()
    assert not is_signed_in(phone)

    assert laptop.get(PAGE).status_code == 200
    assert is_signed_in(laptop)
    # The kept session is still listed, and is the only one.
    assert [s.session_key for s in UserSession.objects.filter(user=reader)] == [laptop.session.session_key]


def test_a_wrong_current_password_changes_nothing_and_ends_nothing(reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": "not-the-password-at-all", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert is_signed_in(phone) and is_signed_in(laptop)


def test_setting_a_password_ends_the_other_sessions(reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    phone_key = phone.session.session_key
    laptop.get(PAGE)
    request = RequestFactory().post("/accounts/password/set/")
    request.session = laptop.session
    request.user = reader
    password_set.send(sender=User, request=request, user=reader)

    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_resetting_the_password_by_the_emailed_link_ends_every_session(reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    keys = {laptop.session.session_key, phone.session.session_key}

    stranger = Client()
    response = stranger.post(reverse("account_reset_password"), {"email": reader.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    response = stranger.get(link)
    assert response.status_code == 302
    response = stranger.post(response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=reader).exists()
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_the_password_reset_signal_ends_every_session_even_the_current_one(reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    request = RequestFactory().post("/")
    request.session = laptop.session
    request.user = reader
    password_reset.send(sender=User, request=request, user=reader)
    assert not UserSession.objects.filter(user=reader).exists()
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)


# --- Django admin: deactivation ends sessions, every change is recorded --------------------------


def _user_change_data(user, **changes):
    membership = user.membership
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "1",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
        "membership-0-id": str(membership.pk),
        "membership-0-user": str(user.pk),
        "membership-0-national_society": str(membership.national_society_id),
        "membership-0-role": membership.role,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_deactivating_a_user_in_the_admin_ends_their_sessions_and_is_recorded(platform_admin_client, platform_admin, reader):
    laptop = real_login(reader)
    phone = real_login(reader)
    keys = {laptop.session.session_key, phone.session.session_key}

    url = reverse("admin:national_societies_user_change", args=[reader.pk])
    assert platform_admin_client.get(url).status_code == 200
    response = platform_admin_client.post(url, _user_change_data(reader, is_active=None))
    assert response.status_code == 302, response.context["errors"] if response.context else response

    reader.refresh_from_db()
    assert not reader.is_active
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=reader).exists()
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert is_signed_in(platform_admin_client)

    records = audit_records_for(reader)
    assert [r["action"] for r in records] == ["admin_changed"]
    assert records[0]["actor_id"] == platform_admin.pk


def test_another_admin_change_of_a_user_is_recorded_but_ends_no_session(platform_admin_client, reader):
    laptop = real_login(reader)
    url = reverse("admin:national_societies_user_change", args=[reader.pk])
    response = platform_admin_client.post(url, _user_change_data(reader, last_name="Renamed"))
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.last_name == "Renamed"
    assert is_signed_in(laptop)
    assert [r["action"] for r in audit_records_for(reader)] == ["admin_changed"]


def test_user_admin_save_model_ends_sessions_only_on_deactivation(platform_admin, reader):
    laptop = real_login(reader)
    request = RequestFactory().post("/admin/")
    request.user = platform_admin

    class Form:
        changed_data = ["last_name"]

    user_admin = admin_site._registry[User]
    user_admin.save_model(request, reader, Form(), change=True)
    assert is_signed_in(laptop)

    Form.changed_data = ["is_active"]
    reader.is_active = False
    user_admin.save_model(request, reader, Form(), change=True)
    assert not UserSession.objects.filter(user=reader).exists()
    assert not is_signed_in(laptop)


def test_adding_changing_and_deleting_in_the_admin_is_recorded(platform_admin_client, platform_admin):
    add_url = reverse("admin:national_societies_nationalsociety_add")
    response = platform_admin_client.post(
        add_url,
        {
            "kind": NationalSociety.Kind.NATIONAL_SOCIETY,
            "name": "Audited Red Cross",
            "local_name": "Cruz Roja Auditada",
            "country_code": "QQ",
            "slug": "audited",
            "is_active": "on",
            "allowed_domains-TOTAL_FORMS": "0",
            "allowed_domains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    society = NationalSociety.objects.get(slug="audited")
    assert [r["action"] for r in audit_records_for(society)] == ["admin_added"]

    change_url = reverse("admin:national_societies_nationalsociety_change", args=[society.pk])
    response = platform_admin_client.post(
        change_url,
        {
            "kind": society.kind,
            "name": "Audited Red Cross Society",
            "local_name": society.local_name,
            "country_code": society.country_code,
            "slug": society.slug,
            "is_active": "on",
            "allowed_domains-TOTAL_FORMS": "0",
            "allowed_domains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert [r["action"] for r in audit_records_for(society)] == ["admin_added", "admin_changed"]

    delete_url = reverse("admin:national_societies_nationalsociety_delete", args=[society.pk])
    response = platform_admin_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not NationalSociety.objects.filter(pk=society.pk).exists()
    records = audit_records_for(society)
    assert [r["action"] for r in records] == ["admin_added", "admin_changed", "admin_deleted"]
    assert all(r["actor_id"] == platform_admin.pk for r in records)


def test_adding_a_user_in_the_admin_is_recorded(platform_admin_client):
    response = platform_admin_client.post(
        reverse("admin:national_societies_user_add"),
        {
            "email": "added@colombia.example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "membership-TOTAL_FORMS": "0",
            "membership-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    added = User.objects.get(email="added@colombia.example.org")
    assert [r["action"] for r in audit_records_for(added)] == ["admin_added"]


@pytest.mark.db_independent
@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1800, "30 minutes"), (43200, "12 hours"), (3600, "1 hour"), (5400, "90 minutes"), (60, "1 minute"), (20, "1 minute")],
)
def test_timeout_durations_read_naturally(seconds, text):
    from national_societies.middleware import duration_text

    assert duration_text(seconds) == text
