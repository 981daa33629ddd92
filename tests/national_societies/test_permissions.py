"""Each permission function for each kind of person, including those who must not get through."""

import pytest
from django.contrib.auth.models import AnonymousUser

from console import permissions as console_permissions
from national_societies import permissions
from national_societies.models import Membership, NationalSociety
from tests.factories import MembershipFactory, NationalSocietyFactory, UserFactory

Role = Membership.Role


@pytest.fixture
def societies(db):
    return {
        "A": NationalSocietyFactory(name="Society A"),
        "B": NationalSocietyFactory(name="Society B"),
        "closed": NationalSocietyFactory(name="Closed society", is_active=False),
        "ifrc": NationalSociety.objects.get(slug="ifrc-americas"),
        "icrc": NationalSociety.objects.get(slug="icrc-americas"),
    }


@pytest.fixture
def people(societies):
    def member(society, role, **user_fields):
        return MembershipFactory(
            user=UserFactory(**user_fields), national_society=societies[society], role=role
        ).user

    return {
        "member of A": member("A", Role.MEMBER),
        "society admin of A": member("A", Role.SOCIETY_ADMIN),
        "society admin of B": member("B", Role.SOCIETY_ADMIN),
        "focal point IFRC": member("ifrc", Role.FOCAL_POINT),
        "focal point ICRC": member("icrc", Role.FOCAL_POINT),
        "platform admin": member("ifrc", Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True),
        # The strongest role, on a deactivated account: still nothing.
        "inactive platform admin": member("ifrc", Role.PLATFORM_ADMIN, is_active=False),
        "society admin of a deactivated society": member("closed", Role.SOCIETY_ADMIN),
        "without membership": UserFactory(),
        # is_superuser opens the Django admin, not the roles of the app.
        "superuser without membership": UserFactory(is_staff=True, is_superuser=True),
        "anonymous": AnonymousUser(),
    }


NOBODY = (False, False, False, False)

# is_society_admin, is_focal_point, is_platform_admin, is_privileged
ROLE_GRID = {
    "member of A": NOBODY,
    "society admin of A": (True, False, False, True),
    "society admin of B": (True, False, False, True),
    "focal point IFRC": (False, True, False, True),
    "focal point ICRC": (False, True, False, True),
    "platform admin": (False, False, True, True),
    "inactive platform admin": NOBODY,
    "society admin of a deactivated society": NOBODY,
    "without membership": NOBODY,
    "superuser without membership": NOBODY,
    "anonymous": NOBODY,
}


@pytest.mark.parametrize("person, expected", ROLE_GRID.items(), ids=ROLE_GRID.keys())
def test_role_predicates(people, person, expected):
    user = people[person]
    assert (
        permissions.is_society_admin(user),
        permissions.is_focal_point(user),
        permissions.is_platform_admin(user),
        permissions.is_privileged(user),
    ) == expected


NO_ACCESS = {"A": False, "B": False, "closed": False}

MANAGE_MEMBERS_GRID = {
    "member of A": NO_ACCESS,
    "society admin of A": {"A": True, "B": False, "closed": False},
    "society admin of B": {"A": False, "B": True, "closed": False},
    "focal point IFRC": NO_ACCESS,
    "focal point ICRC": NO_ACCESS,
    "platform admin": {"A": True, "B": True, "closed": True},
    "inactive platform admin": NO_ACCESS,
    "society admin of a deactivated society": NO_ACCESS,
    "without membership": NO_ACCESS,
    "superuser without membership": NO_ACCESS,
    "anonymous": NO_ACCESS,
}


@pytest.mark.parametrize("person, expected", MANAGE_MEMBERS_GRID.items(), ids=MANAGE_MEMBERS_GRID.keys())
def test_can_manage_members_of(people, societies, person, expected):
    user = people[person]
    got = {key: bool(permissions.can_manage_members_of(user, societies[key])) for key in expected}
    assert got == expected


REVIEW_LOG_GRID = {
    "member of A": NO_ACCESS,
    "society admin of A": {"A": True, "B": False, "closed": False},
    "society admin of B": {"A": False, "B": True, "closed": False},
    "focal point IFRC": {"A": True, "B": True, "closed": True},
    "focal point ICRC": {"A": True, "B": True, "closed": True},
    "platform admin": {"A": True, "B": True, "closed": True},
    "inactive platform admin": NO_ACCESS,
    "society admin of a deactivated society": NO_ACCESS,
    "without membership": NO_ACCESS,
    "superuser without membership": NO_ACCESS,
    "anonymous": NO_ACCESS,
}


@pytest.mark.parametrize("person, expected", REVIEW_LOG_GRID.items(), ids=REVIEW_LOG_GRID.keys())
def test_can_review_access_log_of(people, societies, person, expected):
    user = people[person]
    got = {key: bool(console_permissions.can_review_access_log_of(user, societies[key])) for key in expected}
    assert got == expected


def test_focal_points_and_platform_admins_review_the_ifrc_and_icrc_logs_too(people, societies):
    for person in ("focal point IFRC", "focal point ICRC", "platform admin"):
        assert console_permissions.can_review_access_log_of(people[person], societies["ifrc"])
        assert console_permissions.can_review_access_log_of(people[person], societies["icrc"])
    assert not console_permissions.can_review_access_log_of(people["society admin of A"], societies["ifrc"])


def test_nobody_manages_or_reviews_a_missing_organisation(people):
    assert not permissions.can_manage_members_of(people["platform admin"], None)
    assert not console_permissions.can_review_access_log_of(people["platform admin"], None)


@pytest.mark.parametrize(
    "person, society",
    [("member of A", "A"), ("society admin of B", "B"), ("focal point ICRC", "icrc")],
)
def test_membership_of_returns_the_membership_that_counts(people, societies, person, society):
    membership = permissions.membership_of(people[person])
    assert membership.user == people[person]
    assert membership.national_society == societies[society]


@pytest.mark.parametrize(
    "person",
    [
        "inactive platform admin",
        "society admin of a deactivated society",
        "without membership",
        "superuser without membership",
        "anonymous",
    ],
)
def test_membership_of_is_none_for_who_holds_no_role(people, person):
    assert permissions.membership_of(people[person]) is None


@pytest.mark.db_independent
def test_membership_of_is_none_for_no_user():
    assert permissions.membership_of(None) is None


def test_a_role_withdrawn_counts_at_the_next_check_on_the_same_user_object(people):
    admin = people["society admin of A"]
    assert permissions.is_society_admin(admin)

    Membership.objects.filter(user=admin).update(role=Role.MEMBER)
    assert not permissions.is_society_admin(admin)
    assert not permissions.is_privileged(admin)


def test_deactivating_an_organisation_withdraws_its_roles_at_the_next_check(people, societies):
    admin = people["society admin of A"]
    assert permissions.can_manage_members_of(admin, societies["A"])

    NationalSociety.objects.filter(pk=societies["A"].pk).update(is_active=False)
    assert permissions.membership_of(admin) is None
    assert not permissions.can_manage_members_of(admin, societies["A"])
    assert not console_permissions.can_review_access_log_of(admin, societies["A"])


def test_deactivating_an_account_withdraws_its_roles_at_the_next_check(people, societies):
    platform_admin = people["platform admin"]
    platform_admin.is_active = False
    platform_admin.save(update_fields=["is_active"])
    assert not permissions.is_platform_admin(platform_admin)
    assert not permissions.can_manage_members_of(platform_admin, societies["A"])
