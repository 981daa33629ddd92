"""The console's periodic job (config/settings/base.py, CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.conf import settings

from console.services import audit_alerts_send


@shared_task
def send_audit_alerts() -> str:
    """Hourly; looks back 26 hours (overlapping runs flag nothing twice)."""
    report = audit_alerts_send(site_url=settings.SITE_URL)
    return f"{report.new_flags} new flag(s); {report.to_notify} to notify; digest sent to {report.recipients} focal point(s)."
