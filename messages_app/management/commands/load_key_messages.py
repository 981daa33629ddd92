from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from messages_app.content_file import ContentFileError, read_content_file
from messages_app.services import key_messages_load


class Command(BaseCommand):
    help = (
        "Import the key-messages content file (default: the one shipped in the repository). "
        "Idempotent; a changed text needs a new edition and becomes a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(settings.KEY_MESSAGES_CONTENT_FILE))

    def handle(self, *args, file, **options):
        try:
            content = read_content_file(file)
            report = key_messages_load(content=content)
        except ContentFileError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
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
