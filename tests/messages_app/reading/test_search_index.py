"""The stored search vector and its GIN index exist on PostgreSQL; SQLite searches without them."""

from django.db import connection

from messages_app.catalogue.models import MessageVersion


def _index_names():
    with connection.cursor() as cursor:
        return {
            name
            for name, info in connection.introspection.get_constraints(cursor, MessageVersion._meta.db_table).items()
            if info["index"]
        }


def test_search_vector_and_gin_index_match_the_database(library):
    if connection.vendor == "postgresql":
        assert "message_version_search_gin" in _index_names()
        assert not MessageVersion.objects.filter(search_vector__isnull=True).exists()
    else:
        # SQLite has no GIN and no tsvector: the vector stays empty and search.py reads the text.
        assert not MessageVersion.objects.filter(search_vector__isnull=False).exists()
