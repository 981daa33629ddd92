"""Loading an official translation file: same structure as the original, texts translated.

Rules, so that the original stays the reference:
- a translation translates the latest loaded edition, and only what that edition contains: every
  identifier, section key, number and topic list must be the original's (errors name the line);
- a text left identical to the original, or left out, is not a translation: readers see the
  original with a note;
- loading the same file again changes nothing; a corrected text adds a row and keeps the old one.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from messages_app.catalogue.content_file import ContentDocument, ContentFileError
from messages_app.catalogue.services import record_load
from messages_app.catalogue.models import Document, Edition, Message, Section, Topic
from core.text import fold
from messages_app.translations.models import MessageTranslation, OfficialTranslation


def content_languages() -> dict:
    """The keyword arguments read_content_file needs to recognise translation files."""
    original = settings.KEY_MESSAGES_ORIGINAL_LANGUAGE
    return {
        "original_language": original,
        "translation_languages": tuple(code for code, _name in settings.LANGUAGES if code != original),
    }


@dataclass
class TranslationLoadReport:
    language: str
    edition: str
    created: bool = False
    messages_added: list[str] = field(default_factory=list)
    messages_corrected: list[str] = field(default_factory=list)
    messages_withdrawn: list[str] = field(default_factory=list)
    messages_translated: int = 0
    messages_in_edition: int = 0
    other_changes: list[str] = field(default_factory=list)  # framing texts, headings, topic names

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.created or self.messages_added or self.messages_corrected or self.messages_withdrawn or self.other_changes
        )


@transaction.atomic
def translation_load(*, content: ContentDocument, loaded_by=None, loaded_as: str = "") -> TranslationLoadReport:
    """Import a validated translation file for the latest edition: idempotent, all or nothing. A load
    that changed anything is recorded in the access log naming who loaded it (see key_messages_load)."""
    where = content.source_name or "translation file"
    document = Document.objects.select_for_update().filter(slug=content.slug).first()
    if document is None:
        raise ContentFileError(f"{where}: document '{content.slug}' is not loaded: load the original first")
    edition = Edition.objects.current_first(document).first()
    if edition is None or edition.label != content.edition:
        latest = edition.label if edition else "none"
        raise ContentFileError(
            f"{where}, field 'document.edition': the file translates edition '{content.edition}', but the latest "
            f"loaded edition is '{latest}': translate the latest edition's file"
        )
    report = TranslationLoadReport(language=content.language, edition=edition.label)

    messages = {
        m.identifier: m
        for m in Message.objects.filter(document=document, retired_in__isnull=True).select_related("current_version", "section", "parent").prefetch_related("topics")
    }
    sections = {s.key: s for s in Section.objects.filter(document=document, retired_in__isnull=True)}
    topics = {t.slug: t for t in Topic.objects.filter(document=document)}
    translated_texts = _check_against_original(content, where, messages, sections, topics)

    frame = _translated_frame(content, edition, where)
    headings = {}
    for spec, _parent in content.iter_sections():
        section = sections[spec.key]
        title, lead = _translated(spec.title, section.title), _translated(spec.lead, section.lead)
        if title or lead:
            # Kept with the originals they translate: a later heading change hides the translation.
            headings[spec.key] = {"title": title, "lead": lead, "source_title": section.title, "source_lead": section.lead}
    topic_names = {
        spec.slug: spec.name for spec in content.topics if spec.slug in topics and spec.name != topics[spec.slug].name
    }

    translation, report.created = OfficialTranslation.objects.select_for_update().get_or_create(
        edition=edition, language=content.language, defaults={"content_sha256": content.source_sha256}
    )
    # The note says who translated it; the original's own edition note copied unchanged is not one.
    note = _translated(content.edition_note, edition.note)
    wanted = {**frame, "note": note, "sections": headings, "topics": topic_names, "content_sha256": content.source_sha256}
    changed_fields = [name for name, value in wanted.items() if getattr(translation, name) != value]
    if changed_fields:
        for name in changed_fields:
            setattr(translation, name, wanted[name])
        translation.save()
        if not report.created:
            report.other_changes = [name for name in changed_fields if name != "content_sha256"]

    _sync_message_texts(translation, messages, translated_texts, report)
    report.messages_translated = len(translated_texts)
    report.messages_in_edition = len(messages)
    if report.changed_anything:
        record_load(
            action=Action.LOADED_TRANSLATION, loaded_by=loaded_by, loaded_as=loaded_as, edition=edition,
            source=content.source_name, language=report.language,
            changes={
                "created": report.created, "translated": report.messages_added, "corrected": report.messages_corrected,
                "withdrawn": report.messages_withdrawn, "other_changes": report.other_changes,
            },
        )
    return report


def _translated(text: str, original: str) -> str:
    """A text counts as translated only if it differs from the original."""
    return text if text != original else ""


def _check_against_original(content, where, messages, sections, topics) -> dict[str, str]:
    """Refuse a file whose structure is not the latest edition's; return {identifier: translated text}."""

    def refuse(line, field_path, problem):
        return ContentFileError(f"{where}, line {line}, field '{field_path}': {problem}")

    for i, spec in enumerate(content.topics):
        if spec.slug not in topics:
            raise refuse(1, f"topics[{i}].slug", f"topic '{spec.slug}' is not in the library")
    translated = {}
    for spec, parent_spec in content.iter_sections():
        section = sections.get(spec.key)
        if section is None:
            raise refuse(spec.line, "sections.key", f"section '{spec.key}' is not in the loaded edition")
        if (section.parent.key if section.parent_id else None) != (parent_spec.key if parent_spec else None):
            raise refuse(spec.line, "sections.key", f"section '{spec.key}' is not at this place in the original")
        if spec.number != section.number:
            raise refuse(spec.line, "sections.number", f"section '{spec.key}' is numbered '{section.number}' in the original")
    for spec, section_spec, parent_spec in content.iter_messages():
        message = messages.get(spec.identifier)
        if message is None:
            raise refuse(spec.line, "messages.id", f"message {spec.identifier} is not in the loaded edition")
        if message.section.key != section_spec.key:
            raise refuse(spec.line, "messages.id", f"message {spec.identifier} belongs to section '{message.section.key}' in the original")
        if (message.parent.identifier if message.parent_id else None) != (parent_spec.identifier if parent_spec else None):
            raise refuse(spec.line, "messages.id", f"message {spec.identifier} is not at this place in the original")
        if set(spec.topics) != {t.slug for t in message.topics.all()}:
            raise refuse(spec.line, "messages.topics", f"topics come from the original: leave the topics of {spec.identifier} unchanged")
        if spec.text != message.current_version.text:
            translated[spec.identifier] = spec.text
    return translated


def _translated_frame(content, edition, where) -> dict:
    frame = {"title": _translated(content.title, edition.document.title), "summary": _translated(content.summary, edition.summary)}
    for name in ("introduction", "handling_rules", "contacts"):
        texts, original = list(getattr(content, name)), getattr(edition, name)
        if len(texts) != len(original):
            raise ContentFileError(
                f"{where}, field 'document.{name}': it has {len(texts)} paragraphs and the original has {len(original)}: "
                "translate each paragraph of the original, in order"
            )
        frame[name] = texts if texts != original else []
    return frame


def _sync_message_texts(translation, messages, translated_texts, report):
    current = {
        row.version_id: row
        for row in MessageTranslation.objects.filter(translation=translation, superseded_at__isnull=True).select_related("version__message")
    }
    now = timezone.now()
    new_rows = []
    for identifier, text in translated_texts.items():
        version = messages[identifier].current_version
        row = current.pop(version.pk, None)
        if row is not None and row.text == text:
            continue
        if row is not None:
            MessageTranslation.objects.filter(pk=row.pk).update(superseded_at=now)
            report.messages_corrected.append(identifier)
        else:
            report.messages_added.append(identifier)
        new_rows.append(MessageTranslation(translation=translation, version=version, text=text, search_text=fold(text)))
    MessageTranslation.objects.bulk_create(new_rows)
    # Left out of this file (or set back to the original): withdrawn, kept as history.
    for row in current.values():
        MessageTranslation.objects.filter(pk=row.pk).update(superseded_at=now)
        report.messages_withdrawn.append(row.version.message.identifier)
