"""Personal briefing packs: messages gathered for one occasion (a meeting, an interview, a speech…)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

# A staff member's own talking points for one message of their briefing: a few short paragraphs.
TALKING_POINTS_MAX_LENGTH = 2000


class Occasion(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    MEDIA_INTERVIEW = "media_interview", _("Media interview")
    SPEECH = "speech", _("Speech")
    SOCIAL_MEDIA = "social_media", _("Social media post")
    OTHER = "other", _("Other")


class Briefing(models.Model):
    """Belongs to its author alone: anyone else gets 404 for it."""

    Occasion = Occasion

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefings")
    title = models.CharField(_("title"), max_length=200)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices, default=Occasion.MEETING)
    occasion_date = models.DateField(_("date"), null=True, blank=True)
    include_notes = models.BooleanField(_("include my society's local notes"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="briefing_owner_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(occasion__in=Occasion.values), name="briefing_occasion_valid")]

    def __str__(self):
        return self.title


class BriefingItem(models.Model):
    """One message of a briefing, and what its author means to say about it: `talking_points`, their
    own plain text, kept beside the canonical text (shown and printed under it, labelled as theirs),
    never in its place."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="items")
    message = models.ForeignKey("messages_app.Message", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    talking_points = models.TextField(_("my talking points"), max_length=TALKING_POINTS_MAX_LENGTH, blank=True, default="")

    class Meta:
        ordering = ["briefing", "position"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "message"], name="briefing_message_once"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("talking_points"), TALKING_POINTS_MAX_LENGTH), name="briefing_item_talking_points_length"
            ),
        ]

    def __str__(self):
        return f"{self.briefing_id}#{self.position} {self.message_id}"
