"""The content file holds every bullet of the source document, verbatim, in order, in its section."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from messages_app.catalogue.content_file import ContentFileError, parse_content
from tests.conftest import shipped_content

pytestmark = pytest.mark.db_independent  # no test here touches the database

SOURCE = Path(settings.BASE_DIR) / "messages_app" / "content" / "source" / "key-messages-migration-americas.txt"

# The document's headings as printed (sub-sections with their numerals), in order.
HEADINGS = [
    "General Information",
    "Challenges of the International Red Cross Movement in the Americas",
    "Basis of our work on Migration",
    "Red Cross’ management model",
    "I. Protection and “do no harm”",
    "II. Advocacy and humanitarian diplomacy",
    "III. Core Principles and migration",
    "IV. Inclusion of migrant population in humanitarian programs",
    "Detention and deportation of migrants",
    "Movement’s programs and actions",
    "Shared responsibility of the States",
    "The Movement in the face of the Global Compact",
]


def source_bullets():
    """(heading, text) of every bullet of the source, its wrapped lines joined by one space."""
    bullets, heading, current = [], None, None
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped in HEADINGS:
            if current is not None:
                bullets.append((current_heading, " ".join(current).strip()))
                current = None
            heading = stripped
            continue
        match = re.match(r"^\s*•\t\s*(.*)$", line)
        if match:
            if current is not None:
                bullets.append((current_heading, " ".join(current).strip()))
            current, current_heading = [match.group(1).rstrip()], heading
        elif stripped == "":
            if current is not None:
                bullets.append((current_heading, " ".join(current).strip()))
                current = None
        elif current is not None:
            current.append(line.rstrip())
    if current is not None:
        bullets.append((current_heading, " ".join(current).strip()))
    return bullets


def test_source_has_the_documented_counts():
    bullets = source_bullets()
    assert len(bullets) == 8 + 2 + 65


def test_every_message_is_verbatim_in_order_and_in_its_section():
    content = shipped_content()
    expected = [(heading, text) for heading, text in source_bullets()[10:]]
    actual = [
        (f"{section.number}. {section.title}" if section.number else section.title, message.text)
        for message, section, _parent in content.iter_messages()
    ]
    assert len(actual) == 65
    for position, (want, got) in enumerate(zip(expected, actual, strict=True), start=1):
        assert got == want, f"message #{position} differs from the source"


def test_handling_rules_and_contacts_are_verbatim():
    content = shipped_content()
    bullets = [text for _heading, text in source_bullets()]
    assert list(content.handling_rules) == bullets[:8]
    assert list(content.contacts) == bullets[8:10]


def test_structure_sections_subsections_and_children():
    content = shipped_content()
    assert [s.title for s in content.sections] == [
        h for h in HEADINGS if not re.match(r"^[IV]+\. ", h)
    ]
    model = next(s for s in content.sections if s.key == "management-model")
    assert [s.number for s in model.subsections] == ["I", "II", "III", "IV"]
    assert model.lead == "Our management model is based on 4 approaches:"
    top_level = [m for m, _s, parent in content.iter_messages() if parent is None]
    children = [m for m, _s, parent in content.iter_messages() if parent is not None]
    assert len(top_level) == 62
    assert len(children) == 3
    compact = next(s for s in content.sections if s.key == "global-compact")
    assert compact.messages[-1].text.startswith("To achieve this, the Global Compact must include")
    assert [c.identifier for c in compact.messages[-1].children] == ["GCO-05.1", "GCO-05.2", "GCO-05.3"]


def test_the_documents_quirks_are_kept():
    texts = {m.identifier: m.text for m, _s, _p in shipped_content().iter_messages()}
    assert "participation .We came to understand" in texts["INC-02"]
    assert texts["CHA-01"].startswith("In the Americas (including the Caribbean) live around 26.6% of the world’s (61.6")


def test_every_message_has_a_topic_and_every_topic_a_message():
    content = shipped_content()
    used = set()
    for message, _section, _parent in content.iter_messages():
        assert message.topics, f"{message.identifier} has no topic"
        used.update(message.topics)
    assert used == {t.slug for t in content.topics}


VALID_HEADER = """format: 1
document:
  slug: doc
  title: T
  edition: "1"
  introduction: [Intro]
  handling_rules: [Rule]
  contacts: [Contact]
  summary: S
topics:
  - {slug: a, name: A}
sections:
  - key: s
    title: Section
    messages:
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("      - {id: GEN-01, text: Hello, topics: [zzz]}\n", "line 16, field 'sections[0].messages[0].topics[0]': unknown topic 'zzz'"),
        ("      - {id: GEN-01}\n", "line 16, field 'sections[0].messages[0].text': required field is missing"),
        ("      - {id: bad, text: Hello}\n", "line 16, field 'sections[0].messages[0].id': 'bad' is not like GEN-01"),
        ("      - {id: GEN-01, text: A}\n      - {id: GEN-01, text: B}\n", "line 17, field 'sections[0].messages[1].id': identifier 'GEN-01' is used twice"),
        ("      - {id: GEN-01, text: ' padded'}\n", "has white space at its start or end"),
        ("      - {id: GEN-01, text: A, colour: red}\n", "field 'sections[0].messages[0].colour': unknown field"),
        ("      - {id: GEN-01, text: [not, text]}\n", "field 'sections[0].messages[0].text': expected text"),
        ("      - {id: GEN-01, text: 'unclosed\n", "line 17: not valid YAML"),
    ],
)
def test_malformed_files_are_refused_naming_line_and_field(body, expected):
    with pytest.raises(ContentFileError) as excinfo:
        parse_content(VALID_HEADER + body, source_name="bad.yaml")
    assert expected in str(excinfo.value)
    assert str(excinfo.value).startswith("bad.yaml")


def test_a_valid_minimal_file_parses():
    content = parse_content(VALID_HEADER + "      - {id: GEN-01, text: Hello, topics: [a]}\n")
    assert [m.identifier for m, _s, _p in content.iter_messages()] == ["GEN-01"]


def test_empty_and_wrong_format_files_are_refused():
    with pytest.raises(ContentFileError, match="the file is empty"):
        parse_content("")
    with pytest.raises(ContentFileError, match="only format 1 is supported"):
        parse_content(VALID_HEADER.replace("format: 1", "format: 2") + "      - {id: GEN-01, text: A}\n")
