"""The outbox's jobs. Thin: each calls one service (outbox/services.py), safe to run twice or at once."""

from celery import shared_task

from outbox import services


@shared_task
def deliver_email(email_id: int) -> bool:
    """Queued when the transaction that stored the email commits."""
    return services.outgoing_email_deliver(email_id=email_id)


@shared_task
def deliver_due_emails() -> int:
    """Every minute: what could not be queued (the queue was down) or waits for a retry."""
    return services.outgoing_emails_deliver_due()


@shared_task
def delete_old_emails() -> int:
    """Daily: sent emails carry sign-in links, so they are not kept (OUTBOX_KEEP_DAYS)."""
    return services.outgoing_emails_delete_old()
