"""Writes of the console: the access-log alerts and their digest email."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import AuditFlag
from national_societies.models import Membership, User

from console.alerts import Rule, audit_flags_detect


@dataclass
class AlertsReport:
    new_flags: int
    to_notify: int
    recipients: int  # focal points emailed; 0 when there was nothing to send or nobody to send it to


def audit_alerts_send(*, hours: int = 26, site_url: str = "", now=None) -> AlertsReport:
    """Run the alert rules over the last `hours` and email the flags not yet notified to the active
    IFRC and ICRC focal points, one digest each, in their language.

    Safe to run twice or at once: detection stores a flag once, and the flags to notify are locked
    (skipped by a concurrent run) and marked notified in the transaction that hands the emails to
    the email backend (the outbox, which stores them in that same transaction): a digest lists a
    flag once, and a run that fails marks nothing and sends nothing.
    """
    now = now or timezone.now()
    created = audit_flags_detect(start=now - timedelta(hours=hours), end=now)
    with transaction.atomic():
        pending = list(
            AuditFlag.objects.select_for_update(skip_locked=True)
            .filter(notified_at__isnull=True)
            .order_by("window_start", "id")
        )
        if not pending:
            return AlertsReport(len(created), 0, 0)
        recipients = list(
            User.objects.filter(
                is_active=True,
                membership__role=Membership.Role.FOCAL_POINT,
                membership__national_society__is_active=True,
            ).values_list("email", "language")
        )
        if not recipients:
            return AlertsReport(len(created), len(pending), 0)
        context = {"flags": pending, "labels": Rule.LABELS, "site_url": site_url.rstrip("/")}
        # Each focal point gets the digest in the language they chose (the site's default otherwise).
        languages = dict(settings.LANGUAGES)
        recipients = [(email, language if language in languages else settings.LANGUAGE_CODE) for email, language in recipients]
        digests = {}
        for language in {language for _email, language in recipients}:
            with translation.override(language):
                subject = gettext("%(count)d access-log alert(s)") % {"count": len(pending)}
                body = render_to_string("console/email/alerts_digest.txt", context)
            digests[language] = (f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body)
        # One email per focal point: recipients do not see each other's addresses.
        send_mass_mail([(*digests[language], None, [email]) for email, language in recipients])
        AuditFlag.objects.filter(pk__in=[flag.pk for flag in pending]).update(notified_at=now)
    return AlertsReport(len(created), len(pending), len(recipients))
