"""The app's EMAIL_BACKEND: `send_mail` and every other sender store the email in the outbox, in
their own transaction, and the delivery is queued once that transaction commits. The request never
talks to the mail server; a rolled-back request sends nothing."""

import logging
from functools import partial

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from outbox.services import outgoing_emails_store
from outbox.tasks import deliver_email

logger = logging.getLogger(__name__)


def _queue_delivery(email_id: int):
    try:
        # No retry of the publish: with the queue down, the request must not wait for it.
        deliver_email.apply_async(args=[email_id], retry=False)
    except Exception:  # noqa: BLE001  (the sweep, every minute, delivers what could not be queued)
        logger.warning("Could not queue the delivery of email %s; the periodic sweep will deliver it.", email_id, exc_info=True)


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        rows = outgoing_emails_store(messages=email_messages)
        for row in rows:
            transaction.on_commit(partial(_queue_delivery, row.pk))
        return len(rows)
