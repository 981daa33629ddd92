"""Official translations of the canonical document, loaded from translation files.

The original stays the reference. Every translated text is tied to the exact original it
translates (a message version, a section heading, an edition's framing texts) and is shown only
while that original is the current one: when a new edition changes a message, its translation
stops being shown and readers see the new original with a note, until a new translation is loaded.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OfficialTranslation(models.Model):
    """The official translation of one edition into one language (one loaded translation file)."""

    edition = models.ForeignKey("messages_app.Edition", on_delete=models.PROTECT, related_name="translations")
    language = models.CharField(max_length=10)
    note = models.TextField(blank=True, help_text=_("Who translated it, and when: shown to readers."))
    # Each framing text is empty (or an empty list) when the file left it untranslated.
    title = models.CharField(max_length=300, blank=True)
    introduction = models.JSONField(default=list, blank=True)
    handling_rules = models.JSONField(default=list, blank=True)
    contacts = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    # {section key: {"title", "lead", "source_title", "source_lead"}}: a heading is shown translated
    # only while the section's original heading is still the one translated.
    sections = models.JSONField(default=dict, blank=True)
    topics = models.JSONField(default=dict, blank=True, help_text=_("Topic slug → translated name."))
    content_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "language"], name="official_translation_unique"),
        ]
        ordering = ["language", "-edition__sequence"]

    def __str__(self):
        return f"{self.edition} — {self.language}"


class MessageTranslation(models.Model):
    """The official translation of one message version. Corrections add a row; the old one is kept."""

    translation = models.ForeignKey(OfficialTranslation, on_delete=models.PROTECT, related_name="message_texts")
    version = models.ForeignKey("messages_app.MessageVersion", on_delete=models.PROTECT, related_name="translations")
    text = models.TextField()
    # The text folded for search (lower case, no accents: search.fold), written by the loader.
    search_text = models.TextField(editable=False, default="")
    loaded_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set when a later file corrected or withdrew this translation.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["translation", "version"],
                condition=Q(superseded_at__isnull=True),
                name="message_translation_current_unique",
            ),
        ]
        ordering = ["version", "loaded_at"]

    def __str__(self):
        return f"{self.version} — {self.translation.language}"
