from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from national_societies.demo import DEMO_PASSWORD
from national_societies.services import demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the documented demo accounts (only with DEBUG on, or with --demo)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Create them even with DEBUG off.")

    def handle(self, *args, demo, **options):
        if not (settings.DEBUG or demo):
            raise CommandError("Demo accounts are only created with DEBUG on, or with --demo.")
        for email, created in demo_accounts_ensure():
            self.stdout.write(f"  {'created' if created else 'reset  '}  {email}")
        self.stdout.write(self.style.SUCCESS(f"Demo password for every account: {DEMO_PASSWORD}"))
