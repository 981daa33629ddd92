"""The editorial tests' document; the people (`doc_editor`, `doc_reviewer`) are personas of tests/conftest.py."""

import pytest

from messages_app.catalogue.models import Document
from tests.accounts import give_document_role


def give_role(user, document, kind):
    return give_document_role(user, document, kind)


@pytest.fixture
def migration_document(library):
    return Document.objects.get(slug="migration-americas")
