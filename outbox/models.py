from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutgoingEmail(models.Model):
    """One email the app sent, waiting for delivery or delivered.

    Stored by `outbox.backends.OutboxEmailBackend` in the sender's transaction (a rolled-back request
    sends nothing) and delivered by a worker (`outbox.services.outgoing_email_deliver`), retried with
    a growing delay until `OUTBOX_MAX_ATTEMPTS`. Bodies carry invitation, sign-in and password-reset
    links: rows are deleted `OUTBOX_KEEP_DAYS` after they were sent or given up on (the daily
    `delete_old_emails` job), never kept for good.
    """

    created_at = models.DateTimeField(default=timezone.now)
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    reply_to = models.JSONField(default=list)
    headers = models.JSONField(default=dict)
    subject = models.TextField()
    body = models.TextField()
    html_body = models.TextField(blank=True)
    # Delivery: due when next_attempt_at has passed and sent_at is empty; neither once sent or given up.
    next_attempt_at = models.DateTimeField(null=True, default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The sweep's query: the emails still to deliver, by when they are due.
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="outbox_due_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def given_up(self) -> bool:
        return self.sent_at is None and self.next_attempt_at is None
