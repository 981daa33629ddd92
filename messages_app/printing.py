"""Print views and PDF of briefings, sections and the whole document, each watermarked with the
reader, their society, the date, "Internal — do not share outside <society>" and a trace code.

Every print and every PDF is recorded in the access log with its trace code, before it is built;
focal points look a trace code up in the console, so a copy found outside tells whose it was.
"""

import secrets

from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from national_societies.permissions import membership_of

# No 0/O, 1/I/L: a code read off a photocopy must not be ambiguous.
TRACE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}


def new_trace_code() -> str:
    raw = "".join(secrets.choice(TRACE_ALPHABET) for _ in range(8))
    return f"KM-{raw[:4]}-{raw[4:]}"


def print_record(*, request, kind: str, target_type: str, target_id: str, paper: str, messages=(), fmt: str = "print") -> dict:
    """Record a print or PDF and return the watermark the pages carry."""
    code = new_trace_code()
    membership = membership_of(request.user)
    society = membership.national_society.name if membership else ""
    audit_record(
        action=Action.PRINTED,
        actor=request.user,
        target_type=target_type,
        target_id=target_id,
        trace_code=code,
        details={"format": fmt, "kind": kind, "paper": paper, "messages": [m.identifier for m in messages][:200]},
        request=request,
    )
    return {
        "trace_code": code,
        "reader": request.user.get_full_name() or request.user.email,
        "email": request.user.email,
        "society": society,
        "date": timezone.now(),
        "paper": PAPER_SIZES.get(paper, "A4"),
    }


def paper_of(request) -> str:
    paper = request.GET.get("paper", "a4").lower()
    return paper if paper in PAPER_SIZES else "a4"


def print_css() -> str:
    """The print stylesheet, inlined into PDFs (WeasyPrint fetches nothing, not even from us)."""
    from django.contrib.staticfiles import finders

    with open(finders.find("css/print.css"), encoding="utf-8") as handle:
        return handle.read()


def render_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint, offline: every URL fetch is refused."""
    from weasyprint import HTML

    def refuse(url, *args, **kwargs):
        raise ValueError(f"Refusing to fetch {url}: PDFs are built offline.")

    return HTML(string=html, url_fetcher=refuse).write_pdf()
