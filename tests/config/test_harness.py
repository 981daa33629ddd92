"""The test harness keeps its promises (tests/conftest.py's docstring): one name, one person; the
library in every test database; the `db_independent` marker checked both ways."""

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_django.fixtures
from allauth.mfa.models import Authenticator
from django.conf import settings

from messages_app.catalogue.models import Message
from national_societies.models import Membership
from tests.accounts import DOCUMENT_ROLES, PERSONAS

TESTS = Path(__file__).resolve().parents[1]
ROOT_CONFTEST = TESTS / "conftest.py"


def _fixtures(path):
    """(name, line) of every fixture a file defines, at any depth, under the name pytest knows it by."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if ast.unparse(target) in ("pytest.fixture", "fixture"):
                names = [k.value.value for k in (call.keywords if call else []) if k.arg == "name" and isinstance(k.value, ast.Constant)]
                found.append((names[0] if names else node.name, node.lineno))
    return found


@pytest.mark.db_independent
def test_no_test_module_or_other_conftest_redefines_a_root_conftest_fixture():
    """A fixture of tests/conftest.py (a persona, its client, an organisation, `library`…) or of
    pytest-django (`admin_client`, `client`, `db`…) means one thing everywhere: someone else gets
    another name."""
    taken = {name for name, _line in _fixtures(ROOT_CONFTEST)} | set(pytest_django.fixtures.__all__)
    assert set(PERSONAS) <= taken
    shadowing = [
        f"{path.relative_to(TESTS.parent)}:{line} defines `{name}`"
        for path in sorted(TESTS.rglob("*.py"))
        if path != ROOT_CONFTEST
        for name, line in _fixtures(path)
        if name in taken
    ]
    assert shadowing == [], "rename these fixtures (tests/conftest.py defines them once):\n" + "\n".join(shadowing)


# pytest-django's people: a superuser of no organisation, without TOTP, whom this app sends to set it up.
NOBODY_HERE = {"admin_user", "admin_client"}


@pytest.mark.db_independent
def test_no_test_asks_for_pytest_djangos_admin_user():
    """`admin_client` was once a module's signed-in society admin: a test still asking for it would get
    pytest-django's superuser instead, and fail for a reason that has nothing to do with it."""
    asking = [
        f"{path.relative_to(TESTS.parent)}:{node.lineno} `{node.name}` asks for `{arg.arg}`"
        for path in sorted(TESTS.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for arg in node.args.args
        if arg.arg in NOBODY_HERE
    ]
    assert asking == [], "use a persona's client (admin_a_client, platform_admin_client…):\n" + "\n".join(asking)


@pytest.mark.db_independent
def test_the_check_sees_every_way_of_defining_a_fixture(tmp_path):
    module = tmp_path / "test_example.py"
    module.write_text(
        textwrap.dedent(
            """
            import pytest
            from pytest import fixture

            @pytest.fixture
            def member(): ...

            @pytest.fixture(scope="module", name="admin_a")
            def _other(): ...

            @fixture
            def library(): ...

            class TestGroup:
                @pytest.fixture()
                def platform_admin(self): ...

            def helper(member): ...
            """
        )
    )
    assert [name for name, _line in _fixtures(module)] == ["member", "admin_a", "library", "platform_admin"]


@pytest.mark.db_independent
def test_the_personas_are_the_route_matrixs_roles():
    from tests.config.test_route_matrix import ROLES

    assert list(PERSONAS) == [role for role in ROLES if role != "anonymous"]


def test_each_persona_is_who_its_name_says(request, db):
    for name, (slug, role, email, _fields) in PERSONAS.items():
        user = request.getfixturevalue(name)
        membership = Membership.objects.get(user=user)
        assert (user.email, membership.national_society.slug, membership.role) == (email, slug, role), name
        assert user.is_active == (name != "deactivated"), name
        # Privileged personas have TOTP, or every page would send them to set it up.
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists() == (
            (role != Membership.Role.MEMBER and name != "privileged_no_mfa") or name in DOCUMENT_ROLES
        ), name


def test_the_old_names_are_aliases_of_the_personas(
    member, member_a, society_admin, admin_a, focal_point, ifrc_focal,
    member_client, member_a_client, society_admin_client, admin_a_client, focal_point_client, ifrc_focal_client,
):  # fmt: skip
    assert (member, society_admin, focal_point) == (member_a, admin_a, ifrc_focal)
    assert member_client is member_a_client and society_admin_client is admin_a_client
    assert focal_point_client is ifrc_focal_client
    assert member_a_client is not admin_a_client  # each persona's client is its own browser


def test_the_library_is_in_every_test_database_without_asking(db):
    assert Message.objects.count() == 65


def test_no_library_empties_it_for_this_test_only(no_library):
    assert not Message.objects.exists()


GUARD_CASES = '''
import pytest

from national_societies.models import User


@pytest.mark.db_independent
def test_pure():
    assert 1 + 1 == 2


@pytest.mark.db_independent
def test_marked_but_asks_for_the_database(db):
    pass


@pytest.mark.db_independent
def test_marked_but_asks_for_it_on_the_way(request):
    request.getfixturevalue("db")


@pytest.mark.db_independent
def test_marked_but_queries_without_asking():
    User.objects.count()


def test_unmarked_and_asks_for_nothing():
    pass
'''


@pytest.mark.db_independent
def test_the_marker_is_checked_both_ways(tmp_path):
    """In a separate pytest run over cases of each kind, with the hooks of tests/conftest.py (that they
    let every other test through, the rest of the suite shows)."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_fixture_setup, pytest_runtest_setup  # noqa: F401\n")
    (tmp_path / "test_cases.py").write_text(GUARD_CASES)
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings.test\n"
        "markers =\n    db_independent: touches no database\naddopts = --strict-markers -p no:cacheprovider -rA\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={
            **{key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DATABASE_URL"))},
            "PYTHONPATH": str(settings.BASE_DIR),
        },
        timeout=120,
    )
    outcomes = {
        line.split()[1].split("::")[-1]: line.split()[0]
        for line in result.stdout.splitlines()
        if line.startswith(("PASSED ", "FAILED ", "ERROR "))
    }
    assert outcomes == {
        "test_pure": "PASSED",
        "test_marked_but_asks_for_the_database": "ERROR",
        "test_marked_but_asks_for_it_on_the_way": "FAILED",
        "test_marked_but_queries_without_asking": "FAILED",
        "test_unmarked_and_asks_for_nothing": "ERROR",
    }, result.stdout + result.stderr
