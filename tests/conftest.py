from functools import lru_cache

import pytest
from django.conf import settings
from django.core.cache import cache

from messages_app.content_file import read_content_file
from messages_app.services import key_messages_load
from national_societies.models import Membership, NationalSociety
from tests.accounts import person, sign_in  # person(): privileged roles get TOTP (else every page sends them to MFA setup)
from tests.factories import MembershipFactory, UserFactory


@lru_cache(maxsize=1)
def shipped_content():
    """The content file kept in the repository, parsed once per test run."""
    return read_content_file(settings.KEY_MESSAGES_CONTENT_FILE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login rate limits live in the cache: no test inherits another's failed attempts.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def library(db):
    """The canonical document, loaded as `make run` loads it."""
    return key_messages_load(content=shipped_content())


@pytest.fixture
def colombia(db):
    return NationalSociety.objects.get(slug="colombia")


@pytest.fixture
def mexico(db):
    return NationalSociety.objects.get(slug="mexico")


@pytest.fixture
def member(colombia):
    """A member of the Colombian Red Cross."""
    return MembershipFactory(
        user=UserFactory(email="member@colombia.example.org"), national_society=colombia, role=Membership.Role.MEMBER
    ).user


@pytest.fixture
def member_client(client, member, library):
    """A member signed in, with the loaded library's rules confirmed."""
    return sign_in(client, member)




@pytest.fixture
def society_admin(colombia):
    """A society admin of the Colombian Red Cross."""
    return person("colombia", Membership.Role.SOCIETY_ADMIN, "admin@colombia.example.org")


@pytest.fixture
def society_admin_client(client, society_admin, library):
    return sign_in(client, society_admin)


@pytest.fixture
def focal_point(db):
    """An IFRC focal point."""
    return person("ifrc-americas", Membership.Role.FOCAL_POINT, "focal@ifrc.example.org")


@pytest.fixture
def focal_point_client(client, focal_point, library):
    return sign_in(client, focal_point)


@pytest.fixture
def platform_admin(db):
    return person(
        "ifrc-americas", Membership.Role.PLATFORM_ADMIN, "platform@ifrc.example.org", is_staff=True, is_superuser=True
    )


@pytest.fixture
def platform_admin_client(client, platform_admin, library):
    return sign_in(client, platform_admin)
