"""Every word a template shows is marked for translation: text between tags and the attributes a
person reads or hears (aria-label, title, alt, placeholder, an input's value).

The catalogue tests catch a marked string that lacks a translation; this one catches a string that
was never marked. Template tags and variables are masked first, and {% blocktranslate %} and
{% comment %} blocks are dropped, so only literal template text is checked.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

pytestmark = pytest.mark.db_independent  # no test here touches the database

TEMPLATES = Path(settings.BASE_DIR) / "templates"
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
READ_ATTRIBUTES = {"aria-label", "aria-description", "title", "alt", "placeholder"}
# Not words of a language: the same in every interface language.
UNTRANSLATED = {"UTC", "A4", "PDF", "CSV", "TOTP"}


def literal_text(source: str) -> str:
    """The template's own text: variables become "0" (a tag name "x"), tags a space, translation
    blocks vanish."""
    parts, skipping = [], []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if name in ("blocktranslate", "blocktrans", "comment"):
                skipping.append(name)
            elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
                skipping.pop()
            parts.append(" ")
        elif skipping or token.token_type == TokenType.COMMENT:
            continue
        elif token.token_type == TokenType.VAR:
            parts.append("0")
        else:
            parts.append(token.contents)
    return re.sub(r"<(/?)0", r"<\1x", "".join(parts))


class _UnmarkedText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._raw = [], 0

    def _words(self, text):
        return [w for w in WORD.findall(text) if w not in UNTRANSLATED]

    def handle_starttag(self, tag, attrs):
        self._raw += tag in ("script", "style")
        # A hidden, radio or checkbox input's value is sent, never shown: a code, not text to translate.
        shown_value = tag == "input" and (dict(attrs).get("type") or "text").lower() not in ("hidden", "radio", "checkbox")
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (shown_value and name == "value")) and self._words(value):
                self.found.append(f"line {self.getpos()[0]}: <{tag} {name}=\"{value}\">")

    def handle_endtag(self, tag):
        self._raw -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._raw and self._words(data):
            self.found.append(f"line {self.getpos()[0]}: {data.strip()!r}")


def unmarked_text(source: str) -> list[str]:
    finder = _UnmarkedText()
    finder.feed(literal_text(source))
    return finder.found


def test_no_template_shows_text_that_is_not_marked_for_translation():
    found = {
        str(path.relative_to(TEMPLATES)): problems
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (problems := unmarked_text(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "Mark these with {% translate %} / {% blocktranslate %}:\n" + "\n".join(
        f"  templates/{name} {problem}" for name, problems in found.items() for problem in problems
    )


def test_no_email_template_has_text_that_is_not_marked_for_translation():
    found = {}
    for path in sorted(TEMPLATES.rglob("*.txt")):
        text = re.sub(r"/[\w/.-]*/", " ", literal_text(path.read_text(encoding="utf-8")))  # URL paths are not words
        if words := [w for w in WORD.findall(text) if w not in UNTRANSLATED]:
            found[str(path.relative_to(TEMPLATES))] = words
    assert found == {}


def test_the_check_sees_unmarked_text_and_attributes_and_lets_marked_ones_through():
    source = (
        '{% load i18n %}<p>Forgotten words</p><button aria-label="Close menu">{% translate "Close" %}</button>'
        '<p>{% blocktranslate with n=3 %}{{ n }} messages{% endblocktranslate %} · {{ count }} UTC</p>'
        '<tr{% if bad %} class="denied"{% endif %}><td>{{ value }}</td></tr>'
        '<input type="submit" value="Send"><input type="hidden" name="action" value="section"><script src="x.js">var notText = 1;</script>'
    )
    assert unmarked_text(source) == [
        "line 1: 'Forgotten words'",
        'line 1: <button aria-label="Close menu">',
        'line 1: <input value="Send">',
    ]
