"""Database ids in URLs: `<id:briefing_id>` is an `<int:…>` that fits the database, else the URL does
not match (404). A bigger number would reach the query: SQLite raises OverflowError beyond 2**63 - 1."""

from django.urls import register_converter

MAX_ID = 2**63 - 1  # the largest bigint, on PostgreSQL and SQLite


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value):
        number = int(value)  # ValueError for thousands of digits too (Python's int limit): no match
        if number > MAX_ID:
            raise ValueError("beyond the database's integers")
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")
