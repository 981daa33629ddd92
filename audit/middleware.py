"""Binds each request to the access log and makes sure the log never fails open."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string

from audit.context import bind_request, unbind_request
from audit.services import AuditWriteFailed, audit_record_denial


class AuditMiddleware:
    """Gives every request an id (also sent back as X-Request-ID) for the events it records.

    If an event cannot be written, the request's transaction is rolled back and the user gets a
    plain error page: never the content the event was about. Denials (404 and 403 raised by a view)
    are recorded here, after the request's transaction was rolled back, so they survive it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = bind_request(request)
        try:
            response = self.get_response(request)
        finally:
            unbind_request(token)
        response["X-Request-ID"] = request.audit_request_id
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, AuditWriteFailed):
            return audit_unavailable_response(request)
        if isinstance(exception, (Http404, PermissionDenied)):
            reason = getattr(exception, "audit_reason", None) or ("not found" if isinstance(exception, Http404) else "forbidden")
            try:
                audit_record_denial(request=request, reason=reason)
            except AuditWriteFailed:
                return audit_unavailable_response(request)
        return None


def audit_unavailable_response(request):
    # Rendered without the site layout and without a request context: no database access, no content.
    html = render_to_string("audit/unavailable.html", {"request_id": getattr(request, "audit_request_id", "")})
    return HttpResponse(html, status=503)
