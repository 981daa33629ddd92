"""The content file format both ways: an edition exported and read back is the same edition."""

from messages_app.catalogue.content_export import edition_content
from messages_app.catalogue.content_file import parse_content, write_content
from messages_app.catalogue.models import Edition
from tests.conftest import shipped_content


def test_the_loaded_edition_exports_to_exactly_the_shipped_content(library):
    edition = Edition.objects.current_first().first()
    assert edition_content(edition) == shipped_content()


def test_written_content_parses_back_to_itself(library):
    content = edition_content(Edition.objects.current_first().first())
    raw = write_content(content, header="Exported.\nNot public.")
    assert raw.startswith("# Exported.\n# Not public.\n")
    assert parse_content(raw, source_name="export") == content


def test_texts_with_yaml_look_alikes_survive_the_round_trip(library):
    """Numbers, booleans, colons, quotes and leading dashes are text, and stay text."""
    content = edition_content(Edition.objects.current_first().first())
    tricky = ["1", "yes", "no: really", "- a dash", "“quoted” 'and' \"double\"", "# not a comment", "null"]
    changed = content.__class__(**{**content.__dict__, "handling_rules": tuple(tricky)})
    assert parse_content(write_content(changed), source_name="export").handling_rules == tuple(tricky)
