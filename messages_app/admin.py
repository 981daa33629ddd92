"""Canonical content is read-only in the admin: a new edition comes only through load_key_messages."""

from django.contrib import admin

from audit.admin_reads import RecordedReadsAdmin
from core.admin import ReadOnlyAdmin, ReadOnlyInline

from messages_app.catalogue.models import Document, Edition, Message, MessageVersion, Section, Topic
from messages_app.translations.models import MessageTranslation, OfficialTranslation


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug"]


@admin.register(Edition)
class EditionAdmin(RecordedReadsAdmin, ReadOnlyAdmin):
    list_display = ["label", "sequence", "loaded_at", "rules_version"]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["display_title", "key", "position", "retired_in"]


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug"]


class MessageVersionInline(ReadOnlyInline):
    model = MessageVersion
    fields = ["number", "edition", "text", "created_at"]


@admin.register(Message)
class MessageAdmin(RecordedReadsAdmin, ReadOnlyAdmin):
    list_display = ["identifier", "section", "position", "retired_in"]
    list_filter = ["section", "topics"]
    search_fields = ["identifier", "current_version__text"]
    list_select_related = ["section", "retired_in"]
    inlines = [MessageVersionInline]

    def recorded_message(self, object_id) -> dict:
        message = Message.objects.filter(pk=object_id).select_related("current_version").first() if str(object_id).isdigit() else None
        return {"message": message, "version": message.current_version} if message else {}


class MessageTranslationInline(ReadOnlyInline):
    model = MessageTranslation
    fields = ["version", "text", "loaded_at", "superseded_at"]


@admin.register(OfficialTranslation)
class OfficialTranslationAdmin(RecordedReadsAdmin, ReadOnlyAdmin):
    """Official translations come only through load_key_messages with a translation file."""

    list_display = ["language", "edition", "loaded_at", "updated_at"]
    list_filter = ["language"]
    inlines = [MessageTranslationInline]
