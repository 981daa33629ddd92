"""The door of every page under /documents/<document_slug>/: the document, if the reader reads it."""

from functools import wraps

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from messages_app.catalogue.selectors import document_for_reader

ACKNOWLEDGE_VIEW = "messages:acknowledge_rules"


def rules_confirmation_url(request, document) -> str:
    """"How to use this document" for `document`, coming back here afterwards (for a GET)."""
    target = reverse(ACKNOWLEDGE_VIEW, args=[document.slug])
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return target


def document_page(view=None, *, confirm_rules: bool = True):
    """Gives the view the document named by the URL, as the reader may read it (selectors.
    document_for_reader: 404 otherwise, recorded in the access log with the reason) and, unless
    `confirm_rules` is off, sends the reader to confirm the document's handling rules first when they
    have not confirmed its current version."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, document_slug, *args, **kwargs):
            document = document_for_reader(slug=document_slug, fetched_by=request.user)
            if confirm_rules and document.current_rules_version and not document.rules_confirmed:
                return redirect(rules_confirmation_url(request, document))
            return view(request, document, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
