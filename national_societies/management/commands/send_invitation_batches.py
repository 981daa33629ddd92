from django.conf import settings
from django.core.management.base import BaseCommand

from national_societies.invitation_batches.services import invitation_batches_send


class Command(BaseCommand):
    help = (
        "Send the waiting invitations of the batches (\"Invite many people at once\"): INVITATION_BATCH_RATE "
        "of them, as one run of the worker's job does, or all of them with --all (by hand, or with `make run`, "
        "where no worker runs). Safe beside the job: each line is claimed under a row lock."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="send_all", help="Run again until no invitation is waiting.")

    def handle(self, *args, send_all, **options):
        sent = failed = 0
        while True:
            run = invitation_batches_send(limit=settings.INVITATION_BATCH_RATE)
            sent, failed = sent + run.sent, failed + run.failed
            if not send_all or run.sent + run.failed < settings.INVITATION_BATCH_RATE:
                break
        self.stdout.write(f"{sent} invitation(s) sent, {failed} failed.")
