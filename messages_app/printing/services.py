"""Print views and PDF of briefings, sections and the whole document, each watermarked with the
reader, their society, the date, "Internal — do not share outside <society>" and a trace code.

Every print and every PDF is recorded (a Print row, and the access log with its trace code) before it
is built; focal points look a trace code up in the console, so a copy found outside tells whose it was.
"""

import re
import secrets

from django.utils.translation import gettext as _

from messages_app.catalogue.reads import Action, record_shown, shown
from messages_app.printing.models import Print
from national_societies.viewer import viewer_of

# No 0/O, 1/I/L: a code read off a photocopy must not be ambiguous.
TRACE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# What a trace code looks like, checked before one is looked up: anything else (a NUL character, which
# PostgreSQL refuses in a query; ten thousand characters) is no print, without asking the database.
TRACE_CODE_RE = re.compile(r"KM-[0-9A-Z]{4}-[0-9A-Z]{4}")
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}

def new_trace_code() -> str:
    """A fresh code: one that no earlier print carries (a code names one print)."""
    while True:
        raw = "".join(secrets.choice(TRACE_ALPHABET) for _ in range(8))
        code = f"KM-{raw[:4]}-{raw[4:]}"
        if not Print.objects.filter(trace_code=code).exists():
            return code

def print_record(
    *, request, kind: str, target_type: str, target_id: str, paper: str, messages=(), fmt: str = "print",
    translated: str = "", notes=(), document=None,
) -> dict:
    """Record a print or PDF (its Print row and its access-log rows, in the request's transaction)
    and return the watermark its pages carry.

    `translated`: the language of the official translations printed beside the originals, if any;
    `notes`: the society notes printed with the messages (each recorded as read); `document`: the
    document printed from (a section or the whole document; a briefing may mix documents)."""
    code = new_trace_code()
    viewer = viewer_of(request.user)
    society = viewer.organisation.name if viewer.organisation else ""
    printed = Print.objects.create(
        trace_code=code,
        reader=request.user,
        reader_name=request.user.get_full_name() or request.user.email,
        reader_email=request.user.email,
        organisation=society,
        paper=PAPER_SIZES.get(paper, "A4"),
        kind=kind,
        format=fmt,
    )
    record_shown(
        request,
        action=Action.PRINTED,
        target_type=target_type,
        target_id=target_id,
        trace_code=code,
        details={
            "format": fmt, "kind": kind, "paper": paper, "messages": [m.identifier for m in messages][:200],
            **({"translation_shown": translated} if translated else {}),
        },
        notes=notes,
        reads=shown(messages, "print"),
        document=document,
    )
    return _watermark(printed)

def _watermark(printed: Print) -> dict:
    return {
        "trace_code": printed.trace_code,
        "reader": printed.reader_name,
        "email": printed.reader_email,
        "society": printed.organisation,
        "date": printed.printed_at,
        "paper": printed.paper,
        "top_text": internal_notice(printed.organisation),
    }

def internal_notice(society: str) -> str:
    return _("Internal — do not share outside %(society)s") % {"society": society}

def watermark_of_print(*, trace_code: str, user) -> dict | None:
    """The watermark of a print this user made (None if there is none, or it is someone else's)."""
    if not TRACE_CODE_RE.fullmatch(trace_code):
        return None
    printed = Print.objects.filter(trace_code=trace_code, reader_id=user.pk).first()
    return _watermark(printed) if printed is not None else None

def _css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and control characters escaped, and also < > &:
    the PDF inlines this CSS in a <style> element, where a name holding "</style>" would end it
    (and the rest of the name could then be CSS that hides the watermark)."""
    out = []
    for char in str(text):
        if char in ('"', "\\", "<", ">", "&") or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'

def watermark_css(watermark: dict) -> str:
    """@page margin boxes that put the watermark on every printed page (Chromium and WeasyPrint).

    The marks stay on the page whatever their length (a name may be 300 characters, an address 254):
    they wrap anywhere, the page number keeps a fixed width beside them, and a text taller than the
    margin grows towards the page's middle (the top one downwards, the bottom one upwards), never
    off the paper."""
    bottom = " · ".join(
        [watermark["reader"], watermark["email"], watermark["society"], watermark["date"].strftime("%Y-%m-%d %H:%M") + " UTC", watermark["trace_code"]]
    )
    fits = "overflow-wrap: anywhere; line-height: 1.2;"
    return (
        "@page {\n"
        f"  size: {watermark['paper']};\n"
        f"  @top-center {{ content: {_css_string(watermark['top_text'])}; font: 700 8.5pt sans-serif; color: #7a0a1c; text-transform: uppercase; {fits} vertical-align: top; padding-top: 7mm; }}\n"
        f"  @bottom-center {{ content: {_css_string(bottom)}; font: 8pt sans-serif; color: #333; {fits} width: 140mm; vertical-align: bottom; padding-bottom: 7mm; }}\n"
        "  @bottom-right { content: counter(page) \" / \" counter(pages); font: 8pt sans-serif; color: #333; white-space: nowrap; vertical-align: bottom; padding-bottom: 7mm; }\n"
        "}\n"
    )

def paper_of(request) -> str:
    paper = request.GET.get("paper", "a4").lower()
    return paper if paper in PAPER_SIZES else "a4"

def print_css() -> str:
    """The print stylesheet, inlined into PDFs (WeasyPrint fetches nothing, not even from us)."""
    from django.contrib.staticfiles import finders

    with open(finders.find("css/print.css"), encoding="utf-8") as handle:
        return handle.read()

def laid_out(html: str):
    """HTML laid out in pages by WeasyPrint (a weasyprint.Document), offline: every URL fetch is
    refused (the resource is left out). render_pdf writes these pages; tests measure them.

    The fetcher is a weasyprint URLFetcher: WeasyPrint 70 reads `_fail_on_errors` from the
    fetcher when a fetch fails, so a plain function made any refused URL crash the whole PDF.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"Refusing to fetch {url}: PDFs are built offline.")

    return HTML(string=html, url_fetcher=OfflineFetcher(fail_on_errors=False)).render()

def render_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint, offline (see laid_out)."""
    return laid_out(html).write_pdf()
