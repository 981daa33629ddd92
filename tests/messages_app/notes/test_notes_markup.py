"""The notes' Markdown subset, and hostile note content rendered inert on every page that shows a note.

Pages are parsed with html.parser: a note that could open a tag, close the page's own tags or add
an attribute would show up as an unexpected element, an unbalanced tag or an `on…` attribute.
"""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from messages_app.catalogue.models import Message
from messages_app.notes.markup import ALLOWED_TAGS, render_note
from messages_app.notes.models import Visibility
from messages_app.notes.services import note_save
from messages_app.templatetags.notes import note_html
from national_societies.models import Membership
from tests.accounts import sign_in
from tests.accounts import person as _person

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#", "?")


class Page(HTMLParser):
    """Tags, attributes, balance, and the contents of every `.note-body`."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.elements, self.comments = [], [], [], []
        self.note_bodies = []  # [(tags inside, text inside)]
        self._body_depths = []
        self.feed(html)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed at the end: {self.stack}")
        if self._body_depths:
            self.errors.append("a note body never closed")

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if self._body_depths:
            self.note_bodies[-1][0].append((tag, attrs))
        if "note-body" in (dict(attrs).get("class") or "").split():
            self.note_bodies.append(([], []))
            self._body_depths.append(len(self.stack))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if self._body_depths:
            self.note_bodies[-1][0].append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:  # recover as a browser would, to report only the first break
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if self._body_depths and len(self.stack) == self._body_depths[-1]:
            self._body_depths.pop()

    def handle_data(self, data):
        if self._body_depths:
            self.note_bodies[-1][1].append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    @property
    def note_texts(self):
        return ["".join(text) for _tags, text in self.note_bodies]

    def assert_inert(self):
        assert self.errors == [], self.errors
        assert self.comments == []
        for tag, attrs in self.elements:
            if tag == "script":
                # Only the app's own script file, never inline code.
                assert dict(attrs).get("src", "").endswith("js/app.js"), attrs
            assert tag not in ("iframe", "object", "embed", "svg", "math", "style", "base", "img") or _own_image(tag, attrs), (tag, attrs)
            if tag == "form":
                assert not (dict(attrs).get("action") or "").lower().startswith(("http", "//")), attrs
            for name, value in attrs:
                assert not name.startswith("on"), (tag, name, value)
                if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                    assert value.strip().lower().startswith(SAFE_SCHEMES), (tag, name, value)
                assert "javascript:" not in (value or "").replace(" ", "").lower(), (tag, name, value)
        for tags, _text in self.note_bodies:
            for tag, attrs in tags:
                assert tag in ALLOWED_TAGS, tag
                assert {name for name, _v in attrs} <= ({"href", "rel"} if tag == "a" else set()), (tag, attrs)


def _own_image(tag, attrs):
    """The page's own logo (a static file) is the only image."""
    return tag == "img" and dict(attrs).get("src", "").startswith(settings.STATIC_URL)




# --- The Markdown subset ------------------------------------------------------------------------


@pytest.mark.db_independent
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("One paragraph.", "<p>One paragraph.</p>"),
        ("First.\n\nSecond.", "<p>First.</p><p>Second.</p>"),
        ("Line one\nline two", "<p>Line one<br>line two</p>"),
        ("First.\r\n\r\nSecond.", "<p>First.</p><p>Second.</p>"),
        ("- one\n- two\n* three", "<ul><li>one</li><li>two</li><li>three</li></ul>"),
        ("1. one\n2) two", "<ol><li>one</li><li>two</li></ol>"),
        ("Intro:\n- a\n- b\n\nAfter.", "<p>Intro:</p><ul><li>a</li><li>b</li></ul><p>After.</p>"),
        ("- a long item\n  wrapped", "<ul><li>a long item wrapped</li></ul>"),
        ("*em* and _em_ and **strong**", "<p><em>em</em> and <em>em</em> and <strong>strong</strong></p>"),
        ("snake_case_word and 2*3*4", "<p>snake_case_word and 2*3*4</p>"),
        ("- **bold** item", "<ul><li><strong>bold</strong> item</li></ul>"),
        ("Tom & Jerry < 3 > 2", "<p>Tom &amp; Jerry &lt; 3 &gt; 2</p>"),
        ("", ""),
    ],
    ids=["paragraph", "paragraphs", "line-break", "crlf", "bullets", "numbered", "mixed", "wrapped-item", "emphasis", "no-false-emphasis", "emphasis-in-list", "escaped", "empty"],
)
def test_markdown_subset(source, expected):
    assert render_note(source) == expected


REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.db_independent
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("See [the guide](https://example.org/guide).", f'<p>See <a href="https://example.org/guide" {REL}>the guide</a>.</p>'),
        ("[plain](http://example.org)", f'<p><a href="http://example.org" {REL}>plain</a></p>'),
        ("[write](mailto:desk@example.org)", f'<p><a href="mailto:desk@example.org" {REL}>write</a></p>'),
        ("[q](https://example.org/?a=1&b=2)", f'<p><a href="https://example.org/?a=1&amp;b=2" {REL}>q</a></p>'),
        ("[*emphasised* link](https://example.org)", f'<p><a href="https://example.org" {REL}><em>emphasised</em> link</a></p>'),
        ("*[link](https://example.org) inside*", f'<p><em><a href="https://example.org" {REL}>link</a> inside</em></p>'),
        # `*` and `_` in a URL are part of the URL, never emphasis inside the href.
        ("[doc](https://example.org/a/_b_/c)", f'<p><a href="https://example.org/a/_b_/c" {REL}>doc</a></p>'),
        ("[x](https://example.org/**y**) and [*](https://example.org/*)", f'<p><a href="https://example.org/**y**" {REL}>x</a> and <a href="https://example.org/*" {REL}>*</a></p>'),
        ("[a](https://a.org/_x_) _b_ [c](https://c.org/_y_)", f'<p><a href="https://a.org/_x_" {REL}>a</a> <em>b</em> <a href="https://c.org/_y_" {REL}>c</a></p>'),
        ("- [in a list](https://example.org)", f'<ul><li><a href="https://example.org" {REL}>in a list</a></li></ul>'),
    ],
    ids=["https", "http", "mailto", "query", "emphasis-in-text", "link-in-emphasis", "underscores-in-url", "asterisks-in-url", "several", "in-list"],
)
def test_links(source, expected):
    assert render_note(source) == expected


@pytest.mark.db_independent
def test_the_template_filter_is_the_same_rendering_and_safe():
    rendered = note_html("Some *text*.")
    assert rendered == "<p>Some <em>text</em>.</p>"
    assert hasattr(rendered, "__html__")


# --- Hostile content ------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert('x')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[x](https://example.org/" onmouseover="alert(1))',
    "[x](https://example.org/'onmouseover='alert(1))",
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "[x](https://example.org/?q=<script>alert(1)</script>)",
    "**<script>alert(1)</script>**",
    "*<em onclick=alert(1)>x</em>*",
    "<svg/onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>body{display:none}</style>",
    "</div></article></aside></main><script>alert(1)</script>",
    "<b><i>unclosed <div class='x'",
    "<!-- an unclosed comment",
    "<![CDATA[ x ]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    '<form action="https://evil.example"><input name=x></form>',
    "<a href='https://example.org' onclick='alert(1)'>x</a>",
    "- <li onclick=alert(1)>item\n- </ul></ol><script>alert(1)</script>",
    "\x00<script>alert(1)</script>",
    "\u2028<script>alert(1)</script>\u2029",
]


def _inert_fragment(html):
    page = Page(f'<div class="note-body">{html}</div>')
    page.assert_inert()
    assert len(page.note_bodies) == 1
    return page


@pytest.mark.db_independent
@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_renders_inert(source):
    html = render_note(source)
    page = _inert_fragment(html)
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg" not in lowered and "<iframe" not in lowered
    assert "<style" not in lowered and "<form" not in lowered and "<!--" not in lowered
    for tag, attrs in page.elements:
        if tag == "a":
            assert dict(attrs)["href"].startswith(("https://", "http://", "mailto:"))
            assert dict(attrs)["rel"] == "noopener noreferrer nofollow"


@pytest.mark.db_independent
def test_hostile_markup_is_shown_as_text_not_dropped():
    """What was typed is readable: the tags are escaped, not silently removed."""
    page = _inert_fragment(render_note("Typed <script>alert(1)</script> & <b>bold</b>"))
    assert page.note_texts == ["Typed <script>alert(1)</script> & <b>bold</b>"]


# --- Hostile content on every page that shows a note ----------------------------------------------

PAYLOAD = "\n\n".join(
    [
        "CanaryHostileQ3 zebrafinch <script>alert('s')</script> <img src=x onerror=alert(1)>",
        "[click](javascript:alert(1)) <a href=\"javascript:alert(2)\">a</a> [x](https://example.org/\" onmouseover=\"alert(3))",
        "- </li></ul></div></article></aside></main><script>alert(4)</script>\n- <svg/onload=alert(5)>",
        "<!-- <b><i>unclosed <div class='x'",
    ]
)


@pytest.fixture
def hostile(library, society_admin):
    return note_save(
        acting_user=society_admin,
        message=Message.objects.get(identifier="DET-04"),
        text=PAYLOAD,
        visibility=Visibility.REGION,
        expected_revision=None,
    )


def _check_page(response, *, expect_canary=True):
    assert response.status_code in (200, 409), response.status_code
    page = Page(response.content.decode())
    page.assert_inert()
    if expect_canary:
        # The note is shown (as text), and the page goes on after it: nothing it contained broke out.
        assert any("CanaryHostileQ3" in text for text in page.note_texts)
        assert any("<script>alert('s')</script>" in text for text in page.note_texts)
    assert ("footer", [("class", "site-footer")]) in page.elements
    return page


def test_hostile_note_on_the_message_page(hostile, member_client):
    _check_page(member_client.get(reverse("messages:detail", args=["migration-americas", "DET-04"])))


def test_hostile_note_for_another_society_and_in_search(hostile):
    reader = sign_in(Client(), _person("mexico", Membership.Role.MEMBER, "member@mexico.example.org"))
    _check_page(reader.get(reverse("messages:detail", args=["migration-americas", "DET-04"])))
    page = _check_page(reader.get(reverse("messages:search"), {"q": "zebrafinch"}))
    assert len(page.note_bodies) == 1


def test_hostile_note_on_the_section_page(library, society_admin, member_client):
    note_save(
        acting_user=society_admin,
        section=Message.objects.get(identifier="DET-04").section,
        text=PAYLOAD,
        visibility="society",
        expected_revision=None,
    )
    _check_page(member_client.get(reverse("messages:section", args=["migration-americas", "detention-deportation"])))


def test_hostile_note_in_history_edit_preview_confirm_and_conflict_pages(hostile, society_admin, society_admin_client):
    client = society_admin_client
    # History shows a word diff of the raw text: escaped, never rendered, and readable as typed.
    response = client.get(reverse("messages:note_history", args=[hostile.pk]))
    _check_page(response, expect_canary=False)
    assert "CanaryHostileQ3 zebrafinch <script>alert('s')</script>" in "".join(_all_text(response))
    # The edit page puts the raw text in a textarea: escaped.
    edit_url = reverse("messages:message_note", args=["migration-americas", "DET-04"])
    response = client.get(edit_url)
    _check_page(response, expect_canary=False)
    assert response.context["form"]["text"].value() == PAYLOAD
    assert "&lt;script&gt;alert(&#x27;s&#x27;)&lt;/script&gt;" in response.content.decode()
    # Preview renders it as a note.
    _check_page(client.post(edit_url, {"text": PAYLOAD, "visibility": "society", "preview": "1"}))
    # Restore and delete confirmations preview it.
    note_save(acting_user=society_admin, message=hostile.message, text="Replaced.", visibility="region", expected_revision=1)
    _check_page(client.get(reverse("messages:note_restore", args=[hostile.pk, 1])))
    note_save(acting_user=society_admin, message=hostile.message, text=PAYLOAD + " again", visibility="region", expected_revision=2)
    _check_page(client.get(reverse("messages:note_delete", args=[hostile.pk])))
    # The conflict page shows the current note rendered, and the attempted hostile text in a textarea.
    response = client.post(edit_url, {"text": PAYLOAD + " mine", "visibility": "society", "revision": "1", "note": str(hostile.pk)})
    assert response.status_code == 409
    _check_page(response)
    assert response.context["form"]["text"].value() == PAYLOAD + " mine"


def _all_text(response):
    collected = []

    class Text(HTMLParser):
        def handle_data(self, data):
            collected.append(data)

    Text(convert_charrefs=True).feed(response.content.decode())
    return collected


def test_pages_without_notes_parse_cleanly(library, member_client):
    """The check itself: pages pass it without any note (so a failure above is the note's doing)."""
    for url in (reverse("messages:detail", args=["migration-americas", "DET-04"]), reverse("messages:search") + "?q=detention"):
        page = Page(member_client.get(url).content.decode())
        page.assert_inert()
        assert page.note_bodies == []


@pytest.mark.db_independent
def test_the_check_catches_what_it_is_meant_to_catch():
    """A raw payload, not rendered, fails every one of the checks the pages pass."""
    for raw in (
        '<div class="note-body"><script>alert(1)</script></div>',
        '<div class="note-body"><img src=x onerror=alert(1)></div>',
        '<div class="note-body"><a href="javascript:alert(1)">x</a></div>',
        '<div class="note-body"><b>unclosed</div>',
        '<div class="note-body"></div></main>',
        '<div class="note-body"><!-- comment --></div>',
        '<div class="note-body"><span>x</span></div>',
    ):
        with pytest.raises(AssertionError):
            Page(raw).assert_inert()
