"""What a reader sees of the canonical texts in their language.

In the original's language nothing changes and no query is made. In another language, a text is
shown translated only when an official translation of exactly the current original exists;
otherwise the original is shown with a visible note. The original stays one click away.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language, get_language_info

from messages_app.catalogue.models import Message, Section
from messages_app.translations.models import MessageTranslation, OfficialTranslation


@dataclass(frozen=True)
class ShownText:
    """One canonical text as a reader in `language` sees it."""

    original: str
    language: str
    translation: str = ""
    outdated: bool = False  # a translation exists, of an earlier version of this text

    @property
    def needs_note(self) -> bool:
        """The reader's language is not the original's and no official translation is shown."""
        return not self.translation and self.language != settings.KEY_MESSAGES_ORIGINAL_LANGUAGE


@dataclass
class ContentInLanguage:
    """The reader's language and the official translation into it, if any (for page-level notes)."""

    language: str
    translation: OfficialTranslation | None = None

    @property
    def is_original(self) -> bool:
        return self.language == settings.KEY_MESSAGES_ORIGINAL_LANGUAGE

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    def framing(self, edition) -> dict:
        """The edition's framing texts (introduction, handling rules, contacts, summary, title), each
        translated when this translation is of these very texts; no query."""
        source = self.translation.edition if self.translation else None
        shown = {}
        for name in ("introduction", "handling_rules", "contacts", "summary"):
            original = getattr(edition, name)
            original = [original] if isinstance(original, str) else list(original)
            value = getattr(self.translation, name) if source is not None else None
            value = [value] if isinstance(value, str) else value
            if value and value != [""] and getattr(source, name) == getattr(edition, name):
                shown[name] = FramingText(items=value, originals=original, language=self.language)
            else:
                shown[name] = FramingText(items=original, originals=original, language="")
        # One title for the document, from its latest translation ("" → the original's).
        shown["title"] = self.translation.title if self.translation else ""
        return shown


@dataclass(frozen=True)
class FramingText:
    """Paragraphs or list items around the messages; `language` is set when they are a translation."""

    items: list
    originals: list
    language: str

    @property
    def is_translation(self) -> bool:
        return bool(self.language)


def language_name(code: str) -> str:
    """A language's name in the active interface language, as written mid-sentence ("inglés")."""
    name = get_language_info(code)["name_translated"]
    # Spanish, French and Portuguese write language names in lower case; English capitalises them.
    return name if (get_language() or "en").startswith("en") else name.lower()


def in_reader_language(request, **content) -> "ContentInLanguage":
    """localise() in the reader's interface language (the language switcher's choice)."""
    return localise(language=request.LANGUAGE_CODE, **content)


def localise(*, language: str, messages=(), sections=(), topics=()) -> ContentInLanguage:
    """Attach what the reader sees: `message.shown` (ShownText), translated section headings
    (`Section.display_title`) and topic names (`Topic.display_name`). Two queries at most."""
    context = ContentInLanguage(language=language)
    messages = list(messages)
    if context.is_original or language not in dict(settings.LANGUAGES):
        for message in messages:
            message.shown = ShownText(original=message.current_version.text, language=context.language)
        return context
    context.translation = (
        OfficialTranslation.objects.filter(language=language)
        .select_related("edition")
        .order_by("-edition__sequence")
        .first()
    )
    _attach_message_texts(messages, context)
    if context.translation is not None:
        _attach_headings(sections, messages, context.translation)
        _attach_topic_names(topics, messages, context.translation)
    return context


def _attach_message_texts(messages, context):
    rows = []
    if messages and context.translation is not None:
        # The newest edition's translation of a version wins; an older edition's still applies to
        # a message that edition did not change.
        rows = (
            MessageTranslation.objects.filter(
                translation__language=context.language,
                superseded_at__isnull=True,
                version__message_id__in=[m.pk for m in messages],
            )
            .order_by("translation__edition__sequence")
            .values_list("version__message_id", "version_id", "text")
        )
    current, translated_before = {}, set()
    for message_id, version_id, text in rows:
        translated_before.add(message_id)
        current[version_id] = text
    for message in messages:
        message.shown = ShownText(
            original=message.current_version.text,
            language=context.language,
            translation=current.get(message.current_version_id, ""),
            outdated=message.pk in translated_before and message.current_version_id not in current,
        )


def _attach_headings(sections, messages, translation):
    """Translated headings on the sections given, the messages' sections and their parents, where
    the translation is of the heading as it is now."""
    candidates = list(sections) + [m.section for m in messages if Message.section.is_cached(m)]
    candidates += [s.parent for s in list(candidates) if s.parent_id and Section.parent.is_cached(s)]
    for section in candidates:
        heading = translation.sections.get(section.key)
        if not heading:
            continue
        if heading["title"] and heading["source_title"] == section.title:
            section.translated_title = heading["title"]
        if heading["lead"] and heading["source_lead"] == section.lead:
            section.translated_lead = heading["lead"]


def _attach_topic_names(topics, messages, translation):
    names = translation.topics
    if not names:
        return
    every = list(topics)
    for message in messages:
        # Only topics already fetched with the messages: naming them must not cost a query each.
        if "topics" in getattr(message, "_prefetched_objects_cache", {}):
            every.extend(message.topics.all())
    for topic in every:
        if topic.slug in names:
            topic.translated_name = names[topic.slug]


@dataclass(frozen=True)
class Coverage:
    language: str
    translated: int  # live messages whose current text has an official translation in this language
    total: int


def translation_coverage(document) -> list[Coverage]:
    """For each language other than the original's: how many messages of `document` a reader sees translated."""
    from django.db.models import Count, F

    total = Message.objects.filter(document=document, retired_in__isnull=True).count()
    translated = dict(
        MessageTranslation.objects.filter(
            superseded_at__isnull=True,
            version__message__document=document,
            version__message__retired_in__isnull=True,
            version=F("version__message__current_version"),
        )
        .values_list("translation__language")
        .annotate(messages=Count("version__message", distinct=True))
    )
    return [
        Coverage(language=code, translated=translated.get(code, 0), total=total)
        for code, _name in settings.LANGUAGES
        if code != settings.KEY_MESSAGES_ORIGINAL_LANGUAGE
    ]
