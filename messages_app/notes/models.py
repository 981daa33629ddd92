"""Contextualisation notes: what a National Society says locally, kept beside the canonical text.

A note never changes canonical text. Every save is a revision; deletion is soft; the message
version a note was written against is recorded, so a new edition that changes the message flags
the note for review.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 5000


class Visibility(models.TextChoices):
    SOCIETY = "society", _("My society only")
    FOCAL_POINTS = "focal_points", _("My society and the IFRC/ICRC focal points")
    REGION = "region", _("Every society in the region")


class ContextNote(models.Model):
    """One organisation's note on one message or one section (exactly one of the two)."""

    Visibility = Visibility

    national_society = models.ForeignKey(
        "national_societies.NationalSociety", on_delete=models.PROTECT, related_name="notes"
    )
    message = models.ForeignKey("messages_app.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="notes")
    section = models.ForeignKey("messages_app.Section", null=True, blank=True, on_delete=models.PROTECT, related_name="notes")
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.SOCIETY)
    text = models.TextField(max_length=NOTE_MAX_LENGTH)
    # The canonical version the note was written against (messages only); when the message's current
    # version moves on, the note needs review until an editor confirms or edits it.
    anchored_version = models.ForeignKey(
        "messages_app.MessageVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, help_text=_("Number of the latest revision: the edit lock."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(message__isnull=False, section__isnull=True) | models.Q(message__isnull=True, section__isnull=False)),
                name="note_on_message_or_section",
            ),
            models.CheckConstraint(condition=models.Q(visibility__in=Visibility.values), name="note_visibility_valid"),
            # One live note per organisation and message (and per section): it grows, it is not duplicated.
            models.UniqueConstraint(
                fields=["national_society", "message"],
                condition=models.Q(deleted_at__isnull=True, message__isnull=False),
                name="note_one_per_society_message",
            ),
            models.UniqueConstraint(
                fields=["national_society", "section"],
                condition=models.Q(deleted_at__isnull=True, section__isnull=False),
                name="note_one_per_society_section",
            ),
        ]
        indexes = [
            models.Index(fields=["message", "visibility"], name="note_message_idx"),
            models.Index(fields=["section", "visibility"], name="note_section_idx"),
            models.Index(fields=["national_society", "deleted_at"], name="note_society_idx"),
        ]

    def __str__(self):
        return f"{self.national_society} on {self.message or self.section}"

    @property
    def subject(self):
        return self.message or self.section

    @property
    def needs_review(self) -> bool:
        return (
            self.message_id is not None
            and self.anchored_version_id is not None
            and self.message.current_version_id != self.anchored_version_id
        )


class ContextNoteRevision(models.Model):
    """Every save of a note, kept for ever: author, time, text, visibility and the canonical anchor."""

    note = models.ForeignKey(ContextNote, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    anchored_version = models.ForeignKey(
        "messages_app.MessageVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["note", "number"]
        constraints = [models.UniqueConstraint(fields=["note", "number"], name="note_revision_number_unique")]

    def __str__(self):
        return f"{self.note_id} r{self.number}"
