from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from national_societies.encryption import reencrypt_secret

# The fields of allauth's authenticator data that hold an encrypted secret, by authenticator type.
ENCRYPTED_FIELDS = {Authenticator.Type.TOTP: "secret", Authenticator.Type.RECOVERY_CODES: "seed"}


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored MFA secret (TOTP keys, recovery-code seeds) with the current SECRET_KEY. "
        "Run it after rotating SECRET_KEY and before removing the old key from SECRET_KEY_FALLBACKS: "
        "secrets still encrypted with a removed key can no longer be read, and their users are locked out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Check that every secret can be read; change nothing.")

    def handle(self, *args, dry_run, **options):
        done, unreadable = 0, []
        with transaction.atomic():
            for authenticator in Authenticator.objects.filter(type__in=ENCRYPTED_FIELDS).select_for_update().order_by("pk"):
                field = ENCRYPTED_FIELDS[authenticator.type]
                if not authenticator.data.get(field):
                    continue
                try:
                    rotated = reencrypt_secret(authenticator.data[field])
                except ValueError:
                    unreadable.append(f"authenticator {authenticator.pk} ({authenticator.type}) of user {authenticator.user_id}")
                    continue
                if not dry_run:
                    authenticator.data = {**authenticator.data, field: rotated}
                    authenticator.save(update_fields=["data"])
                done += 1
            if unreadable:
                # All or nothing: the operator fixes SECRET_KEY_FALLBACKS and runs it again.
                raise CommandError(
                    f"{len(unreadable)} secret(s) cannot be read with SECRET_KEY or SECRET_KEY_FALLBACKS; nothing was "
                    f"changed. Put the old key back in SECRET_KEY_FALLBACKS and run this again. Unreadable: {', '.join(unreadable)}"
                )
        verb = "can be re-encrypted" if dry_run else "re-encrypted with the current SECRET_KEY"
        self.stdout.write(self.style.SUCCESS(f"{done} MFA secret(s) {verb}."))
