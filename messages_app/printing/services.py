"""Print views and PDF of briefings, sections and the whole document, each watermarked with the
reader, their society, the date, "Internal — do not share outside <society>" and a trace code.

Every print and every PDF is recorded in the access log with its trace code, before it is built;
focal points look a trace code up in the console, so a copy found outside tells whose it was.
"""

import secrets

from django.utils import timezone

from django.utils.translation import gettext as _

from audit.models import Action, AuditEvent
from audit.services import audit_record
from national_societies.permissions import membership_of

# No 0/O, 1/I/L: a code read off a photocopy must not be ambiguous.
TRACE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}


def new_trace_code() -> str:
    """A fresh code: one that no print in the access log already carries (a code names one print)."""
    while True:
        raw = "".join(secrets.choice(TRACE_ALPHABET) for _ in range(8))
        code = f"KM-{raw[:4]}-{raw[4:]}"
        if not AuditEvent.objects.filter(trace_code=code).exists():
            return code


def print_record(*, request, kind: str, target_type: str, target_id: str, paper: str, messages=(), fmt: str = "print", translated: str = "") -> dict:
    """Record a print or PDF and return the watermark the pages carry.

    `translated`: the language of the official translations printed beside the originals, if any."""
    code = new_trace_code()
    membership = membership_of(request.user)
    society = membership.national_society.name if membership else ""
    audit_record(
        action=Action.PRINTED,
        actor=request.user,
        target_type=target_type,
        target_id=target_id,
        trace_code=code,
        details={
            "format": fmt, "kind": kind, "paper": paper, "messages": [m.identifier for m in messages][:200],
            **({"translation_shown": translated} if translated else {}),
        },
        request=request,
    )
    return {
        "trace_code": code,
        "reader": request.user.get_full_name() or request.user.email,
        "email": request.user.email,
        "society": society,
        "date": timezone.now(),
        "paper": PAPER_SIZES.get(paper, "A4"),
        "top_text": internal_notice(society),
    }


def internal_notice(society: str) -> str:
    return _("Internal — do not share outside %(society)s") % {"society": society}


def watermark_of_print(*, trace_code: str, user) -> dict | None:
    """The watermark of a print this user made, from its access-log row (None if it is not theirs)."""
    event = AuditEvent.objects.filter(action=Action.PRINTED, trace_code=trace_code, actor_user_id=user.pk).first()
    if event is None:
        return None
    return {
        "trace_code": event.trace_code,
        "reader": user.get_full_name() or user.email,
        "email": event.actor_email,
        "society": event.actor_organisation,
        "date": event.occurred_at,
        "paper": PAPER_SIZES.get(event.details.get("paper", "a4"), "A4"),
        "top_text": internal_notice(event.actor_organisation),
    }


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
    """@page margin boxes that put the watermark on every printed page (Chromium and WeasyPrint)."""
    bottom = " · ".join(
        [watermark["reader"], watermark["email"], watermark["society"], watermark["date"].strftime("%Y-%m-%d %H:%M") + " UTC", watermark["trace_code"]]
    )
    return (
        "@page {\n"
        f"  size: {watermark['paper']};\n"
        f"  @top-center {{ content: {_css_string(watermark['top_text'])}; font: 700 8.5pt sans-serif; color: #7a0a1c; text-transform: uppercase; }}\n"
        f"  @bottom-center {{ content: {_css_string(bottom)}; font: 8pt sans-serif; color: #333; }}\n"
        "  @bottom-right { content: counter(page) \" / \" counter(pages); font: 8pt sans-serif; color: #333; }\n"
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


def render_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint, offline: every URL fetch is refused (the resource is left out).

    The fetcher is a weasyprint URLFetcher: WeasyPrint 70 reads `_fail_on_errors` from the
    fetcher when a fetch fails, so a plain function made any refused URL crash the whole PDF.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"Refusing to fetch {url}: PDFs are built offline.")

    return HTML(string=html, url_fetcher=OfflineFetcher(fail_on_errors=False)).write_pdf()
