"""Print views and PDFs of briefings, sections and the whole document, each watermarked (services.py)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from messages_app.briefings import selectors as briefing_selectors
from messages_app.catalogue import selectors
from messages_app.catalogue.access import document_page
from messages_app.printing.outline import document_outline, outline_messages
from messages_app.printing.services import paper_of, print_css, print_record, render_pdf, watermark_css, watermark_of_print
from messages_app.translations.selectors import in_reader_language


def _printed(request, *, template_context, kind, target_type, target_id, messages, fmt, pdf_url, notes=(), sections=(), document=None):
    paper = paper_of(request)
    content = in_reader_language(request, messages=messages, sections=sections)
    translated = content.language if any(m.shown.translation for m in messages) else ""
    watermark = print_record(
        request=request, kind=kind, target_type=target_type, target_id=target_id, paper=paper, messages=messages, fmt=fmt,
        translated=translated, notes=notes, document=document,
    )
    context = {**template_context, "watermark": watermark, "paper": paper, "pdf": fmt == "pdf", "pdf_url": pdf_url, "content": content}
    if "title_section" in template_context:  # its heading in the reader's language, now that it is known
        context["title"] = template_context["title_section"].display_title
    if template_context.get("edition"):
        context["framing"] = content.framing(template_context["edition"])
    if fmt == "pdf":
        context["print_css"] = print_css() + watermark_css(watermark)
        pdf = render_pdf(render_to_string("messages_app/printing/print.html", context, request=request))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="key-messages-{kind}-{watermark["trace_code"]}.pdf"'
        return response
    return render(request, "messages_app/printing/print.html", context)


def _briefing_print(request, briefing_id, fmt):
    page = briefing_selectors.access_briefing_by_id(fetched_by=request.user, briefing_id=briefing_id)
    messages = [item.message for item in page.items]
    return _printed(
        request,
        template_context={"title": page.briefing.title, "briefing": page.briefing, "back_url": reverse("messages:briefing", args=[page.briefing.pk]), "entries": [(item.message, getattr(item, "note", None)) for item in page.items]},
        kind="briefing",
        target_type="briefing",
        target_id=str(page.briefing.pk),
        messages=messages,
        fmt=fmt,
        pdf_url=reverse("messages:briefing_pdf", args=[page.briefing.pk]),
        notes=page.notes,
    )


def _section_print(request, document, key, fmt):
    page = selectors.section_detail(document=document, key=key, fetched_by=request.user)
    messages = list(page.messages) + [m for _sub, sub_messages in page.subsections for m in sub_messages]
    return _printed(
        request,
        template_context={"title_section": page.section, "back_url": page.section.get_absolute_url(), "entries": [(m, None) for m in messages]},
        kind="section",
        target_type="section",
        target_id=page.section.key,
        messages=messages,
        sections=[page.section],
        fmt=fmt,
        pdf_url=reverse("messages:section_pdf", args=[document.slug, page.section.key]),
        document=document,
    )


def _document_print(request, document, fmt):
    edition = selectors.current_edition(document=document, fetched_by=request.user)
    sections = selectors.document_sections(document=document, fetched_by=request.user)
    outline = document_outline(sections, selectors.document_messages(document=document, fetched_by=request.user))
    messages = outline_messages(outline)
    return _printed(
        request,
        template_context={
            "title": document.title, "back_url": reverse("messages:document", args=[document.slug]), "edition": edition,
            "entries": [(m, None) for m in messages], "rules": True, "outline": outline,
        },
        kind="document",
        target_type="document",
        target_id=document.slug,
        messages=messages,
        sections=sections,
        fmt=fmt,
        pdf_url=reverse("messages:document_pdf", args=[document.slug]),
        document=document,
    )


@require_GET
def briefing_print(request, briefing_id):
    return _briefing_print(request, briefing_id, "print")


@require_GET
def briefing_pdf(request, briefing_id):
    return _briefing_print(request, briefing_id, "pdf")


@require_GET
@document_page
def section_print(request, document, key):
    return _section_print(request, document, key, "print")


@require_GET
@document_page
def section_pdf(request, document, key):
    return _section_print(request, document, key, "pdf")


@require_GET
@document_page
def document_print(request, document):
    return _document_print(request, document, "print")


@require_GET
@document_page
def document_pdf(request, document):
    return _document_print(request, document, "pdf")


@require_GET
def print_marks(request, trace_code):
    """The stylesheet that puts a print's watermark in the margin of every page. Only for its reader."""
    watermark = watermark_of_print(trace_code=trace_code, user=request.user)
    if watermark is None:
        raise Http404
    return HttpResponse(watermark_css(watermark), content_type="text/css; charset=utf-8")
