"""The email outbox: every email the app sends is stored in the sender's transaction and delivered by
a worker after commit, once, retried when the mail server fails, and forgotten some days later."""

import random
import re
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from outbox import tasks
from outbox.models import OutgoingEmail
from outbox.services import UnsupportedEmail, outgoing_email_deliver, outgoing_emails_deliver_due

OUTBOX = "outbox.backends.OutboxEmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class SlowLocmemBackend(LocmemBackend):
    """A mail server that takes a moment per email: time enough for two workers to collide."""

    def send_messages(self, messages):
        time.sleep(0.005)
        return super().send_messages(messages)


@pytest.fixture
def through_the_outbox(db, settings):
    settings.EMAIL_BACKEND = OUTBOX
    settings.OUTBOX_DELIVERY_BACKEND = LOCMEM
    return settings


def send(subject="Hello", to="lectora@colombia.example.org"):
    send_mail(subject, "The body.", None, [to])


def test_an_email_is_stored_in_the_transaction_and_delivered_after_commit(through_the_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        with transaction.atomic():
            send()
        email = OutgoingEmail.objects.get()
        assert (email.to, email.subject, email.sent_at, email.attempts) == (["lectora@colombia.example.org"], "Hello", None, 0)
        assert mail.outbox == []  # nothing left during the transaction
    assert len(queued) == 1
    queued[0]()  # the commit queues the delivery; in tests the task runs at once

    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [("Hello", ["lectora@colombia.example.org"], "The body.")]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1 and email.next_attempt_at is None


def test_a_rolled_back_transaction_sends_nothing(through_the_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with pytest.raises(ZeroDivisionError):
            with transaction.atomic():
                send()
                1 / 0
    assert queued == [] and mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_allauths_password_reset_leaves_the_request_through_the_outbox(through_the_outbox, member_a, django_capture_on_commit_callbacks):
    """A sender that knows nothing of the outbox: the link is in the stored row, and the email goes
    out only once the request has committed."""
    with django_capture_on_commit_callbacks() as queued:
        response = Client().post(reverse("account_reset_password"), {"email": member_a.email})
    assert response.status_code == 302
    assert mail.outbox == []
    email = OutgoingEmail.objects.get()
    assert email.to == [member_a.email] and re.search(r"/accounts/password/reset/key/\S+/", email.body)

    for callback in queued:
        callback()
    assert [m.body for m in mail.outbox] == [email.body]


def test_delivering_twice_sends_once(through_the_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send()
    email = OutgoingEmail.objects.get()
    assert tasks.deliver_email.delay(email.pk).get() is False
    assert tasks.deliver_due_emails.delay().get() == 0
    assert len(mail.outbox) == 1


def test_with_the_queue_down_the_email_waits_for_the_sweep(through_the_outbox, django_capture_on_commit_callbacks, monkeypatch, caplog):
    def queue_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_email, "apply_async", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        send()  # the commit does not fail for it
    assert mail.outbox == [] and OutgoingEmail.objects.get().sent_at is None
    assert "the periodic sweep will deliver it" in caplog.text

    assert tasks.deliver_due_emails.delay().get() == 1
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert OutgoingEmail.objects.get().sent_at is not None


def test_a_failed_delivery_is_recorded_retried_later_and_not_lost(through_the_outbox, django_capture_on_commit_callbacks):
    through_the_outbox.OUTBOX_DELIVERY_BACKEND = "tests.outbox.test_outbox.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        send()
    email = OutgoingEmail.objects.get()
    assert email.attempts == 1 and email.sent_at is None
    assert email.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    first_retry = email.next_attempt_at
    assert timedelta(seconds=50) < first_retry - email.last_attempt_at <= timedelta(minutes=1)

    assert outgoing_emails_deliver_due() == 0  # not due yet: nothing tried
    assert OutgoingEmail.objects.get().attempts == 1

    later = first_retry + timedelta(seconds=1)
    assert outgoing_emails_deliver_due(now=later) == 0  # still down: the delay doubles
    email.refresh_from_db()
    assert email.attempts == 2 and email.next_attempt_at == later + timedelta(minutes=2)

    through_the_outbox.OUTBOX_DELIVERY_BACKEND = LOCMEM  # the mail server is back
    assert outgoing_emails_deliver_due(now=email.next_attempt_at) == 1
    assert [m.subject for m in mail.outbox] == ["Hello"]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 3


def test_delivery_is_given_up_after_the_last_attempt_and_the_row_kept_for_the_operator(through_the_outbox, django_capture_on_commit_callbacks):
    through_the_outbox.OUTBOX_DELIVERY_BACKEND = "tests.outbox.test_outbox.RefusingBackend"
    through_the_outbox.OUTBOX_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        send()
    now = timezone.now()
    for _ in range(5):
        now += timedelta(hours=2)
        outgoing_emails_deliver_due(now=now)
    email = OutgoingEmail.objects.get()
    assert (email.attempts, email.given_up, email.sent_at) == (3, True, None)
    assert "Connection refused" in email.last_error


def test_the_html_alternative_headers_and_addresses_are_delivered_as_sent(through_the_outbox, django_capture_on_commit_callbacks):
    message = EmailMultiAlternatives(
        "Digest", "Plain text.", "Alertas <alertas@ifrc.example.org>", ["focal@ifrc.example.org"],
        cc=["copia@ifrc.example.org"], bcc=["oculta@ifrc.example.org"], reply_to=["respuesta@ifrc.example.org"],
        headers={"X-Key-Messages": "digest"},
    )
    message.attach_alternative("<p>Plain text.</p>", "text/html")
    with django_capture_on_commit_callbacks(execute=True):
        message.send()
    [delivered] = mail.outbox
    assert (delivered.subject, delivered.body, delivered.from_email) == ("Digest", "Plain text.", "Alertas <alertas@ifrc.example.org>")
    assert (delivered.to, delivered.cc, delivered.bcc, delivered.reply_to) == (
        ["focal@ifrc.example.org"], ["copia@ifrc.example.org"], ["oculta@ifrc.example.org"], ["respuesta@ifrc.example.org"]
    )
    assert delivered.alternatives == [("<p>Plain text.</p>", "text/html")]
    assert delivered.message()["X-Key-Messages"] == "digest"


def test_an_attachment_is_refused_rather_than_dropped(through_the_outbox):
    message = EmailMultiAlternatives("Report", "See attached.", None, ["focal@ifrc.example.org"])
    message.attach("report.csv", "a,b\n", "text/csv")
    with pytest.raises(UnsupportedEmail):
        message.send()
    assert not OutgoingEmail.objects.exists()


def test_sent_and_given_up_emails_are_deleted_after_the_keeping_period(db, settings):
    settings.OUTBOX_KEEP_DAYS = 7
    now = timezone.now()

    def email(subject, **fields):
        return OutgoingEmail.objects.create(subject=subject, body="link", from_email="a@example.org", to=["b@example.org"], **fields)

    email("sent 8 days ago", sent_at=now - timedelta(days=8), next_attempt_at=None)
    email("given up 8 days ago", next_attempt_at=None, attempts=30, last_attempt_at=now - timedelta(days=8))
    kept = [
        email("sent 6 days ago", sent_at=now - timedelta(days=6), next_attempt_at=None).subject,
        email("given up 6 days ago", next_attempt_at=None, attempts=30, last_attempt_at=now - timedelta(days=6)).subject,
        email("waiting since 9 days", created_at=now - timedelta(days=9), attempts=3, last_attempt_at=now - timedelta(days=8)).subject,
    ]
    assert tasks.delete_old_emails.delay().get() == 2
    assert sorted(OutgoingEmail.objects.values_list("subject", flat=True)) == sorted(kept)
    assert tasks.delete_old_emails.delay().get() == 0


EMAILS = 40


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_delivering_at_once_send_each_email_once(audit_log_flushable, settings):
    """Two sweeps and two workers running the per-email task, each on its own connection, over the
    same 40 due emails, with a mail server slow enough for them to collide: each email goes out once."""
    settings.OUTBOX_DELIVERY_BACKEND = "tests.outbox.test_outbox.SlowLocmemBackend"
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(subject=f"Email {n}", body="link", from_email="a@example.org", to=["b@example.org"]) for n in range(EMAILS)
    )
    start = threading.Barrier(4, timeout=30)
    errors = []

    def worker(job):
        try:
            start.wait()
            job()
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            errors.append(error)
        finally:
            connection.close()

    def each_email(seed):
        ids = [email.pk for email in emails]
        random.Random(seed).shuffle(ids)
        for email_id in ids:
            outgoing_email_deliver(email_id=email_id)

    jobs = [outgoing_emails_deliver_due, outgoing_emails_deliver_due, lambda: each_email(1), lambda: each_email(2)]
    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Email {n}" for n in range(EMAILS))
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
