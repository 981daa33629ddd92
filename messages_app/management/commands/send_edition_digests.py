from django.core.management.base import BaseCommand

from messages_app.editorial.notify import send_edition_digests


class Command(BaseCommand):
    help = "Send the weekly digest of new editions to the readers who chose it (safe to run again)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_edition_digests()} digest(s) sent")
