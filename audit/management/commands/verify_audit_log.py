from django.core.management.base import BaseCommand, CommandError

from audit.archive import archive_verify
from audit.chain import audit_log_seal, audit_log_verify
from audit.models import AuditSeal


class Command(BaseCommand):
    help = (
        "Recompute the access log's hash chain. Prints the head hash and count (keep them as checkpoints); "
        "names the first event that does not match and exits non-zero if the log was tampered with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Do not seal waiting events first.")
        parser.add_argument("--archive", help="Verify an archive file written by archive_audit_log instead.")
        parser.add_argument(
            "--expect-head", metavar="POSITION:HASH",
            help="A checkpoint kept outside the database (a backup's anchor, a sealing job's log line): the chain "
            "must reach this position with this hash, or the log lost its tail.",
        )

    def handle(self, *args, no_seal, archive, expect_head=None, **options):
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
        if report.ok and expect_head:
            self._check_checkpoint(expect_head, report)
        if report.ok:
            self.stdout.write(self.style.SUCCESS("The access log is intact."))
            return
        self.stderr.write(self.style.ERROR(f"TAMPERED: {report.problem}"))
        if report.bad_event_id is not None:
            self.stderr.write(f"First event that does not match: {report.bad_event_id}")
        raise SystemExit(1)

    def _check_checkpoint(self, expected: str, report) -> None:
        position, _, chain_hash = expected.partition(":")
        if not position.isdigit() or len(chain_hash) != 64:
            raise CommandError("--expect-head takes POSITION:HASH, as the anchor file gives them")
        if int(position) > report.head_position:
            self.stderr.write(self.style.ERROR(f"TAMPERED: the chain ends at {report.head_position}, before the checkpoint {position}"))
            raise SystemExit(1)
        if not AuditSeal.objects.filter(position=int(position), chain_hash=chain_hash).exists():
            self.stderr.write(self.style.ERROR(f"TAMPERED: position {position} of the chain does not have the checkpoint's hash"))
            raise SystemExit(1)
        self.stdout.write(f"Checkpoint {position} found in the chain.")
