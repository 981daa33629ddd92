"""Recording reads of the canonical library: the one function the library's views call."""

from django.conf import settings

from audit.models import Action  # noqa: F401  (re-exported for the views)
from audit.services import audit_record


def record_read(request, action: Action, *, target=None, target_type="", target_id="", message=None, version=None, query="", details=None):
    """Write the access-log row for what this request is about to show, before it is rendered.

    Raises AuditWriteFailed when the row cannot be written: the view then shows no content.
    """
    if not settings.AUDIT_READS_ENABLED:  # benchmarks only; production settings refuse it
        return None
    return audit_record(
        action=action,
        actor=request.user,
        target=target,
        target_type=target_type,
        target_id=target_id,
        message=message,
        version=version,
        query=query,
        details=details,
        request=request,
    )
