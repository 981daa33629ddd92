"""The console's own state: where each access-log alert stands in its review.

The flags themselves (audit.AuditFlag) are found by the alert rules; the access log stays
append-only. Triage is the reviewers' work on a flag: its current state (`FlagTriage`, made at the
first step) and every step taken, in order (`FlagAction`), each also recorded in the access log.
A closed flag is never deleted: it leaves the open list and stays listed under "Closed".
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditFlag

COMMENT_MAX_LENGTH = 2000


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class FlagStep(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    COMMENT = "comment", _("Commented")
    ASSIGN = "assign", _("Assigned")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")


class FlagTriage(models.Model):
    """A flag's current state; a flag without this row is open and unassigned."""

    flag = models.OneToOneField(AuditFlag, primary_key=True, on_delete=models.PROTECT, related_name="triage")
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(status__in=FlagStatus.values), name="flag_triage_status_valid")]
        indexes = [models.Index(fields=["status"], name="flag_triage_status_idx")]

    def __str__(self):
        return f"{self.flag_id}: {self.status}"


class FlagAction(models.Model):
    """One step of a flag's review: who acknowledged, commented, assigned, closed or reopened it."""

    flag = models.ForeignKey(AuditFlag, on_delete=models.PROTECT, related_name="actions")
    step = models.CharField(max_length=16, choices=FlagStep.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(step__in=FlagStep.values), name="flag_action_step_valid")]

    def __str__(self):
        return f"{self.flag_id}: {self.step}"
