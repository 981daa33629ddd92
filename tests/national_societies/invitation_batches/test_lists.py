"""Reading a list of people to invite, as pasted or uploaded: separators, byte-order mark, header row,
blank lines, and the limits that refuse a list as a whole (national_societies/invitation_batches/lists.py)."""

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.utils import translation

from national_societies.invitation_batches.lists import (
    LANGUAGE_NAMES,
    MAX_BYTES,
    MAX_LINES,
    ListLine,
    ListRefused,
    decode_upload,
    language_code,
    parse_invitation_list,
    role_code,
)

pytestmark = pytest.mark.db_independent

ANA = "ana.gomez@colombia.example.org"
LUIS = "luis.perez@colombia.example.org"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        # A header, commas, Windows line ends, a blank line counted but skipped.
        (f"email,name,role,language\r\n{ANA},Ana Gómez,member,es\r\n\r\n{LUIS},\"Pérez, Luis\",society admin,en\r\n", [2, 4]),
        # Semicolons (Excel in Spanish), no header, a trailing separator, spaces around the cells.
        (f"{ANA} ; Ana Gómez ; member ; es\n\n{LUIS};Pérez, Luis;society admin;en;\n", [1, 3]),
        # Tabs (pasted from a spreadsheet), the header in Spanish and in another order.
        (f"Correo electrónico\tIdioma\tNombre\tRol\n{ANA}\tes\tAna Gómez\tmember\n\n{LUIS}\ten\tPérez, Luis\tsociety admin\n", [2, 4]),
    ],
    ids=["commas-with-header", "semicolons-without-header", "tabs-spanish-header"],
)
def test_separators_header_and_blank_lines_give_the_same_people_on_their_own_line_numbers(text, numbers):
    lines = parse_invitation_list(text)
    assert [line.email for line in lines] == [ANA, LUIS]
    assert [line.name for line in lines] == ["Ana Gómez", "Pérez, Luis"]
    assert [(line.role, line.language) for line in lines] == [("member", "es"), ("society admin", "en")]
    # The report names lines as the file numbers them: the header and the blank line count.
    assert [line.number for line in lines] == numbers


def test_an_upload_in_utf8_with_a_byte_order_mark_reads_like_one_without():
    content = f"email;nombre;idioma\n{ANA};Ana Gómez;es\n"
    for data in (b"\xef\xbb\xbf" + content.encode(), content.encode()):
        assert parse_invitation_list(decode_upload(data)) == [ListLine(number=2, email=ANA, name="Ana Gómez", language="es")]
    # A pasted text that kept the mark, and a list of addresses alone.
    assert [line.email for line in parse_invitation_list(f"\ufeff{ANA}\n{LUIS}")] == [ANA, LUIS]


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ("\n".join(f"p{n}@colombia.example.org" for n in range(MAX_LINES + 1)), "more than 500 people"),
        ("x" * (MAX_BYTES + 1), "too long"),
        ("   \n\n ; ;\n", "empty"),
        ("nombre;idioma\nAna;es\n", "none of them is the email address"),
        (f"{ANA}\x00\n", "not text"),
        (f'{ANA},"{"x" * 140_000}"\n', "Line 1 cannot be read"),  # beyond the csv module's field limit
    ],
    ids=["501-people", "over-256-KB", "empty", "header-without-email", "NUL", "unreadable-line"],
)
def test_a_list_that_cannot_be_read_as_a_whole_is_refused_with_a_clear_reason(given, refusal):
    with pytest.raises(ListRefused) as refused:
        parse_invitation_list(given)
    assert refusal in refused.value.message


def test_the_limits_themselves_are_accepted():
    header_and_500 = "email\n" + "\n".join(f"p{n}@colombia.example.org" for n in range(MAX_LINES)) + "\n\n\n"
    lines = parse_invitation_list(header_and_500)
    assert len(lines) == MAX_LINES and lines[-1].number == MAX_LINES + 1


def test_an_upload_that_is_not_utf8_or_too_big_is_refused():
    with pytest.raises(ListRefused, match="not in UTF-8"):
        decode_upload(f"{ANA};Ana Gómez\n".encode("cp1252"))
    with pytest.raises(ListRefused, match="too long"):
        decode_upload(b"a" * (MAX_BYTES + 1))


def test_the_language_column_knows_exactly_the_languages_of_the_interface():
    assert set(LANGUAGE_NAMES) == {code for code, _name in settings.LANGUAGES}


def test_roles_and_languages_are_read_in_any_language_of_the_interface():
    assert [role_code(typed) for typed in ("", "member", "Society Admin", "society_admin", "Miembro", "administrateur de la Société nationale", "boss")] == [
        "member", "member", "society_admin", "society_admin", "member", "society_admin", None,
    ]
    assert [language_code(typed, default="es") for typed in ("", "EN", "Français", "portugués", "pt_BR", "klingon")] == [
        "es", "en", "fr", "pt-br", "pt-br", None,
    ]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_example_the_page_gives_reads_as_it_says_in_each_language(language):
    """The list page's example is translated (its header and role names too): it must still be a list
    this reader reads, with the roles and languages it names."""
    source = get_template("national_societies/invitation_batches/invitations_bulk.html").template.source
    example = source[source.index("{% blocktranslate with domain"):source.index("{% endblocktranslate %}</pre>")]
    msgid = example[example.index("%}") + 2:].replace("{{ domain }}", "%(domain)s")
    with translation.override(language):
        text = translation.gettext(msgid) % {"domain": "colombia.example.org"}
    assert (text == msgid % {"domain": "colombia.example.org"}) == (language == "en")  # translated, but in English
    lines = parse_invitation_list(text)
    assert [line.number for line in lines] == [2, 3]  # the translated header is recognised
    assert [line.email for line in lines] == ["ana.gomez@colombia.example.org", "luis.perez@colombia.example.org"]
    assert [(role_code(line.role), language_code(line.language, default="")) for line in lines] == [("member", "es"), ("society_admin", "en")]
