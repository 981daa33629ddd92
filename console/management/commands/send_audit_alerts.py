from django.conf import settings
from django.core.management.base import BaseCommand

from console.services import audit_alerts_send


class Command(BaseCommand):
    help = (
        "Run the access-log alert rules over the last hours and email the new flags to the IFRC and ICRC "
        "focal points (one digest). The worker runs it hourly (console.tasks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=26, help="How far back to look (overlap is harmless).")
        parser.add_argument(
            "--site-url", default=settings.SITE_URL,
            help="Base URL for links in the email, e.g. https://keymessages.example.org (default: SITE_URL)",
        )

    def handle(self, *args, hours, site_url, **options):
        report = audit_alerts_send(hours=hours, site_url=site_url)
        self.stdout.write(f"{report.new_flags} new flag(s); {report.to_notify} to notify.")
        if report.to_notify and not report.recipients:
            self.stderr.write("No active focal point to notify: the flags stay pending.")
        elif report.recipients:
            self.stdout.write(f"Sent the digest to {report.recipients} focal point(s).")
