from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from national_societies.services import dormant_accounts_suspend


class Command(BaseCommand):
    help = (
        "Deactivate accounts not used for N days (default DORMANT_ACCOUNT_DAYS, 180) and end their sessions. "
        "Meant for a daily cron; society admins see who is dormant or about to be on their members page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.DORMANT_ACCOUNT_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="List the accounts without deactivating them.")

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        users = dormant_accounts_suspend(days=days, dry_run=dry_run)
        verb = "Would deactivate" if dry_run else "Deactivated"
        for user in users:
            self.stdout.write(f"{verb} {user.email} (last used {user.last_used:%Y-%m-%d})")
        self.stdout.write(f"{verb} {len(users)} account(s) unused for {days} days.")
