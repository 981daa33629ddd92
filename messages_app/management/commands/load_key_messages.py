import getpass
import socket

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from messages_app.catalogue.content_file import ContentFileError, read_content_file
from messages_app.catalogue.services import key_messages_load
from messages_app.translations.services import content_languages, translation_load


class Command(BaseCommand):
    help = (
        "Import the key-messages content file (default: the one shipped in the repository), or an official "
        "translation file (same structure, with a top-level `language:`). Idempotent; a changed canonical "
        "text needs a new edition and becomes a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(settings.KEY_MESSAGES_CONTENT_FILE))
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="The account of the person who loads it, for the access log (default: the server account running this command).",
        )

    def handle(self, *args, file, by=None, **options):
        who = {"loaded_by": self._user(by)} if by else {"loaded_as": f"{getpass.getuser()}@{socket.gethostname()} (manage.py)"}
        try:
            content = read_content_file(file, **content_languages())
            if content.is_translation:
                report = translation_load(content=content, **who)
            else:
                report = key_messages_load(content=content, **who)
        except ContentFileError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        if content.is_translation:
            self._report_translation(report)
        else:
            self._report_original(report)

    def _user(self, email):
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"Nothing was imported. --by {email}: no active account has this address.")
        return user

    def _report_original(self, report):
        if not report.changed_anything:
            self.stdout.write(f"Edition {report.edition} is already loaded: nothing changed.")
            return
        if report.edition_created:
            self.stdout.write(self.style.SUCCESS(f"Loaded edition {report.edition}."))
        for label, identifiers in (
            ("new", report.messages_created),
            ("changed", report.messages_changed),
            ("retired", report.messages_retired),
        ):
            if identifiers:
                self.stdout.write(f"  {len(identifiers)} {label}: {', '.join(identifiers)}")
        if report.index_changes:
            self.stdout.write(f"  {report.index_changes} index updates (sections, topics, tags).")

    def _report_translation(self, report):
        name = f"'{report.language}' translation of edition {report.edition}"
        coverage = (
            f"{report.messages_translated} of {report.messages_in_edition} messages translated; "
            f"the other {report.messages_in_edition - report.messages_translated} are shown in the original with a note."
        )
        if not report.changed_anything:
            self.stdout.write(f"The {name} is already loaded: nothing changed. {coverage}")
            return
        verb = "Loaded" if report.created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} the official {name}. {coverage}"))
        for label, identifiers in (
            ("translated", report.messages_added),
            ("corrected (the earlier text is kept)", report.messages_corrected),
            ("withdrawn (shown in the original again)", report.messages_withdrawn),
        ):
            if identifiers:
                self.stdout.write(f"  {len(identifiers)} {label}: {', '.join(identifiers)}")
        if report.other_changes:
            self.stdout.write(f"  Also changed: {', '.join(report.other_changes)}.")
