from django.core.management.base import BaseCommand

from audit.chain import audit_log_seal
from audit.models import AuditHead


class Command(BaseCommand):
    help = "Seal new access-log events into the hash chain. Run every minute from cron."

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=int, default=None, help="Seal only events older than this many seconds.")

    def handle(self, *args, grace, **options):
        sealed = audit_log_seal(grace_seconds=grace)
        self.stdout.write(f"Sealed {sealed} event(s).")
        head = AuditHead.objects.order_by("-position").first()
        if head is not None:
            # Kept by the job's log (cron mail, journald…) outside the database: a checkpoint that
            # verify_audit_log's head must extend.
            self.stdout.write(f"Head: seal {head.position}, event {head.event_id}, {head.chain_hash} ({head.recorded_at:%Y-%m-%d %H:%M:%S} UTC)")
