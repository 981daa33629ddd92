"""Writes to the outbox: store an email in the sender's transaction, deliver it once, forget it later.

Delivery claims its row with `SELECT … FOR UPDATE SKIP LOCKED` and sends while holding it: two workers
(the task queued at commit and the periodic sweep, or two sweeps) never send the same email twice at
once; each skips a row the other holds. A failed attempt is recorded on the row and retried later
(after 1, 2, 4… minutes, at most an hour apart) until OUTBOX_MAX_ATTEMPTS: nothing is lost when the
mail server or the queue is down. Delivery is at least once: if the database fails between the mail
server's acceptance and the commit, the email goes out again on the next attempt.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outbox.models import OutgoingEmail

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)
SWEEP_BATCH = 200


class UnsupportedEmail(ValueError):
    """An email the outbox cannot store faithfully (attachments, alternatives other than HTML)."""


def _html_alternative(message) -> str:
    alternatives = getattr(message, "alternatives", [])
    if any(mimetype != "text/html" for _content, mimetype in alternatives) or len(alternatives) > 1:
        raise UnsupportedEmail("The outbox carries a text body and at most one HTML alternative.")
    return str(alternatives[0][0]) if alternatives else ""


def outgoing_emails_store(*, messages) -> list[OutgoingEmail]:
    """Store Django `EmailMessage`s as rows, in the caller's transaction. Returns the rows."""
    rows = []
    for message in messages:
        if message.attachments:
            raise UnsupportedEmail("The outbox does not carry attachments.")
        body, html_body = str(message.body), _html_alternative(message)
        if message.content_subtype == "html":  # an HTML-only message: its body is the HTML
            body, html_body = "", body
        rows.append(
            OutgoingEmail(
                from_email=str(message.from_email),
                to=[str(address) for address in message.to],
                cc=[str(address) for address in message.cc],
                bcc=[str(address) for address in message.bcc],
                reply_to=[str(address) for address in message.reply_to],
                headers={str(name): str(value) for name, value in message.extra_headers.items()},
                subject=str(message.subject),
                body=body,
                html_body=html_body,
            )
        )
    return OutgoingEmail.objects.bulk_create(rows)


def _due(now):
    return Q(sent_at__isnull=True, next_attempt_at__lte=now)


def _as_message(email: OutgoingEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=email.headers,
        connection=connection,
    )
    if email.html_body and not email.body:
        message.body, message.content_subtype = email.html_body, "html"
    elif email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def _retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_RETRY_DELAY)


def _attempt(email: OutgoingEmail, now) -> bool:
    """Send one claimed row and record the outcome on it. True if the mail server took it."""
    email.attempts += 1
    email.last_attempt_at = now
    try:
        connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND)
        sent = connection.send_messages([_as_message(email, connection)])
        if not sent:
            raise RuntimeError("the email backend sent nothing")
    except Exception as error:  # noqa: BLE001  (any failure of any backend: recorded, retried)
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            email.next_attempt_at = None
            logger.error("Gave up email %s after %s attempts: %s", email.pk, email.attempts, email.last_error)
        else:
            email.next_attempt_at = now + _retry_delay(email.attempts)
            logger.warning("Email %s not delivered (attempt %s), retrying at %s: %s", email.pk, email.attempts, email.next_attempt_at, email.last_error)
        email.save(update_fields=["attempts", "last_attempt_at", "last_error", "next_attempt_at"])
        return False
    email.sent_at, email.next_attempt_at = now, None
    email.save(update_fields=["attempts", "last_attempt_at", "sent_at", "next_attempt_at"])
    return True


def outgoing_email_deliver(*, email_id: int, now=None) -> bool:
    """Deliver one email if it is due and no other worker holds it. True if this call sent it."""
    now = now or timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(_due(now), pk=email_id).first()
        if email is None:  # sent already, given up, not due yet, or being sent by another worker
            return False
        return _attempt(email, now)


def outgoing_emails_deliver_due(*, now=None, limit: int = SWEEP_BATCH) -> int:
    """Deliver the emails that are due (left by a queue that was down, or waiting for a retry).

    One row per transaction, so that each email is marked sent as soon as it is. Returns how many
    were sent.
    """
    now = now or timezone.now()
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            email = (
                OutgoingEmail.objects.select_for_update(skip_locked=True)
                .filter(_due(now))
                .order_by("next_attempt_at", "id")
                .first()
            )
            if email is None:
                break
            sent += _attempt(email, now)
    return sent


def outgoing_emails_delete_old(*, now=None) -> int:
    """Delete the emails sent, or given up on, more than OUTBOX_KEEP_DAYS ago. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    given_up = Q(sent_at__isnull=True, next_attempt_at__isnull=True, last_attempt_at__lt=cutoff)
    deleted, _by_model = OutgoingEmail.objects.filter(Q(sent_at__lt=cutoff) | given_up).delete()
    return deleted
