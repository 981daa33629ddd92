from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from audit.models import Action
from audit.services import audit_record
from national_societies.enrolment import enrolment_token, needs_enrolment_link


class Command(BaseCommand):
    help = (
        "Print the link that opens the first MFA set-up of a privileged account, for whoever runs the server "
        "(the first platform admin before email works, say). The account's owner opens it signed in. Recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--base-url", help="e.g. https://keymessages.example.org (default: the first allowed host, https)")

    def handle(self, *args, email, base_url=None, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account has the address {email}.")
        if not needs_enrolment_link(user):
            raise CommandError(f"{user.email} needs no link: an authenticator is set up already, or the role needs none.")
        base = (base_url or f"https://{settings.ALLOWED_HOSTS[0]}").rstrip("/")
        audit_record(action=Action.MFA_ENROLMENT_LINK_SENT, target=user, details={"by": "manage.py mfa_enrolment_link"})
        self.stdout.write(base + reverse("mfa_enrolment_open", args=[enrolment_token(user)]))
