from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from messages_app.catalogue.models import Document
from messages_app.editorial.demo import demo_editorial_ensure


class Command(BaseCommand):
    help = "Create the demo editor and reviewer of the migration document (only with DEBUG on, or with --demo)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Create them even with DEBUG off.")

    def handle(self, *args, demo, **options):
        if not (settings.DEBUG or demo):
            raise CommandError("Demo accounts are only created with DEBUG on, or with --demo.")
        try:
            accounts = demo_editorial_ensure()
        except Document.DoesNotExist as error:
            raise CommandError("Load the key messages first: manage.py load_key_messages") from error
        for email, created in accounts:
            self.stdout.write(f"  {'created' if created else 'reset  '}  {email}")
