"""`create_demo_accounts`: seven accounts, each in its organisation with its role, safe to run again."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from console import permissions as console_permissions
from national_societies import permissions
from national_societies.demo import DEMO_PASSWORD
from national_societies.models import AllowedDomain, Membership, User

EXPECTED = {
    # email: organisation slug, role, is_staff and is_superuser
    "member@colombia.example.org": ("colombia", Membership.Role.MEMBER, False),
    "admin@colombia.example.org": ("colombia", Membership.Role.SOCIETY_ADMIN, False),
    "member@mexico.example.org": ("mexico", Membership.Role.MEMBER, False),
    "admin@mexico.example.org": ("mexico", Membership.Role.SOCIETY_ADMIN, False),
    "focal@ifrc.example.org": ("ifrc-americas", Membership.Role.FOCAL_POINT, False),
    "focal@icrc.example.org": ("icrc-americas", Membership.Role.FOCAL_POINT, False),
    "platform@ifrc.example.org": ("ifrc-americas", Membership.Role.PLATFORM_ADMIN, True),
}


def run_command():
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    return out.getvalue()


def accounts():
    return {
        user.email: (user.membership.national_society.slug, user.membership.role, user.is_staff)
        for user in User.objects.select_related("membership__national_society")
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_running_twice_gives_the_seven_accounts_with_their_organisations_and_roles(db, debug):
    first = run_command()
    second = run_command()

    assert first.count("created") == 7
    assert second.count("reset") == 7 and "created" not in second
    assert User.objects.count() == Membership.objects.count() == 7
    assert accounts() == EXPECTED
    assert DEMO_PASSWORD == "keymessages-demo"
    for user in User.objects.all():
        assert user.check_password("keymessages-demo")
        assert user.is_active
        assert user.is_superuser == user.is_staff


def test_the_organisations_are_the_shipped_ones(db, debug):
    run_command()
    names = {user.email: user.membership.national_society.name for user in User.objects.all()}
    assert names["admin@colombia.example.org"] == "Colombian Red Cross"
    assert names["member@mexico.example.org"] == "Mexican Red Cross"
    assert names["focal@ifrc.example.org"] == "IFRC Americas Regional Office"
    assert names["focal@icrc.example.org"] == "ICRC delegations in the Americas"
    assert names["platform@ifrc.example.org"] == "IFRC Americas Regional Office"


def test_demo_domains_go_to_colombia_and_mexico_only(db, debug):
    run_command()
    run_command()
    assert sorted(AllowedDomain.objects.values_list("domain", "national_society__slug")) == [
        ("colombia.example.org", "colombia"),
        ("icrc.org", "icrc-americas"),
        ("ifrc.org", "ifrc-americas"),
        ("mexico.example.org", "mexico"),
    ]


def test_a_second_run_puts_changed_accounts_back_in_their_documented_state(db, debug):
    run_command()
    admin = User.objects.get(email="admin@colombia.example.org")
    admin.set_password("something-else-entirely")
    admin.is_active = False
    admin.save()
    Membership.objects.filter(user=admin).update(role=Membership.Role.MEMBER)

    run_command()

    admin.refresh_from_db()
    assert admin.is_active and admin.check_password(DEMO_PASSWORD)
    assert permissions.is_society_admin(admin)


def test_demo_roles_answer_the_permission_functions(db, debug):
    run_command()
    users = {user.email: user for user in User.objects.all()}
    colombia = users["admin@colombia.example.org"].membership.national_society
    mexico = users["admin@mexico.example.org"].membership.national_society
    assert permissions.can_manage_members_of(users["admin@colombia.example.org"], colombia)
    assert not permissions.can_manage_members_of(users["admin@colombia.example.org"], mexico)
    assert not permissions.is_privileged(users["member@mexico.example.org"])
    assert console_permissions.can_review_access_log_of(users["focal@icrc.example.org"], mexico)
    assert permissions.is_platform_admin(users["platform@ifrc.example.org"])


def test_refused_with_debug_off_unless_asked_for_demo(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_accounts", stdout=StringIO())
    assert not User.objects.exists()

    call_command("create_demo_accounts", demo=True, stdout=StringIO())
    assert User.objects.count() == 7
