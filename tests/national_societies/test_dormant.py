"""Dormant accounts: `manage.py suspend_dormant_accounts` and what the society admin page shows.

An account's last use is its last sign-in, or its creation if it never signed in. Accounts unused for
DORMANT_ACCOUNT_DAYS (180) days are dormant and the nightly command deactivates them; "dormant soon"
means unused for 150 to 180 days (DORMANT_WARNING_DAYS, 30, before).
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_records_for
from national_societies import selectors
from national_societies.models import Membership, NationalSociety, User
from tests.accounts import add_totp, sign_in
from tests.factories import MembershipFactory, UserFactory

Role = Membership.Role


# Account administration as recorded; other kinds of events about the user (sign-ins…) are ignored.
ACCOUNT_ACTIONS = {"role_changed", "deactivated", "reactivated"}


def recorded(user):
    """What was recorded about administering `user`'s account, oldest first."""
    return [record for record in audit_records_for(user) if record["action"] in ACCOUNT_ACTIONS]


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def person(society, email, role=Role.MEMBER, **user_fields):
    user = UserFactory(email=email, **user_fields)
    MembershipFactory(user=user, national_society=society, role=role)
    if role != Role.MEMBER:
        add_totp(user)
    return user


def suspend(*args):
    """Run the command; returns its output."""
    out = StringIO()
    call_command("suspend_dormant_accounts", *args, stdout=out)
    return out.getvalue()


def active_emails():
    return set(User.objects.filter(is_active=True).values_list("email", flat=True))


def session_keys_of(user):
    return {s.session_key for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)}


@pytest.fixture
def accounts(colombia, mexico):
    """One account of each kind, by how long ago it was last used."""
    return {
        "recent": person(colombia, "recent@colombia.example.org", last_login=days_ago(10)),
        "six_weeks": person(colombia, "six-weeks@colombia.example.org", last_login=days_ago(45)),
        "almost": person(colombia, "almost@colombia.example.org", last_login=days_ago(179)),
        "just_over": person(colombia, "just-over@colombia.example.org", last_login=days_ago(181)),
        "ancient": person(mexico, "ancient@mexico.example.org", last_login=days_ago(400)),
        "never_new": person(colombia, "never-new@colombia.example.org", last_login=None, date_joined=days_ago(20)),
        "never_old": person(mexico, "never-old@mexico.example.org", last_login=None, date_joined=days_ago(200)),
        # Joined long ago but signed in lately: the last sign-in counts, not the creation.
        "old_hand": person(colombia, "old-hand@colombia.example.org", last_login=days_ago(5), date_joined=days_ago(900)),
        "inactive": person(colombia, "inactive@colombia.example.org", last_login=days_ago(400), is_active=False),
        # The only admin of Mexico: suspended too, an unused admin account is the riskiest kind.
        "idle_admin": person(mexico, "idle-admin@mexico.example.org", Role.SOCIETY_ADMIN, last_login=days_ago(300)),
        "no_membership": UserFactory(email="loose@example.org", last_login=days_ago(250)),
    }


DORMANT_AT_180 = {"just_over", "ancient", "never_old", "idle_admin", "no_membership"}


def emails(accounts, keys):
    return {accounts[key].email for key in keys}


# --- The command --------------------------------------------------------------------------------


def test_suspends_exactly_the_accounts_unused_for_180_days(accounts):
    suspend()
    dormant = emails(accounts, DORMANT_AT_180)
    still_active = emails(accounts, set(accounts) - DORMANT_AT_180 - {"inactive"})
    assert active_emails() == still_active
    assert not (active_emails() & dormant)


def test_output_names_each_suspended_account_and_no_other(accounts):
    output = suspend()
    named = set(re.findall(r"^Deactivated (\S+@\S+) \(last used \d{4}-\d{2}-\d{2}\)$", output, flags=re.M))
    assert named == emails(accounts, DORMANT_AT_180)
    assert f"last used {accounts['never_old'].date_joined:%Y-%m-%d}" in output
    assert output.rstrip().endswith("Deactivated 5 account(s) unused for 180 days.")
    for key in set(accounts) - DORMANT_AT_180:
        assert accounts[key].email not in output


def test_each_suspension_is_recorded_as_done_by_the_system(accounts):
    suspend()
    for key in DORMANT_AT_180:
        user = accounts[key]
        records = recorded(user)
        assert len(records) == 1, key
        record = records[0]
        assert (record["action"], record["by_system"], record["reason"]) == (
            "deactivated",
            True,
            "dormant: not used for 180 days",
        )
        assert record["actor_id"] in (None, user.pk)  # no person did it (or, filed under the account itself)
    for key in set(accounts) - DORMANT_AT_180:
        assert recorded(accounts[key]) == [], key


def test_already_inactive_accounts_are_left_alone(accounts):
    output = suspend()
    inactive = accounts["inactive"]
    inactive.refresh_from_db()
    assert not inactive.is_active
    assert inactive.email not in output
    assert recorded(inactive) == []


def test_days_option_sets_the_threshold(accounts):
    output = suspend("--days", "30")
    expected = DORMANT_AT_180 | {"six_weeks", "almost"}
    assert active_emails() == emails(accounts, {"recent", "never_new", "old_hand"})
    assert output.rstrip().endswith(f"Deactivated {len(expected)} account(s) unused for 30 days.")
    assert recorded(accounts["six_weeks"])[-1]["reason"] == "dormant: not used for 30 days"


def test_the_default_follows_the_dormant_account_days_setting(accounts, settings):
    settings.DORMANT_ACCOUNT_DAYS = 100
    output = suspend()
    assert "unused for 100 days" in output
    assert not User.objects.get(pk=accounts["almost"].pk).is_active
    assert User.objects.get(pk=accounts["six_weeks"].pk).is_active


def test_dry_run_lists_the_accounts_and_changes_nothing(accounts):
    before = active_emails()
    browser = sign_in(Client(), accounts["ancient"])
    browser.get(reverse("national_societies:my_account"))
    User.objects.filter(pk=accounts["ancient"].pk).update(last_login=days_ago(400))
    keys = session_keys_of(accounts["ancient"])

    output = suspend("--dry-run")

    named = set(re.findall(r"^Would deactivate (\S+@\S+) ", output, flags=re.M))
    assert named == emails(accounts, DORMANT_AT_180)
    assert "Would deactivate 5 account(s) unused for 180 days." in output
    assert active_emails() == before
    assert all(recorded(user) == [] for user in accounts.values())
    assert session_keys_of(accounts["ancient"]) == keys != set()


def test_dry_run_with_days(accounts):
    output = suspend("--dry-run", "--days", "30")
    assert accounts["six_weeks"].email in output
    assert accounts["recent"].email not in output
    assert User.objects.get(pk=accounts["six_weeks"].pk).is_active


@pytest.mark.parametrize("days", ["0", "-1", "-180"])
def test_days_below_one_is_refused(accounts, days):
    before = active_emails()
    with pytest.raises(CommandError, match="--days must be at least 1"):
        suspend("--days", days)
    assert active_emails() == before


def test_a_second_run_finds_nothing_more_and_records_nothing_twice(accounts):
    suspend()
    output = suspend()
    assert output.strip() == "Deactivated 0 account(s) unused for 180 days."
    assert all(len(recorded(accounts[key])) == 1 for key in DORMANT_AT_180)


def test_sessions_of_suspended_accounts_end_at_once(colombia):
    dormant = person(colombia, "sleeper@colombia.example.org")
    awake = person(colombia, "awake@colombia.example.org")
    dormant_browser = sign_in(Client(), dormant)
    awake_browser = sign_in(Client(), awake)
    for browser in (dormant_browser, awake_browser):
        assert browser.get(reverse("national_societies:my_account")).status_code == 200  # tracked session
    # A session still open but not used for months (the account's last sign-in was long ago).
    User.objects.filter(pk=dormant.pk).update(last_login=days_ago(200))
    dormant_keys = session_keys_of(dormant)
    assert dormant_keys and UserSession.objects.filter(user=dormant).exists()
    awake_keys = session_keys_of(awake)

    suspend()

    assert not Session.objects.filter(session_key__in=dormant_keys).exists()
    assert not UserSession.objects.filter(user=dormant).exists()
    response = dormant_browser.get(reverse("national_societies:my_account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert response.wsgi_request.user.is_anonymous
    # Someone who uses their account keeps their session.
    assert session_keys_of(awake) == awake_keys
    assert awake_browser.get(reverse("national_societies:my_account")).status_code == 200


def test_an_account_used_while_the_command_runs_is_not_suspended(accounts, monkeypatch):
    """The list is read first and each account deactivated after: one who signs in in between stays."""
    original = selectors.dormant_users
    signed_in = accounts["ancient"]
    first_read = []

    def list_then_sign_in(*, cutoff):
        queryset = original(cutoff=cutoff)
        if not first_read:
            first_read.append(list(queryset))
            User.objects.filter(pk=signed_in.pk).update(last_login=timezone.now())
            return first_read[0]
        return queryset

    monkeypatch.setattr(selectors, "dormant_users", list_then_sign_in)
    output = suspend()

    assert signed_in.email in {user.email for user in first_read[0]}
    assert User.objects.get(pk=signed_in.pk).is_active
    assert recorded(signed_in) == []
    assert signed_in.email not in output
    assert not User.objects.get(pk=accounts["just_over"].pk).is_active
    assert "Deactivated 4 account(s)" in output


def test_a_reactivated_account_is_not_suspended_again_the_next_night(colombia, accounts):
    ifrc = NationalSociety.objects.get(slug="ifrc-americas")
    platform_admin = person(ifrc, "platform@ifrc.example.org", Role.PLATFORM_ADMIN)
    suspend()
    sleeper = accounts["just_over"]
    client = sign_in(Client(), platform_admin)
    client.post(reverse("national_societies:member_reactivate", args=[colombia.slug, sleeper.pk]))
    sleeper.refresh_from_db()
    assert sleeper.is_active

    output = suspend()

    sleeper.refresh_from_db()
    assert sleeper.is_active
    assert sleeper.email not in output
    assert [r["action"] for r in recorded(sleeper)] == ["deactivated", "reactivated"]


# --- What the society admin sees ----------------------------------------------------------------


@pytest.fixture
def colombia_by_age(colombia):
    """Colombian members on both sides of each boundary (the admin, signed in now, is active too)."""
    return {
        "recent": person(colombia, "recent@colombia.example.org", last_login=days_ago(10)),
        "149": person(colombia, "d149@colombia.example.org", last_login=days_ago(149)),
        "151": person(colombia, "d151@colombia.example.org", last_login=days_ago(151)),
        "179": person(colombia, "d179@colombia.example.org", last_login=days_ago(179)),
        "181": person(colombia, "d181@colombia.example.org", last_login=days_ago(181)),
        "never_160": person(colombia, "never160@colombia.example.org", last_login=None, date_joined=days_ago(160)),
        "never_300": person(colombia, "never300@colombia.example.org", last_login=None, date_joined=days_ago(300)),
        "inactive_400": person(colombia, "inactive@colombia.example.org", last_login=days_ago(400), is_active=False),
    }


def listed(response):
    return {membership.user.email for membership in response.context["page_obj"].object_list}


def members_url(colombia):
    return reverse("national_societies:members", args=[colombia.slug])


def test_admin_page_lists_dormant_soon_from_150_to_180_days(admin_a_client, colombia, colombia_by_age):
    response = admin_a_client.get(members_url(colombia), {"status": "dormant_soon"})
    assert listed(response) == emails(colombia_by_age, {"151", "179", "never_160"})


def test_admin_page_lists_dormant_after_180_days(admin_a_client, colombia, colombia_by_age):
    response = admin_a_client.get(members_url(colombia), {"status": "dormant"})
    # A deactivated account is not "dormant": it is already closed.
    assert listed(response) == emails(colombia_by_age, {"181", "never_300"})


def test_admin_page_counts_dormant_and_dormant_soon(admin_a_client, colombia, colombia_by_age, mexico):
    person(mexico, "mx-dormant@mexico.example.org", last_login=days_ago(300))
    response = admin_a_client.get(members_url(colombia))
    counts = response.context["counts"]
    assert (counts.dormant_soon, counts.dormant, counts.deactivated, counts.active) == (3, 2, 1, 8)
    page = response.content.decode()
    assert re.search(r'>Dormant soon <span class="count">3</span>', page)
    assert re.search(r'>Dormant <span class="count">2</span>', page)


def test_admin_page_explains_dormancy_on_the_dormant_tabs(admin_a_client, colombia, colombia_by_age):
    text = "Accounts not used for 180 days are deactivated automatically every night"
    assert text in admin_a_client.get(members_url(colombia), {"status": "dormant"}).content.decode()
    assert text in admin_a_client.get(members_url(colombia), {"status": "dormant_soon"}).content.decode()
    assert text not in admin_a_client.get(members_url(colombia)).content.decode()


def test_member_page_shows_a_dormant_soon_badge(admin_a_client, colombia, colombia_by_age):
    url = reverse("national_societies:member", args=[colombia.slug, colombia_by_age["151"].pk])
    assert 'badge-warn">Dormant soon</span>' in admin_a_client.get(url).content.decode()
    url = reverse("national_societies:member", args=[colombia.slug, colombia_by_age["181"].pk])
    assert 'badge-warn">Dormant</span>' in admin_a_client.get(url).content.decode()


def test_after_the_command_the_dormant_show_as_deactivated(admin_a_client, colombia, colombia_by_age):
    suspend()
    response = admin_a_client.get(members_url(colombia), {"status": "deactivated"})
    assert listed(response) == emails(colombia_by_age, {"181", "never_300", "inactive_400"})
    counts = response.context["counts"]
    assert (counts.dormant, counts.dormant_soon, counts.deactivated) == (0, 3, 3)
    assert listed(admin_a_client.get(members_url(colombia), {"status": "dormant"})) == set()
