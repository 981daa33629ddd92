from django.core.management.base import BaseCommand

from messages_app.editorial.services import publish_due_drafts


class Command(BaseCommand):
    help = "Publish the drafts whose scheduled time has come (run every minute by the job queue; safe to run again)."

    def handle(self, *args, **options):
        for edition in publish_due_drafts():
            self.stdout.write(f"published {edition.document.slug} edition {edition.label}")
