from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from console.alerts import Rule, audit_flags_detect
from audit.models import AuditFlag
from national_societies.models import Membership, User


class Command(BaseCommand):
    help = (
        "Run the access-log alert rules over the last hours and email the new flags to the IFRC and ICRC "
        "focal points (one digest). Meant for cron, e.g. hourly or daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=26, help="How far back to look (overlap is harmless).")
        parser.add_argument("--site-url", default="", help="Base URL for links in the email, e.g. https://keymessages.example.org")

    def handle(self, *args, hours, site_url, **options):
        now = timezone.now()
        created = audit_flags_detect(start=now - timezone.timedelta(hours=hours), end=now)
        pending = list(AuditFlag.objects.filter(notified_at__isnull=True).order_by("window_start", "id"))
        self.stdout.write(f"{len(created)} new flag(s); {len(pending)} to notify.")
        if not pending:
            return
        recipients = list(
            User.objects.filter(
                is_active=True,
                membership__role=Membership.Role.FOCAL_POINT,
                membership__national_society__is_active=True,
            ).values_list("email", "language")
        )
        if not recipients:
            self.stderr.write("No active focal point to notify: the flags stay pending.")
            return
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
        self.stdout.write(f"Sent the digest to {len(recipients)} focal point(s).")
