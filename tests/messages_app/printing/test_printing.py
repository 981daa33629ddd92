"""Print views and PDFs of a briefing, a section and the whole document: a watermark on every page
(reader, society, date, "Internal — do not share outside <society>", trace code), one access-log
event per print written before anything is built, and the trace code looked up by focal points.

PDFs are slow to build: five in this file, the whole document only once.
"""

import io
import re
import struct
import zlib
from datetime import date

import pytest
import tinycss2
from django.conf import settings
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from html import unescape
from django.utils import timezone
from pypdf import PdfReader

from console.forms import EventFilterForm
from audit.models import Action, AuditEvent
from audit.services import audit_record
from messages_app.briefings import services as briefing_services
from messages_app.printing import views as printing_views
from messages_app.printing import services as printing
from messages_app.printing.models import Print
from messages_app.briefings.models import Occasion
from messages_app.catalogue.models import Edition, Message, Section
from messages_app.notes.models import Visibility
from messages_app.notes.services import note_save
from messages_app.catalogue.models import DOCUMENT_SLUG
from national_societies.models import Membership, NationalSociety
from tests.accounts import add_totp, sign_in
from tests.factories import MembershipFactory, UserFactory
from tests.messages_app.content import add_messages

SOCIETY = "Colombian Red Cross"
NOTICE = f"Internal — do not share outside {SOCIETY}"
CODE_RE = re.compile(r"^KM-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$")
PAPER = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
# Two sections, 16 messages: a briefing of two pages or more.
LONG = ["DET-01", "DET-02", "DET-03", "DET-04", "DET-05", "DET-06", "DET-07", "GEN-12", "INC-02", "GEN-01", "GEN-02", "GEN-03"]


# --- Helpers ------------------------------------------------------------------------------------


def person(slug, email, role=Membership.Role.MEMBER, **extra):
    user = UserFactory(email=email, **extra)
    MembershipFactory(user=user, national_society=NationalSociety.objects.get(slug=slug), role=role)
    if role != Membership.Role.MEMBER:
        add_totp(user)
    return user


def make_briefing(owner, identifiers, **fields):
    return briefing_services.briefing_create(
        acting_user=owner,
        title=fields.pop("title", "Press conference"),
        occasion=fields.pop("occasion", Occasion.MEDIA_INTERVIEW),
        messages=[Message.objects.get(identifier=i) for i in identifiers],
        **fields,
    )


def printed_events():
    return list(AuditEvent.objects.filter(action=Action.PRINTED).order_by("id"))


def pdf_code(response):
    match = re.fullmatch(r'attachment; filename="key-messages-(\w+)-(KM-\w{4}-\w{4})\.pdf"', response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match.group(1), match.group(2)


def pdf_pages(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return [(float(p.mediabox.width), float(p.mediabox.height), " ".join(p.extract_text().split())) for p in reader.pages]


def squash(text):
    """Text without any whitespace: a margin box may wrap a line anywhere, even after a hyphen."""
    return "".join(text.split())


def assert_every_page_watermarked(pages, user, code, paper="a4", reader_name=None):
    width, height = PAPER[paper]
    assert pages
    for number, (page_width, page_height, text) in enumerate(pages, 1):
        assert abs(page_width - width) < 1 and abs(page_height - height) < 1, (number, page_width, page_height)
        text = squash(text)
        assert user.email in text, number
        assert squash(SOCIETY) in text, number
        assert code in text, number
        assert squash(f"do not share outside {SOCIETY}").lower() in text.lower(), number
        assert f"{number}/{len(pages)}" in text, number
        if reader_name:
            assert squash(reader_name) in text, number


def css_page_rule(css):
    """The @page rule of the print_marks stylesheet: its declarations and margin boxes' content."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    assert not [r for r in rules if r.type == "error"], rules
    [page] = rules
    assert page.type == "at-rule" and page.lower_at_keyword == "page"
    contents = tinycss2.parse_blocks_contents(page.content, skip_comments=True, skip_whitespace=True)
    assert not [c for c in contents if c.type == "error"], contents
    declarations = {d.lower_name: tinycss2.serialize(d.value).strip() for d in contents if d.type == "declaration"}
    boxes = {}
    for box in (c for c in contents if c.type == "at-rule"):
        inner = tinycss2.parse_blocks_contents(box.content, skip_comments=True, skip_whitespace=True)
        assert not [c for c in inner if c.type == "error"], inner
        [content] = [d for d in inner if d.type == "declaration" and d.lower_name == "content"]
        boxes[box.lower_at_keyword] = [t for t in content.value if t.type != "whitespace"]
    return declarations, boxes


def css_text(tokens):
    [token] = tokens
    assert token.type == "string"
    return token.value


@pytest.fixture
def reader(member):
    member.first_name, member.last_name = "Ana", "Gómez"
    member.save()
    return member


@pytest.fixture
def reader_client(client, reader, library):
    return sign_in(client, reader)


# --- The HTML print view ------------------------------------------------------------------------


def test_briefing_print_page_shows_the_watermark_and_links_its_marks(reader_client, reader):
    briefing = make_briefing(reader, ["GEN-01", "ADV-03", "DET-04"], occasion_date=date(2025, 5, 20))
    url = reverse("messages:briefing_print", args=[briefing.pk])

    response = reader_client.get(url)

    assert response.status_code == 200
    [event] = printed_events()
    code = event.trace_code
    assert CODE_RE.match(code)
    watermark = response.context["watermark"]
    assert watermark["trace_code"] == code
    html = response.content.decode()
    stamp = watermark["date"].strftime("%Y-%m-%d %H:%M")
    assert f'<p class="print-mark print-mark-top screen-only">{NOTICE}</p>' in html
    assert f"Ana Gómez · {reader.email} · {SOCIETY} · {stamp} UTC · <strong>{code}</strong>" in html
    assert f'<div class="print-diagonal" aria-hidden="true">{reader.email} · {code}</div>' in html
    assert f"<title>Press conference · Key Messages · {code}</title>" in html
    assert '<link rel="stylesheet" href="/static/css/print.css">' in html
    marks_url = reverse("messages:print_marks", args=[code])
    assert f'<link rel="stylesheet" href="{marks_url}">' in html
    assert f'<a href="{reverse("messages:briefing_pdf", args=[briefing.pk])}?paper=a4">' in html
    assert "Media interview · May 20, 2025" in html
    assert html.index("<h2>GEN-01</h2>") < html.index("<h2>ADV-03</h2>") < html.index("<h2>DET-04</h2>")

    # The access-log row: who, what, which messages, which paper, the code.
    assert (event.actor_user_id, event.actor_email, event.actor_organisation) == (reader.pk, reader.email, SOCIETY)
    assert (event.target_type, event.target_id) == ("briefing", str(briefing.pk))
    assert event.details == {"format": "print", "kind": "briefing", "paper": "a4", "messages": ["GEN-01", "ADV-03", "DET-04"]}

    # The marks stylesheet: the same watermark in the margin boxes of every page.
    marks = reader_client.get(marks_url)
    assert marks.status_code == 200 and marks["Content-Type"] == "text/css; charset=utf-8"
    declarations, boxes = css_page_rule(marks.content.decode())
    assert declarations["size"] == "A4"
    assert css_text(boxes["top-center"]) == NOTICE
    occurred = event.occurred_at.strftime("%Y-%m-%d %H:%M")
    assert css_text(boxes["bottom-center"]) == f"Ana Gómez · {reader.email} · {SOCIETY} · {occurred} UTC · {code}"
    assert [t.type for t in boxes["bottom-right"]] == ["function", "string", "function"]
    # Fetching the stylesheet prints nothing more.
    assert len(printed_events()) == 1


def test_print_paper_is_a4_or_letter(reader_client, reader):
    briefing = make_briefing(reader, ["ADV-03"])
    cases = [("letter", "letter", "Letter"), ("LETTER", "letter", "Letter"), ("a4", "a4", "A4"), ("a3", "a4", "A4"), ("", "a4", "A4")]
    for asked, paper, size in cases:
        response = reader_client.get(reverse("messages:briefing_print", args=[briefing.pk]), {"paper": asked})
        event = printed_events()[-1]
        assert event.details["paper"] == paper, asked
        assert f'<a href="?paper={paper}" aria-current="page">' in response.content.decode(), asked
        css = reader_client.get(reverse("messages:print_marks", args=[event.trace_code])).content.decode()
        assert css_page_rule(css)[0]["size"] == size, asked
    assert len(printed_events()) == len(cases)


def test_print_marks_are_only_for_their_reader(reader_client, reader, focal_point):
    briefing = make_briefing(reader, ["ADV-03"])
    code = reader_client.get(reverse("messages:briefing_print", args=[briefing.pk])).context["watermark"]["trace_code"]
    url = reverse("messages:print_marks", args=[code])
    colleague = sign_in(Client(), person("colombia", "colleague@colombia.example.org"))
    admin = sign_in(Client(), person("colombia", "admin2@colombia.example.org", Membership.Role.SOCIETY_ADMIN))
    for other in (colleague, admin, sign_in(Client(), focal_point)):
        response = other.get(url)
        assert response.status_code == 404
        assert code not in response.content.decode() and reader.email not in response.content.decode()
    assert reader_client.get(reverse("messages:print_marks", args=["KM-2345-6789"])).status_code == 404
    assert reader_client.get(reverse("messages:print_marks", args=[code.lower()])).status_code == 404
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page
    assert reader_client.get(url).status_code == 200


HOSTILE_NAME = 'Zoë "Q\\" </style> <style> @page { @top-center { content: none } @bottom-center { content: none } } div { display: none } </style>'


@pytest.fixture
def hostile(client, library):
    """A user whose name holds a quote, a backslash, and markup that would end a <style> element."""
    user = person("colombia", "o'brien+print@colombia.example.org", first_name="Zoë", last_name=HOSTILE_NAME.removeprefix("Zoë "))
    assert user.get_full_name() == HOSTILE_NAME
    return user


def test_quotes_backslashes_and_markup_in_a_name_do_not_break_the_marks(hostile):
    client = sign_in(Client(), hostile)
    response = client.get(reverse("messages:section_print", args=["migration-americas", "challenges"]))
    code = response.context["watermark"]["trace_code"]
    html = response.content.decode()
    assert "</style> <style>" not in html  # escaped on the page
    assert "Zoë &quot;Q\\&quot; &lt;/style&gt;" in html
    css = client.get(reverse("messages:print_marks", args=[code])).content.decode()
    assert "<" not in css and ">" not in css
    _declarations, boxes = css_page_rule(css)
    event = AuditEvent.objects.get(trace_code=code)
    assert css_text(boxes["bottom-center"]) == (
        f"{HOSTILE_NAME} · {hostile.email} · {SOCIETY} · {event.occurred_at:%Y-%m-%d %H:%M} UTC · {code}"
    )
    assert css_text(boxes["top-center"]) == NOTICE


@pytest.mark.db_independent
def test_css_strings_escape_every_character_that_could_end_them():
    raw = 'a"b\\c\nd\re\x00f\x7fg</style>&h'
    literal = printing._css_string(raw)
    assert literal.startswith('"') and literal.endswith('"')
    inner = literal[1:-1]
    for char in ('"', "\n", "\r", "\x00", "\x7f", "<", ">", "&"):
        assert char not in inner, repr(char)
    # Every backslash starts a hex escape closed by a space.
    assert re.fullmatch(r"(?:[^\\]|\\[0-9a-f]{1,6} )*", inner), inner
    [token] = [t for t in tinycss2.parse_component_value_list(literal) if t.type != "whitespace"]
    assert token.type == "string" and token.value == raw.replace("\x00", "\ufffd")


def test_section_print_records_every_message_of_the_section_and_its_subsections(reader_client, reader):
    section = Section.objects.get(key="management-model")
    own = list(section.messages.filter(retired_in__isnull=True).order_by("position").values_list("identifier", flat=True))
    subsections = section.subsections.filter(retired_in__isnull=True).order_by("position")
    expected = own + [i for sub in subsections for i in sub.messages.filter(retired_in__isnull=True).order_by("position").values_list("identifier", flat=True)]
    assert len(own) == 2 and len(expected) == 2 + 4 + 3 + 3 + 3

    response = reader_client.get(reverse("messages:section_print", args=["migration-americas", section.key]), {"paper": "letter"})

    html = response.content.decode()
    [event] = printed_events()
    assert (event.target_type, event.target_id, event.message_identifier) == ("section", "management-model", "")
    assert event.details == {"format": "print", "kind": "section", "paper": "letter", "messages": expected, "document": "migration-americas"}
    assert [m for m in re.findall(r"<h2>([A-Z]{2,5}-\d{2}(?:\.\d{1,2})?)</h2>", html)] == expected
    assert NOTICE in html and event.trace_code in html
    assert f'href="{reverse("messages:section_pdf", args=["migration-americas", section.key])}?paper=letter"' in html


def document_headings():
    """The whole document's headings as printed, from the database: (level, text), in order: the
    title, the handling rules, introduction and summary, each section (2) with its messages (3) and its
    sub-sections (3) with theirs (4), then whom to contact."""
    edition = Edition.objects.current_first(DOCUMENT_SLUG).select_related("document").first()
    live = Section.objects.filter(document__slug=DOCUMENT_SLUG, retired_in__isnull=True)
    messages = Message.objects.filter(retired_in__isnull=True).order_by("position")
    headings = [(1, edition.document.title), (2, "How to use this document"), (2, "Introduction"), (2, "Summary")]
    for section in live.filter(parent__isnull=True).order_by("position"):
        headings.append((2, section.title))
        headings += [(3, m.identifier) for m in messages.filter(section=section)]
        for sub in live.filter(parent=section).order_by("position"):
            headings.append((3, f"{sub.number}. {sub.title}" if sub.number else sub.title))
            headings += [(4, m.identifier) for m in messages.filter(section=sub)]
    return headings + [(2, "If you need help or further information")]


def test_document_print_keeps_the_documents_structure_with_the_rules_and_every_live_message(reader_client, reader, library):
    response = reader_client.get(reverse("messages:document_print", args=["migration-americas"]))
    html = response.content.decode()
    expected = list(Message.objects.filter(retired_in__isnull=True).order_by("position").values_list("identifier", flat=True))
    [event] = printed_events()
    assert (event.target_type, event.target_id) == ("document", DOCUMENT_SLUG)
    assert event.details == {"format": "print", "kind": "document", "paper": "a4", "messages": expected, "document": "migration-americas"}
    edition = Edition.objects.current_first().first()
    assert '<h2 id="print-rules-title">How to use this document</h2>' in html and len(edition.handling_rules) >= 5
    for rule in edition.handling_rules:
        assert f"<li>{escape(rule)}</li>" in html
    assert len(re.findall(r'<article class="print-message">', html)) == len(expected) == 65
    assert NOTICE in html and event.trace_code in html and reader.email in html

    # Every heading, in the document's order and nesting: sections h2, the management model's four
    # approaches h3 inside it, each message under its own heading.
    printed = [(int(level), unescape(re.sub(r"<[^>]+>", "", text)).strip()) for level, text in re.findall(r"<h([1-4])\b[^>]*>(.*?)</h\1>", html, re.DOTALL)]
    headings = document_headings()
    assert printed == headings
    assert [text for level, text in headings if level == 3 and text[:3] in ("I. ", "II.", "III", "IV.")] == [
        "I. Protection and “do no harm”", "II. Advocacy and humanitarian diplomacy", "III. Core Principles and migration",
        "IV. Inclusion of migrant population in humanitarian programs",
    ]
    # The framing texts under their headings: introduction, summary, the lead before the approaches, contacts.
    order = [html.index(escape(edition.introduction[0])), html.index(escape(edition.summary)), html.index("Our management model is based on 4 approaches:")]
    order += [html.index("I. Protection and"), html.index("diana.medina@ifrc.org"), html.index("prey@icrc.org")]
    assert order == sorted(order) and html.index("How to use this document") < order[0]


# The session, the user with their membership, the request's savepoint pair (ATOMIC_REQUESTS); the
# document (its audience, the rules confirmed) and its current edition; the document's sections; its
# messages and their topics; the print: its code checked unused, its row, its access-log rows (one
# INSERT), the read receipts (one INSERT).
# SQLite takes at most 999 parameters a statement: the access-log rows (one per message printed, 66
# and then 86 here) go in two INSERTs of up to 52 rows.
QUERIES_DOCUMENT_PRINT = 13


def test_the_document_print_costs_the_same_queries_with_more_messages_and_sections(reader_client, reader, django_assert_num_queries):
    reader_client.get(reverse("messages:help", args=["migration-americas"]))  # the session's first request
    url = reverse("messages:document_print", args=["migration-americas"])
    queries = QUERIES_DOCUMENT_PRINT + (1 if connection.vendor == "sqlite" else 0)
    with django_assert_num_queries(queries):
        assert reader_client.get(url).status_code == 200
    add_messages(20)
    parent = Section.objects.get(key="detention-deportation")
    sub = Section.objects.create(document=parent.document, key="extra-approach", title="An extra approach", number="V", parent=parent, position=1000)
    Message.objects.filter(identifier__in=["ZZZ-18", "ZZZ-19"]).update(section=sub)
    with django_assert_num_queries(queries):
        response = reader_client.get(url)
    html = response.content.decode()
    assert len(re.findall(r'<article class="print-message">', html)) == 85
    assert html.index('<h3 class="print-message-id">ZZZ-17</h3>') < html.index('<h3 id="print-extra-approach">V. An extra approach</h3>')
    assert html.index('<h3 id="print-extra-approach">') < html.index('<h4 class="print-message-id">ZZZ-19</h4>') < html.index('<h2 id="print-programmes-actions">')


def test_every_print_has_its_own_code(reader_client, reader):
    briefing = make_briefing(reader, ["ADV-03"])
    urls = [reverse("messages:briefing_print", args=[briefing.pk])] * 3 + [reverse("messages:section_print", args=["migration-americas", "challenges"])] * 2
    codes = [reader_client.get(url).context["watermark"]["trace_code"] for url in urls]
    assert len(set(codes)) == 5
    assert [e.trace_code for e in printed_events()] == codes


# --- PDFs ---------------------------------------------------------------------------------------


def test_briefing_pdf_is_a4_with_the_watermark_on_every_page(reader_client, reader, society_admin):
    det = Message.objects.get(identifier="DET-04")
    note_save(acting_user=society_admin, message=det, text="Colombia says CanaryColP1.", visibility=Visibility.SOCIETY, expected_revision=None)
    mexican_admin = person("mexico", "admin@mexico.example.org", Membership.Role.SOCIETY_ADMIN)
    note_save(acting_user=mexican_admin, message=det, text="Mexico keeps CanaryMexP2.", visibility=Visibility.SOCIETY, expected_revision=None)
    briefing = make_briefing(reader, LONG, include_notes=True)

    response = reader_client.get(reverse("messages:briefing_pdf", args=[briefing.pk]))

    kind, code = pdf_code(response)
    pages = pdf_pages(response)
    assert kind == "briefing" and CODE_RE.match(code)
    assert len(pages) >= 2
    assert_every_page_watermarked(pages, reader, code, "a4", reader_name="Ana Gómez")
    whole = " ".join(text for _w, _h, text in pages)
    assert "CanaryColP1" in whole and "CanaryMexP2" not in whole
    assert whole.index("DET-01") < whole.index("GEN-12") < whole.index("GEN-03")
    [event] = printed_events()
    assert event.trace_code == code
    assert (event.actor_user_id, event.target_type, event.target_id) == (reader.pk, "briefing", str(briefing.pk))
    assert event.details == {"format": "pdf", "kind": "briefing", "paper": "a4", "messages": LONG}


def test_section_pdf_on_letter_paper(reader_client, reader):
    response = reader_client.get(reverse("messages:section_pdf", args=["migration-americas", "general-information"]), {"paper": "letter"})
    kind, code = pdf_code(response)
    pages = pdf_pages(response)
    assert kind == "section" and len(pages) >= 2
    assert_every_page_watermarked(pages, reader, code, "letter", reader_name="Ana Gómez")
    [event] = printed_events()
    expected = list(Message.objects.filter(section__key="general-information", retired_in__isnull=True).order_by("position").values_list("identifier", flat=True))
    assert event.trace_code == code
    assert event.details == {"format": "pdf", "kind": "section", "paper": "letter", "messages": expected, "document": "migration-americas"}


def test_whole_document_pdf_keeps_the_documents_structure(reader_client, reader):
    response = reader_client.get(reverse("messages:document_pdf", args=["migration-americas"]))
    kind, code = pdf_code(response)
    pages = pdf_pages(response)
    assert kind == "document" and len(pages) >= 5
    assert_every_page_watermarked(pages, reader, code, "a4")
    [event] = printed_events()
    assert (event.trace_code, event.target_type, event.target_id) == (code, "document", DOCUMENT_SLUG)
    assert event.details["format"] == "pdf" and event.details["kind"] == "document" and len(event.details["messages"]) == 65

    # On paper, in this order: the title and edition, the rules, the introduction, the summary, each
    # section's heading and its messages (the approaches inside the management model), the contacts.
    edition = Edition.objects.current_first().first()
    headings = document_headings()
    markers = [headings[0][1], "Edition 1 · 65 messages", "How to use this document", edition.handling_rules[0][:50]]
    markers += ["Introduction", edition.introduction[0][:50], "Summary", edition.summary[:50]]
    markers += [text for _level, text in headings[4:-1]]
    markers += ["If you need help or further information", "diana.medina@ifrc.org", "prey@icrc.org"]
    whole = " ".join(text for _w, _h, text in pages)
    at = 0
    for marker in markers:
        found = whole.find(marker, at)
        assert found >= 0, (marker, whole[at : at + 300])
        at = found + len(marker)

    # The outline (bookmarks) is the document's: title, then the parts and sections, the approaches
    # nested in the management model; no message identifiers.
    reader_pdf = PdfReader(io.BytesIO(response.content))

    def outline(items):
        return [outline(item) if isinstance(item, list) else item.title for item in items]

    sections = [text for level, text in headings[1:] if level == 2]
    approaches = [text for level, text in headings if level == 3 and not re.fullmatch(r"[A-Z]{2,5}-\d{2}(\.\d+)?", text)]
    management = sections.index("Red Cross’ management model")
    assert outline(reader_pdf.outline) == [headings[0][1], [*sections[: management + 1], approaches, *sections[management + 1 :]]]
    pages_of = [reader_pdf.get_destination_page_number(item) for item in reader_pdf.outline[1] if not isinstance(item, list)]
    assert pages_of == sorted(pages_of) and pages_of[-1] == len(pages) - 1


def test_a_name_with_markup_cannot_remove_the_pdf_watermark(hostile):
    client = sign_in(Client(), hostile)
    response = client.get(reverse("messages:section_pdf", args=["migration-americas", "challenges"]))
    _kind, code = pdf_code(response)
    pages = pdf_pages(response)
    assert_every_page_watermarked(pages, hostile, code, "a4", reader_name=HOSTILE_NAME)
    assert all(squash(f"{hostile.email} · {code}") in squash(text) for _w, _h, text in pages)  # the diagonal mark too


def _png(path):
    """A 1x1 red PNG on disk."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    path.write_bytes(raw)
    return path


@pytest.mark.db_independent
def test_pdfs_are_built_offline_and_a_refused_resource_does_not_break_them(tmp_path, monkeypatch):
    image = _png(tmp_path / "leak.png")
    opened = []
    monkeypatch.setattr("urllib.request.OpenerDirector.open", lambda self, *a, **k: opened.append(a) or (_ for _ in ()).throw(OSError("network")))
    html = (
        f'<html><head><link rel="stylesheet" href="https://example.invalid/x.css"></head>'
        f'<body><p>Offline body</p><img src="{image.as_uri()}"><img src="http://example.invalid/y.png"></body></html>'
    )
    pdf = PdfReader(io.BytesIO(printing.render_pdf(html)))
    assert "Offline body" in pdf.pages[0].extract_text()
    assert list(pdf.pages[0].images) == []  # the local file was not read either
    assert opened == []


# --- No access-log row, no print ----------------------------------------------------------------


def test_a_failed_access_log_write_gives_no_print_and_no_pdf(reader_client, reader, monkeypatch):
    briefing = make_briefing(reader, ["ADV-03"], title="Secret pack title")
    urls = [
        reverse("messages:briefing_print", args=[briefing.pk]),
        reverse("messages:briefing_pdf", args=[briefing.pk]),
        reverse("messages:section_print", args=["migration-americas", "challenges"]),
        reverse("messages:section_pdf", args=["migration-americas", "challenges"]),
        reverse("messages:document_print", args=["migration-americas"]),
        reverse("messages:document_pdf", args=["migration-americas"]) + "?paper=letter",
    ]

    def refuse(*rows, **fields):
        raise DatabaseError("disk full (simulated)")

    def never(html):
        raise AssertionError("a PDF was built without its access-log row")

    monkeypatch.setattr(printing_views, "render_pdf", never)
    for url in urls:
        with monkeypatch.context() as patch:
            patch.setattr(AuditEvent.objects, "create", refuse)
            patch.setattr(AuditEvent.objects, "bulk_create", refuse)
            response = reader_client.get(url)
        assert response.status_code == 503, url
        assert response["Content-Type"].startswith("text/html"), url
        assert not response.has_header("Content-Disposition"), url
        page = response.content.decode()
        assert "Temporarily unavailable" in page, url
        for secret in ("%PDF", "Secret pack title", "KM-", "print-mark", "deprived of their freedom", "CHA-01"):
            assert secret not in page, (url, secret)
    assert printed_events() == []


# --- Trace codes --------------------------------------------------------------------------------


def test_trace_codes_use_the_unambiguous_alphabet_and_are_unique(db):
    assert not set("01ILO") & set(printing.TRACE_ALPHABET)
    codes = [printing.new_trace_code() for _ in range(500)]
    assert all(CODE_RE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert set("".join(c[3:7] + c[8:] for c in codes)) == set(printing.TRACE_ALPHABET)


def test_a_new_code_is_never_one_already_printed(db, monkeypatch):
    Print.objects.create(trace_code="KM-2222-2222", reader_name="R", reader_email="r@x.org", paper="A4", kind="document", format="print")
    drawn = iter("2" * 8 + "2" * 8 + "3" * 8)
    monkeypatch.setattr(printing.secrets, "choice", lambda alphabet: next(drawn))
    assert printing.new_trace_code() == "KM-3333-3333"


def test_the_console_accepts_a_trace_code_as_people_type_it(db):
    code = printing.new_trace_code()
    for typed in (code, code.lower(), code.replace("-", ""), f"  {code.lower()}  ", "km" + code[3:].replace("-", "").lower()):
        form = EventFilterForm({"trace_code": typed}, organisations=NationalSociety.objects.all())
        assert form.is_valid(), (typed, form.errors)
        assert form.to_filters().trace_code == code, typed


def test_focal_points_find_a_print_by_its_trace_code(reader_client, reader, focal_point, society_admin):
    briefing = make_briefing(reader, ["ADV-03"])
    code = reader_client.get(reverse("messages:briefing_print", args=[briefing.pk])).context["watermark"]["trace_code"]
    reader_client.get(reverse("messages:section_print", args=["migration-americas", "challenges"]))  # another print, another code
    [event] = AuditEvent.objects.filter(trace_code=code)
    events_url = reverse("console:events")

    focal = sign_in(Client(), focal_point)
    for typed in (code, code.lower().replace("-", ""), f" {code.lower()} "):
        response = focal.get(events_url, {"trace_code": typed})
        assert response.status_code == 200
        assert [e.pk for e in response.context["page"].events] == [event.pk], typed
        html = response.content.decode()
        assert reader.email in html and f"<strong>{code}</strong>" in html

    # The reader's own society admin sees their society's events; another society's admin does not.
    own_admin = sign_in(Client(), society_admin)
    assert [e.pk for e in own_admin.get(events_url, {"trace_code": code}).context["page"].events] == [event.pk]
    mexican_admin = sign_in(Client(), person("mexico", "admin@mexico.example.org", Membership.Role.SOCIETY_ADMIN))
    response = mexican_admin.get(events_url, {"trace_code": code})
    assert response.status_code == 200 and list(response.context["page"].events) == []
    assert reader.email not in response.content.decode()
    # Members open no console.
    assert reader_client.get(events_url, {"trace_code": code}).status_code == 404
    # A code that looks wrong selects nothing (never every event behind an error).
    response = focal.get(events_url, {"trace_code": "KM-0000"})
    assert response.status_code == 200 and list(response.context["page"].events) == []


# --- Screen pages -------------------------------------------------------------------------------


def test_screen_pages_carry_a_light_watermark_with_the_reader(reader_client, reader):
    briefing = make_briefing(reader, ["ADV-03"])
    today = timezone.now().strftime("%Y-%m-%d")
    urls = [
        reverse("messages:home"),
        reverse("messages:section", args=["migration-americas", "challenges"]),
        reverse("messages:detail", args=["migration-americas", "ADV-03"]),
        reverse("messages:social", args=["migration-americas", "ADV-03"]),
        reverse("messages:topics", args=["migration-americas"]),
        reverse("messages:topic", args=["migration-americas", "children-adolescents"]),
        reverse("messages:search") + "?q=detention",
        reverse("messages:briefings"),
        reverse("messages:briefing", args=[briefing.pk]),
        reverse("messages:briefing_new"),
        reverse("messages:help", args=["migration-americas"]),
    ]
    for url in urls:
        response = reader_client.get(url)
        assert response.status_code == 200, url
        [mark] = re.findall(r'<div class="screen-watermark" aria-hidden="true">(.*?)</div>', response.content.decode(), re.S)
        assert mark.count(f"<span>{reader.email} · {SOCIETY} · {today}</span>") == 6, url
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert re.search(r"\.screen-watermark \{[^}]*position: fixed;[^}]*pointer-events: none;[^}]*opacity: 0\.0\d", css)
