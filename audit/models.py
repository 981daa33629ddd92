"""The access log: one append-only table of events, sealed into a SHA-256 hash chain.

Rows are only ever inserted. The database refuses UPDATE, DELETE and TRUNCATE on the event, seal and
anchor tables (triggers installed by migration 0002), except for the one sanctioned path: archiving
old events (`archive_audit_log`), which holds an `ArchivePermit` row inside its own transaction.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEWED_DOCUMENT = "viewed_document", _("viewed the document")
    VIEWED_SECTION = "viewed_section", _("viewed a section")
    VIEWED_MESSAGE = "viewed_message", _("viewed a message")
    VIEWED_TOPIC = "viewed_topic", _("viewed a topic")
    VIEWED_RULES = "viewed_rules", _("viewed the handling rules")
    SEARCHED = "searched", _("searched")
    COPIED_MESSAGE = "copied_message", _("copied a message")
    PRINTED = "printed", _("printed or exported")
    LOGGED_IN = "logged_in", _("logged in")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOGGED_OUT = "logged_out", _("logged out")
    MFA_SET_UP = "mfa_set_up", _("set up MFA")
    MFA_REMOVED = "mfa_removed", _("removed MFA")
    MFA_USED = "mfa_used", _("used MFA")
    MFA_FAILED = "mfa_failed", _("MFA failed")
    MFA_ENROLMENT_LINK_SENT = "mfa_enrolment_sent", _("was sent a link to set up MFA")
    MFA_ENROLMENT_LINK_USED = "mfa_enrolment_used", _("followed a link to set up MFA")
    RULES_ACKNOWLEDGED = "rules_acknowledged", _("acknowledged the handling rules")
    INVITED = "invited", _("invited")
    INVITATION_RESENT = "invitation_resent", _("sent an invitation again")
    INVITATION_ACCEPTED = "invitation_accepted", _("accepted an invitation")
    INVITATION_REVOKED = "invitation_revoked", _("revoked an invitation")
    INVITATION_BATCH_CREATED = "invitation_batch_created", _("prepared a batch of invitations")
    ROLE_CHANGED = "role_changed", _("changed a role")
    DEACTIVATED = "deactivated", _("deactivated an account")
    REACTIVATED = "reactivated", _("reactivated an account")
    PASSWORD_CHANGED = "password_changed", _("changed their password")
    ADMIN_ADDED = "admin_added", _("created in the Django admin")
    ADMIN_CHANGED = "admin_changed", _("changed in the Django admin")
    ADMIN_DELETED = "admin_deleted", _("deleted in the Django admin")
    NOTE_CREATED = "note_created", _("created a note")
    NOTE_EDITED = "note_edited", _("edited a note")
    NOTE_DELETED = "note_deleted", _("deleted a note")
    NOTE_VIEWED = "note_viewed", _("viewed a note")
    EXPORTED_LOG = "exported_log", _("exported the access log")
    ARCHIVED_LOG = "archived_log", _("archived old access-log events")
    LOADED_EDITION = "loaded_edition", _("loaded an edition of the document")
    LOADED_TRANSLATION = "loaded_translation", _("loaded an official translation")
    ADMIN_VIEWED = "admin_viewed", _("viewed in the Django admin")
    ACCESS_DENIED = "access_denied", _("was denied access")
    DOCUMENT_ROLE_GRANTED = "document_role_granted", _("gave a document role")
    DOCUMENT_ROLE_REVOKED = "document_role_revoked", _("took away a document role")
    DRAFT_STARTED = "draft_started", _("started a draft edition")
    DRAFT_EDITED = "draft_edited", _("edited a draft edition")
    DRAFT_SUBMITTED = "draft_submitted", _("submitted a draft for review")
    DRAFT_REVIEWED = "draft_reviewed", _("reviewed a draft edition")
    DRAFT_DISCARDED = "draft_discarded", _("discarded a draft edition")
    DRAFT_SCHEDULED = "draft_scheduled", _("scheduled the publication of an edition")
    PUBLISHED_EDITION = "published_edition", _("published an edition")
    EXPORTED_EDITION = "exported_edition", _("exported an edition as a content file")
    DOCUMENT_CREATED = "document_created", _("started a new document")
    DOCUMENT_SETTINGS_CHANGED = "document_settings", _("changed who reads or approves a document")
    SESSION_ENDED = "session_ended", _("ended a session")
    FLAG_TRIAGED = "flag_triaged", _("reviewed an access-log alert")


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    DENIED = "denied", _("denied")


class AuditEvent(models.Model):
    """Who did what, when, from where: the actor as they were at that moment."""

    occurred_at = models.DateTimeField(default=timezone.now)
    # Plain values, not foreign keys: the record must survive the user, organisation or message.
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_organisation_id = models.BigIntegerField(null=True, blank=True)
    actor_organisation = models.CharField(max_length=200, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    message_identifier = models.CharField(max_length=16, blank=True)
    message_version = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    reason = models.CharField(max_length=500, blank=True)
    query = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # Printed on every page of a print or PDF: a leaked copy found outside names its reader.
    # Nullable on purpose: adding a NOT NULL column makes SQLite rebuild the table, which would drop
    # the append-only triggers.
    trace_code = models.CharField(max_length=16, null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("access-log event")
        verbose_name_plural = _("access-log events")
        # Each index leads with the column the console filters on and ends with time (and id, the
        # keyset tie-break), so a filtered, newest-first page is one index range scan.
        indexes = [
            models.Index(fields=["occurred_at", "id"], name="audit_time_idx"),
            models.Index(fields=["actor_organisation_id", "occurred_at", "id"], name="audit_org_time_idx"),
            models.Index(fields=["actor_user_id", "occurred_at", "id"], name="audit_user_time_idx"),
            models.Index(fields=["target_type", "target_id", "occurred_at", "id"], name="audit_target_time_idx"),
            models.Index(fields=["message_identifier", "occurred_at", "id"], name="audit_message_time_idx"),
            models.Index(fields=["action", "occurred_at", "id"], name="audit_action_time_idx"),
            models.Index(fields=["trace_code"], name="audit_trace_idx", condition=models.Q(trace_code__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(outcome__in=Outcome.values), name="audit_outcome_valid"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_email or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Access-log events are append-only: they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Access-log events are append-only: they are never deleted.")


class AuditSeal(models.Model):
    """Position n of the hash chain: chain_hash(n) = SHA-256(chain_hash(n-1) + event_hash(n))."""

    position = models.BigIntegerField(primary_key=True)
    event_id = models.BigIntegerField(unique=True)
    event_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"seal {self.position} → event {self.event_id}"


class AuditAnchor(models.Model):
    """Where the chain resumes after archiving: the last archived seal's position and chain hash."""

    position = models.BigIntegerField(unique=True)
    chain_hash = models.CharField(max_length=64)
    archived_events = models.BigIntegerField()
    archived_before = models.DateTimeField()
    archive_file = models.CharField(max_length=500)
    archive_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]


class AuditHead(models.Model):
    """The chain's head as each sealing run left it: kept apart from the seals, append-only like them.
    Removing the newest events with their seals leaves a recorded head the log no longer reaches,
    which verify_audit_log reports (on PostgreSQL the application's runtime role cannot delete
    anything here: see grant_runtime_privileges)."""

    # Not unique: after a tail was removed, sealing goes on from the shortened chain and records
    # heads at positions recorded before, with other hashes (the old one is what gives it away).
    position = models.BigIntegerField()
    event_id = models.BigIntegerField()
    chain_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["position"], name="audit_head_position_idx")]

    def __str__(self):
        return f"head at seal {self.position}"


class ArchivePermit(models.Model):
    """Held only inside archive_audit_log's transaction: while a row exists, the triggers let old
    events and seals be deleted. The application's database role has no privilege on this table in
    production (see README)."""

    created_at = models.DateTimeField(default=timezone.now)


class AuditFlag(models.Model):
    """Unusual reading found by an alert rule, with the events behind it. Reviewed in the console."""

    rule = models.CharField(max_length=40)
    subject = models.CharField(max_length=254, help_text=_("The account's email, or the address tried."))
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_organisation_id = models.BigIntegerField(null=True, blank=True)
    actor_organisation = models.CharField(max_length=200, blank=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    event_ids = models.JSONField(default=list)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-window_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject", "window_start"], name="audit_flag_once"),
        ]
        indexes = [
            models.Index(fields=["actor_organisation_id", "window_end"], name="audit_flag_org_idx"),
        ]

    def __str__(self):
        return f"{self.rule}: {self.subject}"
