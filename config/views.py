"""Site-level endpoints that need no login and expose no data."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from audit.middleware import audit_unavailable_response
from audit.services import AuditWriteFailed
from config.observability import metrics_allowed, metrics_text, readiness


# Probes are not wrapped in the request's transaction: with the database down, opening one would fail
# before the probe could say so.
@login_not_required
@transaction.non_atomic_requests
@never_cache
@require_safe
def healthz(request):
    """200 when the app and its database answer; says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return HttpResponse("unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
@transaction.non_atomic_requests
@never_cache
@require_safe
def readyz(request):
    """Readiness: 200 when this instance can serve (database, migrations, Redis where configured)."""
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


@login_not_required
@never_cache
@require_safe
def metrics(request):
    """Prometheus metrics, for the internal network or the bearer of METRICS_TOKEN; 404 for others."""
    if not metrics_allowed(request):
        raise Http404
    body, content_type = metrics_text()
    return HttpResponse(body, content_type=content_type)


def server_error(request):
    """handler500. A database that does not answer (down, restarting) is "temporarily unavailable",
    503, like a refused access-log write: nothing was served, and retrying later is right. Anything
    else is Django's plain 500 page. No database access and no content here."""
    exception = sys.exc_info()[1]
    if isinstance(exception, (OperationalError, InterfaceError, AuditWriteFailed)):
        return audit_unavailable_response(request)
    return defaults.server_error(request)


@login_not_required
@require_safe
def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
