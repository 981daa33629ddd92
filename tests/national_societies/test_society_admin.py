"""The society admin pages: the members list, a member's page, role changes, deactivation and
reactivation, through the full middleware stack.

Colombia is society A, Mexico society B. Every privileged person gets TOTP, or every page would
send them to set it up.
"""

import re
from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_records_for
from national_societies.models import Membership, NationalSociety
from tests.accounts import acknowledge_rules, add_totp, sign_in
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

Role = Membership.Role
LOGIN_URL = reverse("account_login")


# --- Helpers ------------------------------------------------------------------------------------


# Account administration as recorded; other kinds of events about the user (sign-ins…) are ignored.
ACCOUNT_ACTIONS = {"role_changed", "deactivated", "reactivated"}


def recorded(user):
    """What was recorded about administering `user`'s account, oldest first."""
    return [record for record in audit_records_for(user) if record["action"] in ACCOUNT_ACTIONS]


def person(society, role=Role.MEMBER, **user_fields):
    """A user with a membership; privileged roles get TOTP, as the app requires of them."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, national_society=society, role=role)
    if role != Role.MEMBER:
        add_totp(user)
    return user


def days_ago(days):
    return (timezone.now() - timedelta(days=days)).replace(microsecond=0)


def refreshed(user):
    user.refresh_from_db()
    return user


def role_of(user):
    return Membership.objects.get(user=user).role


def listed(response):
    """Emails of the members on the page shown."""
    return [membership.user.email for membership in response.context["page_obj"].object_list]


def row_of(response, email):
    """The HTML of the members table row that shows `email`."""
    html = response.content.decode()
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if email in row]
    assert len(rows) == 1, f"{email} appears in {len(rows)} rows"
    return rows[0]


def cells(row):
    """The text of each cell of a table row."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def flashes(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def members_url(society):
    return reverse("national_societies:members", args=[society.slug])


def member_url(name, society, user):
    return reverse(f"national_societies:{name}", args=[society.slug, user.pk])


def session_keys_of(user):
    """Keys of the rows of the session store that sign `user` in."""
    return {
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    }


def real_login(email, password=TEST_PASSWORD):
    """A separate browser that signs in through the login form, as a person does."""
    browser = Client()
    response = browser.post(LOGIN_URL, {"login": email, "password": password})
    return browser, response


# --- The members list ---------------------------------------------------------------------------


def test_society_home_sends_a_society_admin_to_their_own_societys_members(admin_a_client, colombia):
    response = admin_a_client.get(reverse("national_societies:society_home"))
    assert response.status_code == 302
    assert response["Location"] == members_url(colombia)


def test_society_home_is_404_for_a_member(client, member):
    sign_in(client, member)
    assert client.get(reverse("national_societies:society_home")).status_code == 404


def test_members_page_lists_the_admins_own_society_only(admin_a_client, admin_a, member, member_b, colombia):
    response = admin_a_client.get(members_url(colombia))
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted([admin_a.email, member.email])
    page = response.content.decode()
    assert member.email in page
    assert member_b.email not in page
    assert "Beto" not in page


def test_members_page_shows_role_status_last_login_and_mfa(admin_a_client, admin_a, colombia):
    signed_in_at = days_ago(10)
    recent = person(colombia, email="recent@colombia.example.org", last_login=signed_in_at)
    never = person(colombia, email="never@colombia.example.org", last_login=None)
    with_mfa = person(colombia, email="mfa@colombia.example.org", last_login=signed_in_at)
    add_totp(with_mfa)

    response = admin_a_client.get(members_url(colombia))

    # Name and email, role, status, last sign-in, two-factor
    assert cells(row_of(response, admin_a.email))[1:3] + cells(row_of(response, admin_a.email))[4:] == [
        "Society admin",
        "Active",
        "On",
    ]
    recent_row = row_of(response, recent.email)
    assert cells(recent_row)[1:] == ["Member", "Active", signed_in_at.strftime("%b. %-d, %Y"), "Off"]
    assert f'<time datetime="{signed_in_at.isoformat()}">' in recent_row
    assert cells(row_of(response, never.email))[1:] == ["Member", "Active", "Never", "Off"]
    assert cells(row_of(response, with_mfa.email))[4] == "On"


def test_members_page_shows_dormant_soon_dormant_and_deactivated_badges(admin_a_client, colombia):
    soon = person(colombia, last_login=days_ago(160))
    dormant = person(colombia, last_login=days_ago(200))
    gone = person(colombia, last_login=days_ago(5), is_active=False)

    response = admin_a_client.get(members_url(colombia), {"status": "all"})

    assert cells(row_of(response, soon.email))[2] == "Dormant soon"
    assert cells(row_of(response, dormant.email))[2] == "Dormant"
    assert cells(row_of(response, gone.email))[2] == "Deactivated"


@pytest.fixture
def mixed_society(colombia, admin_a):
    """Colombia with one member in each state (the signed-in admin is recent and active)."""
    return {
        "admin": admin_a,
        "recent": person(colombia, last_login=days_ago(3)),
        "never_signed_in_new": person(colombia, last_login=None, date_joined=days_ago(20)),
        "soon": person(colombia, last_login=days_ago(160)),
        "never_signed_in_soon": person(colombia, last_login=None, date_joined=days_ago(170)),
        "dormant": person(colombia, last_login=days_ago(200)),
        "never_signed_in_dormant": person(colombia, last_login=None, date_joined=days_ago(400)),
        "deactivated": person(colombia, last_login=days_ago(3), is_active=False),
        "deactivated_long_ago": person(colombia, last_login=days_ago(300), is_active=False),
    }


ACTIVE = {"admin", "recent", "never_signed_in_new", "soon", "never_signed_in_soon", "dormant", "never_signed_in_dormant"}
STATUS_FILTERS = {
    "active": ACTIVE,
    "dormant_soon": {"soon", "never_signed_in_soon"},
    "dormant": {"dormant", "never_signed_in_dormant"},
    "deactivated": {"deactivated", "deactivated_long_ago"},
    "all": ACTIVE | {"deactivated", "deactivated_long_ago"},
}


@pytest.mark.parametrize("status, expected", STATUS_FILTERS.items(), ids=STATUS_FILTERS.keys())
def test_status_filter_lists_exactly_the_members_in_that_state(admin_a_client, colombia, mixed_society, status, expected):
    response = admin_a_client.get(members_url(colombia), {"status": status})
    assert response.status_code == 200
    assert response.context["status"] == status
    assert sorted(listed(response)) == sorted(mixed_society[key].email for key in expected)


def test_an_unknown_status_falls_back_to_active(admin_a_client, colombia, mixed_society):
    response = admin_a_client.get(members_url(colombia), {"status": "everyone'); drop table"})
    assert response.status_code == 200
    assert response.context["status"] == "active"
    assert sorted(listed(response)) == sorted(mixed_society[key].email for key in ACTIVE)


def test_the_filter_tabs_show_counts_of_each_state(admin_a_client, colombia, mixed_society, mexico):
    person(mexico, last_login=days_ago(200))  # another society's dormant member is not counted
    response = admin_a_client.get(members_url(colombia))
    counts = response.context["counts"]
    assert (counts.active, counts.dormant_soon, counts.dormant, counts.deactivated) == (7, 2, 2, 2)
    page = response.content.decode()
    assert re.search(r'status=active"[^>]*>Active <span class="count">7</span>', page)
    assert re.search(r'status=dormant_soon"[^>]*>Dormant soon <span class="count">2</span>', page)
    assert re.search(r'status=dormant"[^>]*>Dormant <span class="count">2</span>', page)
    assert re.search(r'status=deactivated"[^>]*>Deactivated <span class="count">2</span>', page)


@pytest.fixture
def named_members(colombia, mexico):
    return {
        "ana": person(colombia, first_name="Ana", last_name="Gómez", email="ana.gomez@colombia.example.org"),
        "luis": person(colombia, first_name="Luis", last_name="Pérez", email="lperez@colombia.example.org"),
        "gone": person(colombia, first_name="Ana", last_name="Retirada", email="retired@colombia.example.org", is_active=False),
        "other": person(mexico, first_name="Ana", last_name="Mexicana", email="ana@mexico.example.org"),
    }


SEARCHES = {
    "first name": ("ana", ["ana"]),
    "first name, in capitals": ("LUIS", ["luis"]),
    "last name": ("pérez", ["luis"]),
    "full name": ("Ana Gómez", ["ana"]),
    "part of the email": ("lperez@", ["luis"]),
    "email domain of another society": ("mexico.example.org", []),
}


@pytest.mark.parametrize("query, expected", SEARCHES.values(), ids=SEARCHES.keys())
def test_search_by_name_or_email_within_the_society(admin_a_client, colombia, named_members, query, expected):
    response = admin_a_client.get(members_url(colombia), {"q": query})
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(named_members[key].email for key in expected)


def test_search_keeps_the_status_filter(admin_a_client, colombia, named_members):
    response = admin_a_client.get(members_url(colombia), {"q": "ana", "status": "all"})
    assert sorted(listed(response)) == sorted([named_members["ana"].email, named_members["gone"].email])
    response = admin_a_client.get(members_url(colombia), {"q": "ana", "status": "deactivated"})
    assert listed(response) == [named_members["gone"].email]
    assert 'name="status" value="deactivated"' in response.content.decode()


def test_search_with_a_nul_character_is_a_plain_search(admin_a_client, colombia, named_members):
    # PostgreSQL refuses NUL in a query parameter: it must never reach the database.
    response = admin_a_client.get(members_url(colombia), {"q": "luis\x00"})
    assert response.status_code == 200
    assert response.context["query"] == "luis"
    assert listed(response) == [named_members["luis"].email]


def test_empty_state_when_no_member_matches_the_search(admin_a_client, colombia, named_members):
    response = admin_a_client.get(members_url(colombia), {"q": "nobody-like-this"})
    page = response.content.decode()
    assert listed(response) == []
    assert "No member matches “nobody-like-this”." in page
    assert '<table class="data-table">\n  <caption class="visually-hidden">Members' not in page


def test_empty_state_when_a_filter_has_nobody(admin_a_client, colombia):
    response = admin_a_client.get(members_url(colombia), {"status": "deactivated"})
    assert listed(response) == []
    assert "No member in this list." in response.content.decode()


def test_empty_state_when_there_is_no_open_invitation(admin_a_client, colombia):
    assert "No open invitation." in admin_a_client.get(members_url(colombia)).content.decode()


@pytest.fixture
def crowded_society(colombia, admin_a):
    """Colombia with 56 active members: the admin and 55 others (two pages of 50)."""
    for user in UserFactory.create_batch(55):
        MembershipFactory(user=user, national_society=colombia)
    return Membership.objects.filter(national_society=colombia)


def test_members_are_paginated_50_per_page_without_overlap(admin_a_client, colombia, crowded_society):
    first = admin_a_client.get(members_url(colombia))
    second = admin_a_client.get(members_url(colombia), {"page": 2})
    assert second.status_code == 200
    first_page, second_page = listed(first), listed(second)
    assert len(first_page) == 50
    assert len(second_page) == 6
    assert set(first_page).isdisjoint(second_page)
    assert set(first_page) | set(second_page) == {m.user.email for m in crowded_society}
    assert "Page 1 of 2" in first.content.decode()
    assert 'rel="next" href="?page=2"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def test_pagination_keeps_the_filter_and_search_in_its_links(admin_a_client, colombia, crowded_society):
    response = admin_a_client.get(members_url(colombia), {"status": "all", "q": "example.org"})
    assert len(listed(response)) == 50
    assert 'rel="next" href="?status=all&amp;q=example.org&amp;page=2"' in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "2.5", "", "1e3", "99999999999999999999999"])
def test_a_bad_page_number_shows_a_page_instead_of_an_error(admin_a_client, colombia, crowded_society, page):
    response = admin_a_client.get(members_url(colombia), {"page": page})
    assert response.status_code == 200
    assert len(listed(response)) in (50, 6)  # the first or the last page


def test_a_platform_admin_opens_any_societys_members(platform_admin_client, member, member_b, colombia, mexico):
    colombian = platform_admin_client.get(members_url(colombia))
    mexican = platform_admin_client.get(members_url(mexico))
    assert colombian.status_code == mexican.status_code == 200
    assert listed(colombian) == [member.email]
    assert listed(mexican) == [member_b.email]


def test_an_unknown_society_is_404(admin_a_client, platform_admin_client):
    for client in (admin_a_client, platform_admin_client):
        assert client.get(reverse("national_societies:members", args=["atlantis"])).status_code == 404


def _members_page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("status", ["active", "all"])
def test_the_members_page_runs_the_same_number_of_queries_for_more_members(
    admin_a_client, colombia, django_assert_num_queries, status
):
    def add_members(count):
        for index in range(count):
            user = person(
                colombia,
                Role.SOCIETY_ADMIN if index % 3 == 0 else Role.MEMBER,  # society admins get TOTP
                last_login=days_ago(index * 10) if index % 2 else None,
                is_active=index % 5 != 4,
            )
            if index % 3 and index % 4 == 1:
                add_totp(user)

    url = members_url(colombia) + f"?status={status}"
    add_members(5)
    admin_a_client.get(url)  # warm-up: the session's first request tracks the session
    expected = _members_page_queries(admin_a_client, url)
    add_members(20)
    with django_assert_num_queries(expected):
        response = admin_a_client.get(url)
    assert len(listed(response)) > 20


# --- Who may not reach society A's pages --------------------------------------------------------


@pytest.fixture
def outsiders(colombia, mexico, ifrc, icrc):
    return {
        "society admin of B": person(mexico, Role.SOCIETY_ADMIN),
        "member of A": person(colombia, Role.MEMBER),
        "member of B": person(mexico, Role.MEMBER),
        "IFRC focal point": person(ifrc, Role.FOCAL_POINT),
        "ICRC focal point": person(icrc, Role.FOCAL_POINT),
    }


def _every_page_of(society, target):
    """(method, url, data) of every society admin page about `target` in `society`."""
    return [
        ("GET", members_url(society), {}),
        ("GET", member_url("member", society, target), {}),
        ("POST", member_url("member_role", society, target), {"role": Role.SOCIETY_ADMIN}),
        ("GET", member_url("member_deactivate", society, target), {}),
        ("POST", member_url("member_deactivate", society, target), {"reason": "not allowed"}),
        ("GET", member_url("member_reactivate", society, target), {}),
        ("POST", member_url("member_reactivate", society, target), {}),
    ]


def _answers(client, pages):
    return {(method, url): (client.get(url) if method == "GET" else client.post(url, data)).status_code for method, url, data in pages}


@pytest.mark.parametrize(
    "outsider", ["society admin of B", "member of A", "member of B", "IFRC focal point", "ICRC focal point"]
)
def test_society_a_pages_are_404_for_anyone_who_does_not_manage_it(outsiders, outsider, colombia, admin_a, member):
    deactivated = person(colombia, is_active=False)
    client = sign_in(Client(), outsiders[outsider])
    pages = _every_page_of(colombia, member) + _every_page_of(colombia, deactivated)
    answers = _answers(client, pages)
    assert set(answers.values()) == {404}, answers
    # Nothing changed behind the 404s.
    assert role_of(member) == Role.MEMBER and refreshed(member).is_active
    assert not refreshed(deactivated).is_active
    assert recorded(member) == [] and recorded(deactivated) == []


@pytest.mark.parametrize("manager", ["society admin of A", "platform admin"])
def test_a_member_of_b_through_society_as_url_is_404(manager, admin_a_client, platform_admin_client, colombia, member_b):
    client = admin_a_client if manager == "society admin of A" else platform_admin_client
    deactivated_b = person(NationalSociety.objects.get(slug="mexico"), is_active=False)
    pages = _every_page_of(colombia, member_b)[1:] + _every_page_of(colombia, deactivated_b)[1:]  # all but the list
    answers = _answers(client, pages)
    assert set(answers.values()) == {404}, answers
    assert role_of(member_b) == Role.MEMBER and refreshed(member_b).is_active
    assert not refreshed(deactivated_b).is_active
    assert recorded(member_b) == [] and recorded(deactivated_b) == []


def test_an_unknown_member_id_is_404(admin_a_client, colombia):
    missing = reverse("national_societies:member", args=[colombia.slug, 999999])
    assert admin_a_client.get(missing).status_code == 404


# --- A member's page and role changes -----------------------------------------------------------


def test_member_page_shows_the_member_and_offers_the_roles_a_society_admin_may_give(admin_a_client, colombia, member):
    response = admin_a_client.get(member_url("member", colombia, member))
    assert response.status_code == 200
    page = response.content.decode()
    assert member.email in page
    assert member_url("member_deactivate", colombia, member) in page
    assert [value for value, _label in response.context["role_form"].fields["role"].choices] == [
        Role.MEMBER,
        Role.SOCIETY_ADMIN,
    ]
    assert 'value="focal_point"' not in page and 'value="platform_admin"' not in page


def test_a_platform_admin_is_offered_every_role(platform_admin_client, colombia, member):
    response = platform_admin_client.get(member_url("member", colombia, member))
    assert [value for value, _label in response.context["role_form"].fields["role"].choices] == list(Role.values)


def test_own_member_page_offers_no_role_change_or_deactivation(admin_a_client, colombia, admin_a):
    response = admin_a_client.get(member_url("member", colombia, admin_a))
    page = response.content.decode()
    assert response.context["is_self"] is True
    assert "This is your own account" in page
    assert member_url("member_deactivate", colombia, admin_a) not in page
    assert member_url("member_role", colombia, admin_a) not in page


def test_a_society_admin_promotes_a_member_and_demotes_them_again(admin_a_client, admin_a, colombia, member):
    url = member_url("member_role", colombia, member)

    response = admin_a_client.post(url, {"role": Role.SOCIETY_ADMIN})
    assert response.status_code == 302
    assert response["Location"] == member_url("member", colombia, member)
    assert role_of(member) == Role.SOCIETY_ADMIN
    assert flashes(response) == [f"Role of {member.email} saved."]

    admin_a_client.post(url, {"role": Role.MEMBER})
    assert role_of(member) == Role.MEMBER

    records = recorded(member)
    assert [(r["action"], r["details"]["from"], r["details"]["to"], r["actor_id"]) for r in records] == [
        ("role_changed", "member", "society_admin", admin_a.pk),
        ("role_changed", "society_admin", "member", admin_a.pk),
    ]


def test_the_role_change_shows_in_the_members_history(admin_a_client, admin_a, colombia, member):
    page = admin_a_client.get(member_url("member", colombia, member)).content.decode()
    assert "Nothing recorded yet." in page
    admin_a_client.post(member_url("member_role", colombia, member), {"role": Role.SOCIETY_ADMIN})
    page = admin_a_client.get(member_url("member", colombia, member)).content.decode()
    history = page[page.index('id="history-title"') :]
    assert "(member → society admin)" in history
    assert "Nothing recorded yet." not in history


def test_saving_the_same_role_changes_and_records_nothing(admin_a_client, colombia, member):
    admin_a_client.post(member_url("member_role", colombia, member), {"role": Role.MEMBER})
    assert role_of(member) == Role.MEMBER
    assert recorded(member) == []


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.PLATFORM_ADMIN, "superuser", ""])
def test_a_society_admin_cannot_give_a_role_above_society_admin(admin_a_client, colombia, member, role):
    response = admin_a_client.post(member_url("member_role", colombia, member), {"role": role})
    assert response.status_code == 302
    assert role_of(member) == Role.MEMBER
    assert flashes(response) == ["Choose one of the roles offered."]
    assert recorded(member) == []


@pytest.mark.parametrize("their_role", [Role.FOCAL_POINT, Role.PLATFORM_ADMIN])
@pytest.mark.parametrize("new_role", [Role.MEMBER, Role.SOCIETY_ADMIN])
def test_a_society_admin_cannot_change_the_role_of_a_focal_point_or_platform_admin(
    admin_a_client, colombia, their_role, new_role
):
    # The database allows these roles in a National Society; a society admin still may not touch them.
    higher = person(colombia, their_role)
    response = admin_a_client.post(member_url("member_role", colombia, higher), {"role": new_role})
    assert role_of(higher) == their_role
    assert flashes(response) == ["Only a platform admin changes the role or access of this account."]
    assert recorded(higher) == []


def test_a_platform_admin_changes_roles_in_any_society(platform_admin_client, platform_admin, mexico, member_b):
    person(mexico, Role.SOCIETY_ADMIN)
    platform_admin_client.post(member_url("member_role", mexico, member_b), {"role": Role.SOCIETY_ADMIN})
    assert role_of(member_b) == Role.SOCIETY_ADMIN
    assert recorded(member_b)[-1]["actor_id"] == platform_admin.pk


def test_not_even_a_platform_admin_makes_a_focal_point_in_a_national_society(platform_admin_client, colombia, member):
    response = platform_admin_client.post(member_url("member_role", colombia, member), {"role": Role.FOCAL_POINT})
    assert role_of(member) == Role.MEMBER
    assert flashes(response) == ["Focal points belong to the IFRC or the ICRC, not to a National Society."]


def test_the_last_active_society_admin_cannot_be_demoted_by_a_platform_admin(platform_admin_client, admin_a, colombia):
    response = platform_admin_client.post(member_url("member_role", colombia, admin_a), {"role": Role.MEMBER})
    assert role_of(admin_a) == Role.SOCIETY_ADMIN
    assert flashes(response) == ["Colombian Red Cross needs at least one active society admin."]
    assert recorded(admin_a) == []


def test_the_last_active_society_admin_cannot_demote_themselves(admin_a_client, admin_a, colombia):
    response = admin_a_client.post(member_url("member_role", colombia, admin_a), {"role": Role.MEMBER})
    assert role_of(admin_a) == Role.SOCIETY_ADMIN
    assert flashes(response) == ["This is your own account: another admin changes your role or deactivates it."]


def test_nobody_changes_their_own_role_by_post_even_with_another_admin(admin_a_client, admin_a, colombia):
    """The page offers no role form for one's own account; the service refuses a forged POST too."""
    person(colombia, Role.SOCIETY_ADMIN)  # so that "last admin" is not the reason
    response = admin_a_client.post(member_url("member_role", colombia, admin_a), {"role": Role.MEMBER})
    assert role_of(admin_a) == Role.SOCIETY_ADMIN
    assert flashes(response) == ["This is your own account: another admin changes your role or deactivates it."]
    assert recorded(admin_a) == []


def test_a_deactivated_admin_does_not_count_as_the_other_admin(platform_admin_client, admin_a, colombia):
    person(colombia, Role.SOCIETY_ADMIN, is_active=False)
    platform_admin_client.post(member_url("member_role", colombia, admin_a), {"role": Role.MEMBER})
    assert role_of(admin_a) == Role.SOCIETY_ADMIN


def test_an_admin_can_be_demoted_while_another_active_admin_remains(admin_a_client, admin_a, colombia):
    second = person(colombia, Role.SOCIETY_ADMIN)
    admin_a_client.post(member_url("member_role", colombia, second), {"role": Role.MEMBER})
    assert role_of(second) == Role.MEMBER
    details = recorded(second)[-1]["details"]
    assert (details["from"], details["to"]) == ("society_admin", "member")


def test_the_role_url_refuses_get(admin_a_client, colombia, member):
    assert admin_a_client.get(member_url("member_role", colombia, member)).status_code == 405
    assert role_of(member) == Role.MEMBER


# --- Deactivation -------------------------------------------------------------------------------


def test_deactivate_get_asks_for_confirmation_and_changes_nothing(admin_a_client, colombia, member):
    browser, _ = real_login(member.email)
    browser.get(reverse("national_societies:my_account"))
    sessions_before = session_keys_of(member)

    response = admin_a_client.get(member_url("member_deactivate", colombia, member))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{member.email} will be signed out of every device now" in page
    assert "Deactivate now" in page and 'name="reason"' in page
    assert refreshed(member).is_active
    assert recorded(member) == []
    assert session_keys_of(member) == sessions_before != set()
    assert browser.get(reverse("national_societies:my_account")).status_code == 200


def test_deactivate_post_with_a_reason_closes_the_account_and_records_it(admin_a_client, admin_a, colombia, member):
    response = admin_a_client.post(member_url("member_deactivate", colombia, member), {"reason": "Left the society"})
    assert response.status_code == 302
    assert response["Location"] == member_url("member", colombia, member)
    assert not refreshed(member).is_active
    assert flashes(response) == [f"{member.email} can no longer sign in; their open sessions were ended."]
    record = recorded(member)[-1]
    assert (record["action"], record["reason"], record["actor_id"]) == ("deactivated", "Left the society", admin_a.pk)
    assert not record.get("by_system")


def test_deactivate_post_without_a_reason_closes_the_account(admin_a_client, colombia, member):
    # The reason is optional: a POST that carries no field at all still deactivates.
    response = admin_a_client.post(member_url("member_deactivate", colombia, member))
    assert response.status_code == 302
    assert not refreshed(member).is_active
    record = recorded(member)[-1]
    assert record["action"] == "deactivated" and not record.get("reason")


def test_deactivate_refuses_a_reason_over_500_characters(admin_a_client, colombia, member):
    response = admin_a_client.post(member_url("member_deactivate", colombia, member), {"reason": "x" * 501})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert refreshed(member).is_active


def test_deactivation_ends_the_members_sessions_at_once(admin_a_client, admin_a, colombia, member):
    acknowledge_rules(member)
    laptop, response = real_login(member.email)
    assert response.status_code == 302 and not response["Location"].startswith(LOGIN_URL)
    phone, _ = real_login(member.email)
    for browser in (laptop, phone):
        answer = browser.get(reverse("national_societies:my_account"))
        assert answer.status_code == 200 and answer.wsgi_request.user == member
    own_keys = session_keys_of(member)
    assert len(own_keys) == 2
    assert set(UserSession.objects.filter(user=member).values_list("session_key", flat=True)) == own_keys
    admin_keys = session_keys_of(admin_a)

    admin_a_client.post(member_url("member_deactivate", colombia, member), {"reason": "Lost laptop"})

    # Gone from the session store at once, not merely refused at the next request.
    assert session_keys_of(member) == set()
    assert not Session.objects.filter(session_key__in=own_keys).exists()
    assert not UserSession.objects.filter(user=member).exists()
    for browser in (laptop, phone):
        answer = browser.get(reverse("national_societies:my_account"))
        assert answer.status_code == 302 and answer["Location"].startswith(LOGIN_URL)
        assert answer.wsgi_request.user.is_anonymous
    # The admin who did it is still signed in.
    assert session_keys_of(admin_a) == admin_keys
    assert admin_a_client.get(members_url(colombia)).status_code == 200


def test_a_deactivated_member_cannot_sign_in(admin_a_client, colombia, member):
    admin_a_client.post(member_url("member_deactivate", colombia, member))
    browser, response = real_login(member.email)
    assert response.status_code == 302 and response["Location"] == reverse("account_inactive")
    assert session_keys_of(member) == set()
    assert browser.get(reverse("national_societies:my_account")).wsgi_request.user.is_anonymous


def test_deactivated_member_shows_in_the_deactivated_list_not_the_active_one(admin_a_client, colombia, member):
    admin_a_client.post(member_url("member_deactivate", colombia, member))
    assert member.email not in listed(admin_a_client.get(members_url(colombia)))
    assert listed(admin_a_client.get(members_url(colombia), {"status": "deactivated"})) == [member.email]


def test_the_last_active_society_admin_cannot_be_deactivated(platform_admin_client, admin_a, colombia):
    response = platform_admin_client.post(member_url("member_deactivate", colombia, admin_a), {"reason": "cleanup"})
    assert response.status_code == 200
    assert (
        "Alba Admin is the last active admin of Colombian Red Cross: make someone else admin first."
        in response.content.decode()
    )
    assert refreshed(admin_a).is_active
    assert recorded(admin_a) == []


def test_an_admin_can_be_deactivated_while_another_active_admin_remains(platform_admin_client, admin_a, colombia):
    person(colombia, Role.SOCIETY_ADMIN)
    platform_admin_client.post(member_url("member_deactivate", colombia, admin_a))
    assert not refreshed(admin_a).is_active


def test_a_society_admin_cannot_deactivate_themselves(admin_a_client, admin_a, colombia):
    person(colombia, Role.SOCIETY_ADMIN)  # so that "last admin" is not the reason
    response = admin_a_client.post(member_url("member_deactivate", colombia, admin_a), {"reason": "bye"})
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    assert refreshed(admin_a).is_active
    assert recorded(admin_a) == []
    assert admin_a_client.get(members_url(colombia)).status_code == 200


@pytest.mark.parametrize("their_role", [Role.FOCAL_POINT, Role.PLATFORM_ADMIN])
def test_a_society_admin_cannot_deactivate_a_focal_point_or_platform_admin(admin_a_client, colombia, their_role):
    higher = person(colombia, their_role)
    response = admin_a_client.post(member_url("member_deactivate", colombia, higher), {"reason": "nope"})
    assert response.status_code == 200
    assert "You cannot deactivate or reactivate this account." in response.content.decode()
    assert refreshed(higher).is_active
    assert recorded(higher) == []


def test_deactivating_twice_records_once(admin_a_client, colombia, member):
    url = member_url("member_deactivate", colombia, member)
    admin_a_client.post(url, {"reason": "first"})
    admin_a_client.post(url, {"reason": "second"})
    assert [(r["action"], r["reason"]) for r in recorded(member)] == [("deactivated", "first")]


# --- Reactivation -------------------------------------------------------------------------------


@pytest.fixture
def deactivated_member(colombia):
    return person(colombia, email="gone@colombia.example.org", is_active=False, last_login=days_ago(300))


def test_reactivate_get_asks_for_confirmation_and_changes_nothing(admin_a_client, colombia, deactivated_member):
    response = admin_a_client.get(member_url("member_reactivate", colombia, deactivated_member))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{deactivated_member.email} will be able to sign in again" in page
    assert ">Reactivate</button>" in page
    assert not refreshed(deactivated_member).is_active
    assert recorded(deactivated_member) == []


def test_reactivate_post_opens_the_account_records_it_and_the_member_signs_in_again(
    admin_a_client, admin_a, colombia, deactivated_member
):
    _, refused = real_login(deactivated_member.email)
    assert refused["Location"] == reverse("account_inactive")

    response = admin_a_client.post(member_url("member_reactivate", colombia, deactivated_member))

    assert response.status_code == 302
    assert response["Location"] == member_url("member", colombia, deactivated_member)
    assert flashes(response) == [f"{deactivated_member.email} can sign in again."]
    user = refreshed(deactivated_member)
    assert user.is_active
    assert user.last_login > timezone.now() - timedelta(minutes=1)  # counts as use: not dormant tonight
    record = recorded(user)[-1]
    assert (record["action"], record["actor_id"]) == ("reactivated", admin_a.pk)

    browser, login = real_login(user.email)
    assert login.status_code == 302 and login["Location"] != reverse("account_inactive")
    assert browser.get(reverse("national_societies:my_account")).wsgi_request.user == user
    assert session_keys_of(user) != set()


def test_reactivated_member_keeps_their_role(platform_admin_client, admin_a, colombia):
    second = person(colombia, Role.SOCIETY_ADMIN)
    platform_admin_client.post(member_url("member_deactivate", colombia, second))
    platform_admin_client.post(member_url("member_reactivate", colombia, second))
    assert refreshed(second).is_active and role_of(second) == Role.SOCIETY_ADMIN
    assert [r["action"] for r in recorded(second)] == ["deactivated", "reactivated"]


def test_reactivating_an_active_member_records_nothing(admin_a_client, colombia, member):
    admin_a_client.post(member_url("member_reactivate", colombia, member))
    assert refreshed(member).is_active
    assert recorded(member) == []


def test_a_deactivated_members_page_offers_reactivation(admin_a_client, colombia, deactivated_member):
    page = admin_a_client.get(member_url("member", colombia, deactivated_member)).content.decode()
    assert "This account is deactivated." in page
    assert member_url("member_reactivate", colombia, deactivated_member) in page
    assert member_url("member_deactivate", colombia, deactivated_member) not in page
