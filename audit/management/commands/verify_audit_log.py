from django.core.management.base import BaseCommand, CommandError

from audit.archive import archive_verify
from audit.chain import audit_log_seal, audit_log_verify


class Command(BaseCommand):
    help = (
        "Recompute the access log's hash chain. Prints the head hash and count (keep them as checkpoints); "
        "names the first event that does not match and exits non-zero if the log was tampered with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Do not seal waiting events first.")
        parser.add_argument("--archive", help="Verify an archive file written by archive_audit_log instead.")

    def handle(self, *args, no_seal, archive, **options):
        if archive:
            try:
                ok, explanation = archive_verify(archive)
            except OSError as error:  # a missing or unreadable file: not a verdict on the archive
                raise CommandError(f"Cannot read the archive {archive}: {error.strerror or error}") from error
            if not ok:
                self.stderr.write(self.style.ERROR(f"TAMPERED: {explanation}"))
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS(f"The archive is intact: {explanation}"))
            return
        if not no_seal:
            audit_log_seal()
        report = audit_log_verify()
        self.stdout.write(f"Events checked: {report.checked}")
        self.stdout.write(f"Head position:  {report.head_position}")
        self.stdout.write(f"Head hash:      {report.head_hash}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("The access log is intact."))
            return
        self.stderr.write(self.style.ERROR(f"TAMPERED: {report.problem}"))
        if report.bad_event_id is not None:
            self.stderr.write(f"First event that does not match: {report.bad_event_id}")
        raise SystemExit(1)
