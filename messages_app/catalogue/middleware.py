"""Nobody sees a message before confirming its document's handling rules of the current version."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from national_societies.middleware import is_account_page, url_name_of
from national_societies.viewer import viewer_of

from messages_app.catalogue.access import ACKNOWLEDGE_VIEW, rules_confirmation_url
from messages_app.catalogue.reads import is_silent
from messages_app.catalogue.selectors import documents_for_reader

# Pages that need no confirmation: the library's list of documents (it says which rules wait for one).
_NO_CONFIRMATION_NEEDED = {ACKNOWLEDGE_VIEW, "messages:home"}


class RulesAcknowledgementMiddleware:
    """Sends a signed-in reader to "How to use this document" until they confirm its current rules.

    A page of one document (/documents/<slug>/…) asks for that document's rules, in its view
    (catalogue.access.document_page), which reads the document anyway. Every other page that shows
    content of several documents, or is reached from them (search, briefings, notes, the console,
    the society pages), asks for the rules of every document the reader reads: one query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._needs_every_confirmation(request):
            if viewer_of(user).membership is not None:
                for document in documents_for_reader(fetched_by=user):
                    if document.current_rules_version and not document.rules_confirmed:
                        return redirect(rules_confirmation_url(request, document))
        return self.get_response(request)

    @staticmethod
    def _needs_every_confirmation(request) -> bool:
        view_name = url_name_of(request)
        if view_name in _NO_CONFIRMATION_NEEDED or is_account_page(view_name):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return not (match.namespace == "messages" and "document_slug" in match.kwargs)


class SilentReadsMiddleware:
    """A library page asked by HEAD or by a browser's speculative prefetch is answered without its
    text, so that no text leaves unrecorded (the read path records nothing for them: reads.is_silent).

    A prefetch gets 204 No Content, not cached: the browser asks again when the reader opens the page.
    A HEAD gets the status and headers the GET would, without the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        library = (url_name_of(request) or "").startswith("messages:")
        if not (library and is_silent(request)):
            return self.get_response(request)
        if request.method != "HEAD":
            response = HttpResponse(status=204)
            response["Cache-Control"] = "no-store"
            return response
        response = self.get_response(request)
        if not response.streaming:
            response.content = b""
        return response
