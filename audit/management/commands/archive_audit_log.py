from datetime import datetime, time
from datetime import timezone as dt_timezone
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.archive import ArchiveRefused, audit_log_archive


class Command(BaseCommand):
    help = (
        "Export access-log events older than DATE to FILE (JSON Lines, with their seals), then remove them "
        "from the database. Refused inside the retention period (AUDIT_RETENTION_DAYS). The chain stays "
        "verifiable from the anchor the archive ends at."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD (UTC): archive events before this day.")
        parser.add_argument("--to", required=True, help="The archive file to create (never overwritten).")

    def handle(self, *args, before, to, **options):
        try:
            day = datetime.strptime(before, "%Y-%m-%d").date()
        except ValueError as error:
            raise CommandError("--before must be a date like 2021-01-31.") from error
        try:
            report = audit_log_archive(before=datetime.combine(day, time.min, tzinfo=dt_timezone.utc), to=Path(to))
        except ArchiveRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Archived {report.archived} event(s) to {report.path} (sha256 {report.sha256}).")
        self.stdout.write(f"The chain now resumes from seal {report.anchor_position}, hash {report.anchor_hash}.")
