from functools import lru_cache

import pytest
from django.conf import settings
from django.core.cache import cache

from messages_app.content_file import read_content_file
from messages_app.services import key_messages_load
from national_societies.models import Membership, NationalSociety
from tests.accounts import sign_in
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
