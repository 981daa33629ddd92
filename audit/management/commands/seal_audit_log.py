from django.core.management.base import BaseCommand

from audit.chain import audit_log_head_describe, audit_log_seal


class Command(BaseCommand):
    help = "Seal new access-log events into the hash chain. The worker runs it every minute (audit.tasks)."

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=int, default=None, help="Seal only events older than this many seconds.")

    def handle(self, *args, grace, **options):
        sealed = audit_log_seal(grace_seconds=grace)
        self.stdout.write(f"Sealed {sealed} event(s).")
        # Kept by the job's log (the worker's, cron mail, journald…) outside the database: a checkpoint
        # that verify_audit_log's head must extend.
        self.stdout.write(audit_log_head_describe())
