"""Pages of the canonical library. Views are thin: they call a selector and render."""

from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.redirects import local_next_url
from messages_app.briefings import selectors as briefing_selectors
from messages_app.notes import selectors as note_selectors
from messages_app.catalogue import selectors, services
from messages_app.catalogue.access import document_page
from messages_app.catalogue.models import DOCUMENT_SLUG
from messages_app.catalogue.reads import Action, record_shown, shown
from messages_app.reading.search import MAX_QUERY_LENGTH, highlight, highlight_text, message_search, searchable_documents
from messages_app.translations.selectors import in_reader_language, translation_coverage


def _briefing_menu(request, messages):
    """What the "Add to a briefing" form needs: the messages on the page, the user's briefings and the
    one they last added to (chosen in the menu)."""
    menu = briefing_selectors.briefing_menu(fetched_by=request.user)
    return {"add_messages": messages, "recent_briefings": menu.briefings, "last_briefing_id": menu.last_used_id}


@require_safe
def home(request):
    """The library: the documents the reader's organisation reads."""
    documents = selectors.documents_for_reader(fetched_by=request.user)
    return render(request, "messages_app/reading/library.html", {"documents": documents})


@require_safe
@document_page
def document_home(request, document):
    home = selectors.document_home(document=document, fetched_by=request.user)
    record_shown(request, action=Action.VIEWED_DOCUMENT, target=document, target_id=document.slug, document=document)
    content = in_reader_language(request, sections=[*home.sections, *(sub for s in home.sections for sub in s.subsections.all())])
    return render(
        request,
        "messages_app/reading/library_home.html",
        {"home": home, "document": document, "content": content, "framing": content.framing(home.edition)},
    )


@require_POST
@document_page
def edition_notice_dismiss(request, document):
    services.edition_notice_dismiss(user=request.user, edition=selectors.current_edition(document=document, fetched_by=request.user))
    return redirect("messages:document", document.slug)


@require_safe
@document_page
def section(request, document, key):
    page = selectors.section_detail(document=document, key=key, fetched_by=request.user)
    panel = note_selectors.notes_panel(fetched_by=request.user, section=page.section)
    section_messages = list(page.messages) + [m for _sub, sub_messages in page.subsections for m in sub_messages]
    content = in_reader_language(request, messages=section_messages, sections=[page.section, *(sub for sub, _m in page.subsections)])
    record_shown(
        request, action=Action.VIEWED_SECTION, target_type="section", target_id=page.section.key, notes=panel.notes,
        reads=shown(section_messages, "section"), document=document,
    )
    return render(
        request,
        "messages_app/reading/section_detail.html",
        {"page": page, "document": document, "section": page.section, "panel": panel, "content": content, **_briefing_menu(request, section_messages)},
    )


@require_safe
@document_page
def detail(request, document, identifier):
    page = selectors.message_detail(document=document, identifier=identifier, fetched_by=request.user)
    in_reader_language(request, messages=[page.message, *page.children], sections=[page.message.section])
    panel = note_selectors.notes_panel(fetched_by=request.user, message=page.message)
    record_shown(
        request, action=Action.VIEWED_MESSAGE, target_type="message", target_id=page.message.identifier,
        message=page.message, version=page.version, details=_translation_shown(page.message), notes=panel.notes,
        reads=shown(page.children, "message"),  # a parent's page shows its children in full
        document=document,
    )
    return render(
        request,
        "messages_app/reading/message_detail.html",
        {"page": page, "document": document, "message": page.message, "panel": panel, **_briefing_menu(request, [page.message])},
    )


@require_safe
@document_page
def version(request, document, identifier, number):
    page = selectors.message_detail(document=document, identifier=identifier, fetched_by=request.user, version_number=number)
    in_reader_language(request, messages=[page.message, *page.children], sections=[page.message.section])
    record_shown(
        request, action=Action.VIEWED_MESSAGE, target_type="message", target_id=page.message.identifier,
        message=page.message, version=page.version, reads=shown(page.children, "message"), document=document,
    )
    return render(request, "messages_app/reading/message_detail.html", {"page": page, "document": document, "message": page.message})


def _version_number(value):
    return int(value) if value and value.isdigit() and len(value) < 6 else None


@require_safe
@document_page
def compare(request, document, identifier):
    """Two versions of a message side by side, word by word (?from=1&to=2; default: the last change)."""
    comparison = selectors.message_versions_compare(
        document=document, identifier=identifier, fetched_by=request.user,
        older=_version_number(request.GET.get("from")), newer=_version_number(request.GET.get("to")),
    )
    record_shown(
        request, action=Action.VIEWED_MESSAGE, target_type="message", target_id=comparison.message.identifier,
        message=comparison.message, version=comparison.newer,
        details={"compared_with_version": comparison.older.number} if comparison.older else None, document=document,
    )
    return render(
        request, "messages_app/reading/compare.html", {"comparison": comparison, "document": document, "message": comparison.message}
    )


@require_safe
@document_page
def topics(request, document):
    topic_list = selectors.topic_list(document=document, fetched_by=request.user)
    in_reader_language(request, topics=topic_list)
    return render(request, "messages_app/reading/topic_list.html", {"topics": topic_list, "document": document})


@require_safe
@document_page
def topic(request, document, slug):
    topic, topic_messages = selectors.topic_detail(document=document, slug=slug, fetched_by=request.user)
    content = in_reader_language(request, messages=topic_messages, topics=[topic])
    record_shown(
        request, action=Action.VIEWED_TOPIC, target_type="topic", target_id=topic.slug, reads=shown(topic_messages, "topic"),
        document=document,
    )
    return render(
        request,
        "messages_app/reading/topic_detail.html",
        {"topic": topic, "document": document, "topic_messages": topic_messages, "content": content, **_briefing_menu(request, topic_messages)},
    )


@require_safe
def search(request):
    """Search across the documents the reader reads (?document=<slug>: only that one)."""
    # A NUL character cannot be typed, and PostgreSQL refuses it in a query: it is dropped, the rest searched.
    query = request.GET.get("q", "").replace("\x00", "").strip()
    chosen = request.GET.get("document", "").replace("\x00", "")[:60]
    readable = searchable_documents(fetched_by=request.user)
    documents = searchable_documents(fetched_by=request.user, only=chosen)
    context = {
        "query": query, "results": None, "page_obj": None, "documents": readable,
        "chosen_document": chosen if len(documents) == 1 and documents[0].slug == chosen else "",
        "several_documents": len(readable) > 1,
    }
    if len(query) > MAX_QUERY_LENGTH:
        flash.error(request, _("Your search is too long: use at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH})
        query = context["query"] = query[:MAX_QUERY_LENGTH]
    if query:
        queryset, terms = message_search(query=query, fetched_by=request.user, documents=documents, language=request.LANGUAGE_CODE)
        page_obj = Paginator(queryset, settings.SEARCH_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        context["notes"] = note_selectors.note_search(fetched_by=request.user, terms=terms, documents=documents)
        found = list(page_obj.object_list)
        by_id = {document.pk: document for document in readable}
        for message in found:  # the document each result belongs to, shown when there are several
            message.document = by_id[message.document_id]
        context["content"] = in_reader_language(request, messages=found)
        details = {"page": page_obj.number}
        if context["chosen_document"]:
            details["document"] = context["chosen_document"]
        record_shown(
            request, action=Action.SEARCHED, target_type="search", query=query, details=details,
            notes=context["notes"], reads=shown(found, "search"),
        )
        context.update(
            page_obj=page_obj,
            terms=terms,
            results=[(m, highlight(m, terms), highlight_text(m.shown.translation, terms)) for m in found],
            **_briefing_menu(request, found),
        )
    if len(documents) == 1:
        context["topics_document"] = documents[0]
        if not query:
            context["topics"] = selectors.topic_list(document=documents[0], fetched_by=request.user)
            in_reader_language(request, topics=context["topics"])
    return render(request, "messages_app/reading/search_results.html", context)


@require_safe
@document_page
def help_page(request, document):
    edition = selectors.current_edition(document=document, fetched_by=request.user)
    framing = in_reader_language(request).framing(edition)
    return render(
        request,
        "messages_app/reading/help.html",
        {"edition": edition, "document": document, "framing": framing, "coverage": translation_coverage(document)},
    )


class RulesAcknowledgementForm(forms.Form):
    confirm = forms.BooleanField(
        label=_lazy("I have read how to use this document and I will follow these rules."),
        error_messages={"required": _lazy("Tick the box to confirm that you have read the rules.")},
    )
    # The version of the rules the page showed: a confirmation counts only for rules actually read.
    rules_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, current_rules_version: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_rules_version = current_rules_version

    def clean_rules_version(self):
        shown = self.cleaned_data["rules_version"]
        if shown and shown != self.current_rules_version:
            raise forms.ValidationError(
                _("The rules changed while this page was open. Read the new rules below and confirm again.")
            )
        return shown


@require_http_methods(["GET", "POST"])
@document_page(confirm_rules=False)
def acknowledge_rules(request, document):
    """'How to use this document': read and confirm before any of its messages is shown."""
    edition = selectors.current_edition(document=document, fetched_by=request.user)
    next_url = local_next_url(request, request.POST.get("next") or request.GET.get("next") or "")
    already = document.rules_confirmed
    form = RulesAcknowledgementForm(request.POST or None, current_rules_version=edition.rules_version)
    if request.method == "POST" and form.is_valid():
        services.rules_acknowledge(user=request.user, edition=edition)
        return redirect(next_url or reverse("messages:document", args=[document.slug]))
    framing = in_reader_language(request).framing(edition)
    rules_changes = [] if already else selectors.rules_changes_since_acknowledged(user=request.user, edition=edition)
    return render(
        request,
        "messages_app/reading/acknowledge_rules.html",
        {
            "edition": edition, "document": document, "framing": framing, "form": form, "next": next_url, "already": already,
            "rules_changes": rules_changes,
        },
    )


@require_POST
@document_page
def copied(request, document, identifier):
    """The copy button tells the server a message's text was copied, so that it is in the access log."""
    page = selectors.message_detail(document=document, identifier=identifier, fetched_by=request.user)
    details = None
    language = request.GET.get("language", "")
    if language != settings.KEY_MESSAGES_ORIGINAL_LANGUAGE and language in dict(settings.LANGUAGES):
        details = {"copied": "official translation", "language": language}
    if request.GET.get("source") == "1":  # "With its source": the text, then its identifier and edition
        details = {**(details or {}), "with_source": True}
    record_shown(
        request, action=Action.COPIED_MESSAGE, target_type="message", target_id=page.message.identifier,
        message=page.message, version=page.version, details=details, document=document,
    )
    return HttpResponse(status=204)


# Post limits of common platforms, in characters (as counted by the platform, near enough).
POST_LIMITS = [("X", 280), ("Bluesky", 300), ("Threads", 500), ("LinkedIn", 3000), ("Instagram", 2200), ("Facebook", 63206)]


@require_safe
@document_page
def social(request, document, identifier):
    """A message prepared for a social media post: the text, a live count against post limits, copy."""
    page = selectors.message_detail(document=document, identifier=identifier, fetched_by=request.user)
    in_reader_language(request, messages=[page.message])
    record_shown(
        request, action=Action.VIEWED_MESSAGE, target_type="message", target_id=page.message.identifier,
        message=page.message, version=page.version, details={"page": "social media helper", **(_translation_shown(page.message) or {})},
        document=document,
    )
    length = len(page.message.shown.translation or page.version.text)
    limits = [(name, limit, limit - length) for name, limit in POST_LIMITS]
    return render(
        request, "messages_app/reading/social.html",
        {"page": page, "document": document, "message": page.message, "length": length, "limits": limits},
    )


def _translation_shown(message):
    """Access-log details when the page showed an official translation beside the original."""
    if message.shown.translation:
        return {"translation_shown": message.shown.language}
    return None


@require_safe
@document_page
def changes(request, document):
    """What changed since your last visit: new messages, and changed ones with the canonical diff."""
    changes = selectors.changes_since_last_visit(document=document, fetched_by=request.user)
    record_shown(
        request, action=Action.VIEWED_DOCUMENT, target=document, target_id=document.slug, details={"page": "what changed"},
        reads=shown([item.message for item in changes.items], "changes"), document=document,
    )
    return render(request, "messages_app/reading/changes.html", {"changes": changes, "items": changes.items, "document": document})


@require_POST
@document_page
def changes_seen(request, document):
    """"Mark as seen": the list of changes starts again from now."""
    services.changes_mark_seen(user=request.user, document=document)
    flash.success(request, _("Marked as seen: the next changes will be listed from now."))
    return redirect("messages:changes", document.slug)


def legacy_redirect(request, rest=""):
    """The URLs of the single-document library (/messages/GEN-01/, /sections/…, /print/…) lead, for
    good, to the same page of that document under /documents/<slug>/."""
    target = f"/documents/{DOCUMENT_SLUG}{request.path_info}"
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return HttpResponsePermanentRedirect(target)
