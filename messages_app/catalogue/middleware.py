"""Nobody sees a message before confirming the document's handling rules of the current version."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from national_societies.middleware import is_account_page, url_name_of

from messages_app.catalogue.reads import is_silent
from messages_app.catalogue.selectors import current_rules_version, rules_acknowledged

ACKNOWLEDGED_KEY = "km_rules_acknowledged"
ACKNOWLEDGE_VIEW = "messages:acknowledge_rules"


class RulesAcknowledgementMiddleware:
    """Sends a signed-in user to "How to use this document" until they confirm its current version.

    The confirmed version is remembered in the session, so the database is asked once per session
    and again only when a new edition changes the rules.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            view_name = url_name_of(request)
            if view_name != ACKNOWLEDGE_VIEW and not is_account_page(view_name):
                version = current_rules_version()
                if version and request.session.get(ACKNOWLEDGED_KEY) != version:
                    if not rules_acknowledged(user=user, rules_version=version):
                        target = reverse(ACKNOWLEDGE_VIEW)
                        if request.method == "GET":
                            target += "?" + urlencode({"next": request.get_full_path()})
                        return redirect(target)
                    request.session[ACKNOWLEDGED_KEY] = version
        return self.get_response(request)


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
