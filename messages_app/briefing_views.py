"""Briefing packs: gather messages for an occasion, reorder, print or download as PDF."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from . import briefing_selectors, briefing_services, note_services, selectors
from national_societies.flash import flash_outcome

from .briefing_forms import BriefingForm
from .translation_selectors import in_reader_language
from .printing import paper_of, print_css, print_record, render_pdf, watermark_css, watermark_of_print


def _form_values(form):
    data = form.cleaned_data
    return {
        "title": data["title"],
        "occasion": data["occasion"],
        "occasion_date": data["occasion_date"],
        "include_notes": data["include_notes"],
    }


@require_safe
def briefing_list(request):
    briefings = briefing_selectors.briefing_list(fetched_by=request.user)
    return render(request, "messages_app/briefing_list.html", {"briefings": briefings, "form": BriefingForm()})


@require_http_methods(["GET", "POST"])
def briefing_new(request):
    briefing_selectors.briefing_list(fetched_by=request.user)  # the reader check
    identifiers = request.POST.getlist("message") or request.GET.getlist("message")
    chosen = briefing_services.messages_by_identifier(identifiers)
    form = BriefingForm(request.POST or None) if request.method == "POST" and "title" in request.POST else BriefingForm()
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            briefing = briefing_services.briefing_create(acting_user=request.user, messages=chosen, **_form_values(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("Briefing created."))
            return redirect("messages:briefing", briefing.pk)
    return render(request, "messages_app/briefing_new.html", {"form": form, "chosen": chosen})


@require_POST
def briefing_add(request):
    """From a message, section, topic or search page: add the messages to a briefing (or a new one)."""
    identifiers = request.POST.getlist("message")
    target = request.POST.get("briefing", "new")
    if target == "new":
        query = urlencode([("message", identifier) for identifier in identifiers])
        return redirect(reverse("messages:briefing_new") + ("?" + query if query else ""))
    try:
        briefing = briefing_selectors.briefing_detail(fetched_by=request.user, briefing_id=int(target)).briefing
    except ValueError as error:
        raise Http404 from error
    flash_outcome(
        request,
        lambda: briefing_services.briefing_add_messages(
            acting_user=request.user, briefing=briefing, messages=briefing_services.messages_by_identifier(identifiers)
        ),
        lambda added: _("%(n)d message(s) added to “%(title)s”.") % {"n": added, "title": briefing.title},
    )
    return redirect("messages:briefing", briefing.pk)


@require_http_methods(["GET", "POST"])
def briefing_detail(request, briefing_id):
    page = briefing_selectors.briefing_detail(fetched_by=request.user, briefing_id=briefing_id)
    briefing = page.briefing
    form = BriefingForm(
        request.POST or None,
        initial={"title": briefing.title, "occasion": briefing.occasion, "occasion_date": briefing.occasion_date, "include_notes": briefing.include_notes},
    )
    if request.method == "POST" and form.is_valid():
        briefing_services.briefing_update(acting_user=request.user, briefing=briefing, **_form_values(form))
        flash.success(request, _("Briefing saved."))
        return redirect("messages:briefing", briefing.pk)
    note_services.notes_viewed_record(request=request, notes=page.notes)
    content = in_reader_language(request, messages=[item.message for item in page.items])
    return render(request, "messages_app/briefing_detail.html", {"page": page, "briefing": briefing, "form": form, "content": content})


@require_POST
def briefing_item(request, briefing_id, item_id):
    page = briefing_selectors.briefing_detail(fetched_by=request.user, briefing_id=briefing_id)
    action = request.POST.get("action")
    if action in ("up", "down"):
        briefing_services.briefing_move_item(acting_user=request.user, briefing=page.briefing, item_id=item_id, direction=action)
    elif action == "remove":
        briefing_services.briefing_remove_item(acting_user=request.user, briefing=page.briefing, item_id=item_id)
        flash.success(request, _("Message removed from the briefing."))
    return redirect(reverse("messages:briefing", args=[briefing_id]) + f"#item-{item_id}")


@require_POST
def briefing_duplicate(request, briefing_id):
    page = briefing_selectors.briefing_detail(fetched_by=request.user, briefing_id=briefing_id)
    copy = briefing_services.briefing_duplicate(acting_user=request.user, briefing=page.briefing)
    flash.success(request, _("Briefing duplicated: this is the copy."))
    return redirect("messages:briefing", copy.pk)


@require_http_methods(["GET", "POST"])
def briefing_delete(request, briefing_id):
    page = briefing_selectors.briefing_detail(fetched_by=request.user, briefing_id=briefing_id)
    if request.method == "POST":
        briefing_services.briefing_delete(acting_user=request.user, briefing=page.briefing)
        flash.success(request, _("Briefing deleted."))
        return redirect("messages:briefings")
    return render(request, "messages_app/briefing_delete.html", {"briefing": page.briefing})


def _printed(request, *, template_context, kind, target_type, target_id, messages, fmt, pdf_url, notes=(), sections=()):
    paper = paper_of(request)
    content = in_reader_language(request, messages=messages, sections=sections)
    translated = content.language if any(m.shown.translation for m in messages) else ""
    watermark = print_record(
        request=request, kind=kind, target_type=target_type, target_id=target_id, paper=paper, messages=messages, fmt=fmt,
        translated=translated,
    )
    note_services.notes_viewed_record(request=request, notes=notes)
    context = {**template_context, "watermark": watermark, "paper": paper, "pdf": fmt == "pdf", "pdf_url": pdf_url, "content": content}
    if "title_section" in template_context:  # its heading in the reader's language, now that it is known
        context["title"] = template_context["title_section"].display_title
    if template_context.get("edition"):
        context["framing"] = content.framing(template_context["edition"])
    if fmt == "pdf":
        context["print_css"] = print_css() + watermark_css(watermark)
        pdf = render_pdf(render_to_string("messages_app/print.html", context, request=request))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="key-messages-{kind}-{watermark["trace_code"]}.pdf"'
        return response
    return render(request, "messages_app/print.html", context)


def _briefing_print(request, briefing_id, fmt):
    page = briefing_selectors.briefing_detail(fetched_by=request.user, briefing_id=briefing_id)
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


def _section_print(request, key, fmt):
    page = selectors.section_detail(key=key, fetched_by=request.user)
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
        pdf_url=reverse("messages:section_pdf", args=[page.section.key]),
    )


def _document_print(request, fmt):
    home = selectors.library_home(fetched_by=request.user)
    messages = selectors.document_messages(fetched_by=request.user)
    return _printed(
        request,
        template_context={"title": home.document.title, "back_url": reverse("messages:home"), "edition": home.edition, "entries": [(m, None) for m in messages], "rules": True},
        kind="document",
        target_type="document",
        target_id=home.document.slug,
        messages=messages,
        fmt=fmt,
        pdf_url=reverse("messages:document_pdf"),
    )


@require_GET
def briefing_print(request, briefing_id):
    return _briefing_print(request, briefing_id, "print")


@require_GET
def briefing_pdf(request, briefing_id):
    return _briefing_print(request, briefing_id, "pdf")


@require_GET
def section_print(request, key):
    return _section_print(request, key, "print")


@require_GET
def section_pdf(request, key):
    return _section_print(request, key, "pdf")


@require_GET
def document_print(request):
    return _document_print(request, "print")


@require_GET
def document_pdf(request):
    return _document_print(request, "pdf")


@require_GET
def print_marks(request, trace_code):
    """The stylesheet that puts a print's watermark in the margin of every page. Only for its reader."""
    watermark = watermark_of_print(trace_code=trace_code, user=request.user)
    if watermark is None:
        raise Http404
    return HttpResponse(watermark_css(watermark), content_type="text/css; charset=utf-8")
