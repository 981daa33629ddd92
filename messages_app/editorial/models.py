"""Editions prepared in the app: who may edit and review a document, and the drafts they work on.

A draft is a working copy of a document's current edition. It is edited message by message (each row
carries a revision number, so that two editors never overwrite each other silently), reviewed by the
document's reviewers (four eyes: nobody approves a draft they changed), and published through the
loader, exactly as a content file would be: the canonical library itself is never edited in place.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from messages_app.catalogue.models import Document, Edition
from national_societies.models import NationalSociety


class DocumentRoleKind(models.TextChoices):
    EDITOR = "editor", _("editor")
    REVIEWER = "reviewer", _("reviewer")


class DocumentRole(models.Model):
    """A person's editorial role on one document, given by a platform admin. Both roles need MFA."""

    Kind = DocumentRoleKind

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_roles")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "kind", "user"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user", "kind"], name="document_role_once"),
            models.CheckConstraint(condition=models.Q(kind__in=DocumentRoleKind.values), name="document_role_kind_valid"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} of {self.document}"


class DraftState(models.TextChoices):
    EDITING = "editing", _("being edited")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    DISCARDED = "discarded", _("discarded")


class Draft(models.Model):
    """The next edition of a document, as its editors prepare it.

    The texts around the messages (introduction, rules, contacts, summary, label, release note) live
    here, with `frame_revision` counting their saves; sections and messages are rows of their own.
    """

    State = DraftState

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="drafts")
    base_edition = models.ForeignKey(Edition, null=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.EDITING)
    title = models.CharField(max_length=300)
    label = models.CharField(_("edition label"), max_length=50)
    release_note = models.TextField(_("release note"), blank=True)
    introduction = models.JSONField(default=list)
    handling_rules = models.JSONField(default=list)
    contacts = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    topics = models.JSONField(default=list, help_text=_("[[slug, name], …] in the document's order."))
    frame_revision = models.PositiveIntegerField(default=1)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text=_("Set when publishing is scheduled."))
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_edition = models.OneToOneField(Edition, null=True, blank=True, on_delete=models.PROTECT, related_name="draft")

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=DraftState.values), name="draft_state_valid"),
            # One open draft per document: its editors work together on the next edition.
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(state__in=["editing", "in_review"]), name="draft_open_once_per_document"
            ),
        ]
        indexes = [models.Index(fields=["state", "publish_at"], name="draft_due_idx")]

    def __str__(self):
        return f"{self.document} — draft of edition {self.label}"

    @property
    def is_open(self) -> bool:
        return self.state in (DraftState.EDITING, DraftState.IN_REVIEW)


class DraftSection(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField()
    title = models.CharField(max_length=300)
    number = models.CharField(max_length=10, blank=True)
    lead = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="subsections")
    position = models.PositiveIntegerField()
    prefix = models.CharField(max_length=5, help_text=_("Identifier prefix of the section's new messages, e.g. DET."))
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["draft", "position"]
        constraints = [models.UniqueConstraint(fields=["draft", "key"], name="draft_section_key_once")]

    def __str__(self):
        return self.title


class DraftMessage(models.Model):
    """A message of the draft. `revision` counts saves: a save based on an older revision is a conflict."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="messages")
    identifier = models.CharField(max_length=20)
    section = models.ForeignKey(DraftSection, on_delete=models.CASCADE, related_name="messages")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField()
    text = models.TextField()
    topics = models.JSONField(default=list)
    retired = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    last_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draft", "position"]
        constraints = [models.UniqueConstraint(fields=["draft", "identifier"], name="draft_message_identifier_once")]

    def __str__(self):
        return self.identifier


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("approved")
    CHANGES_REQUESTED = "changes_requested", _("requested changes")
    COMMENT = "comment", _("commented")


class DraftReview(models.Model):
    """A reviewer's word on a draft, or on one of its messages. An approval is withdrawn by any later
    edit of the draft (`withdrawn_at`), never deleted."""

    Decision = ReviewDecision

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(NationalSociety, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    message_identifier = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text=_("A requested change the editors dealt with."))

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(decision__in=ReviewDecision.values), name="draft_review_decision_valid"),
        ]

    def __str__(self):
        return f"{self.reviewer} {self.get_decision_display()} {self.draft}"
