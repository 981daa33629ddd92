"""The accounts' periodic jobs (config/settings/base.py, CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task
from django.conf import settings

from national_societies.invitation_batches.services import invitation_batches_send
from national_societies.services import dormant_accounts_suspend

logger = logging.getLogger(__name__)


@shared_task
def suspend_dormant_accounts() -> str:
    """Daily. Each account is checked again under a row lock, so overlapping runs suspend it once."""
    suspended = dormant_accounts_suspend(days=settings.DORMANT_ACCOUNT_DAYS)
    return f"Deactivated {len(suspended)} account(s) unused for {settings.DORMANT_ACCOUNT_DAYS} days."


@shared_task
def send_invitation_batches() -> str:
    """Every minute, and once when a batch is confirmed: the next INVITATION_BATCH_RATE waiting lines
    of the invitation batches. Each line is claimed under a row lock, so runs that overlap never send
    one twice."""
    run = invitation_batches_send(limit=settings.INVITATION_BATCH_RATE)
    return f"Invitation batches: {run.sent} sent, {run.failed} failed."


def queue_invitation_batches() -> None:
    """After a batch is confirmed (on commit): its first invitations leave at once. With the queue
    down the request does not wait; the job's next run, every minute, finds the batch all the same."""
    try:
        send_invitation_batches.apply_async(retry=False)
    except Exception:
        logger.warning("Could not queue the sending of invitation batches; the periodic job will send them.", exc_info=True)
