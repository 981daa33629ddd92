"""Confirming a checked list stores a batch (with its access-log row), and the background job sends it
a few invitations a run, each through `invitation_create`, never one twice."""

import html
import io
import re
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from audit.models import Action, AuditEvent
from core.rules import NotAllowed
from national_societies.invitation_batches.lists import invitation_list_read_and_check
from national_societies.invitation_batches.services import (
    BatchRun,
    invitation_batch_create,
    invitation_batches_send,
)
from national_societies.models import (
    AllowedDomain,
    Invitation,
    InvitationBatch,
    InvitationBatchLine,
    Membership,
    NationalSociety,
)
from national_societies.tasks import send_invitation_batches
from tests.accounts import persona
from tests.factories import UserFactory
from tests.national_societies.invitation_batches.pages import (
    batch_url,
    bulk_url,
    open_invitation,
    rows,
    send_url,
)

EXPECTED_LANGUAGE = ["es", "en", "fr", "pt-br", "es"]  # "" on every fifth line: Colombia's usual language
TYPED_LANGUAGE = ["es", "English", "fr", "Português", ""]


def two_hundred_people() -> bytes:
    """An onboarding list as Excel in Spanish saves it: a byte-order mark, semicolons, a Spanish header, CRLF."""
    lines = ["Correo electrónico;Nombre;Rol;Idioma"] + [
        f"persona{n:03}@colombia.example.org;Persona {n};{'society admin' if n % 50 == 0 else 'miembro'};{TYPED_LANGUAGE[n % 5]}"
        for n in range(200)
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def confirmation(response) -> dict:
    """The hidden fields of the report's "Send N invitations" form, as the browser would post them."""
    page = response.content.decode()
    return {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="(text|digest)" value="([^"]*)"', page)}


def subject_in(language, invitation) -> str:
    with translation.override(language):
        return render_to_string("national_societies/email/invitation_subject.txt", {"invitation": invitation}).strip()


def test_a_csv_of_200_people_is_checked_reported_and_sent_by_the_job_20_a_run_each_once(
    admin_a_client, admin_a, colombia, colombia_domains, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_BATCH_RATE = 20
    upload = SimpleUploadedFile("onboarding.csv", two_hundred_people(), content_type="text/csv")

    report = admin_a_client.post(bulk_url(colombia), {"file": upload})
    assert report.status_code == 200
    assert {result for _line, _person, result in rows(report)} == {"Will be invited"}
    assert [line for line, _person, _result in rows(report)] == list(range(2, 202))
    assert "Send 200 invitations" in report.content.decode()
    assert mail.outbox == [] and not Invitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_a_client.post(send_url(colombia), confirmation(report))
    batch = InvitationBatch.objects.get()
    assert confirmed.status_code == 302 and confirmed["Location"] == batch_url(batch)
    # The confirmation queued one run at once: its first 20 left; the job sends the rest, 20 a run.
    sent_per_run = [len(mail.outbox)]
    while batch.lines.filter(status=InvitationBatchLine.Status.WAITING).exists():
        before = len(mail.outbox)
        send_invitation_batches()
        sent_per_run.append(len(mail.outbox) - before)
    assert sent_per_run == [20] * 10

    # Run again: nothing more (every line is sent, none twice).
    assert send_invitation_batches() == "Invitation batches: 0 sent, 0 failed."
    assert len(mail.outbox) == 200
    invitations = {invitation.email: invitation for invitation in Invitation.objects.all()}
    assert sorted(invitations) == sorted(message.to[0] for message in mail.outbox) == [f"persona{n:03}@colombia.example.org" for n in range(200)]
    for message in mail.outbox:
        invitation = invitations[message.to[0]]
        number = int(message.to[0][7:10])
        assert invitation.language == EXPECTED_LANGUAGE[number % 5]
        assert invitation.role == (Membership.Role.SOCIETY_ADMIN if number % 50 == 0 else Membership.Role.MEMBER)
        assert message.subject.endswith(subject_in(invitation.language, invitation))
    assert len({message.subject for message in mail.outbox}) == 4  # one subject per language
    # Each invitation has its own access-log row, by the admin who confirmed; the batch has one too.
    assert AuditEvent.objects.filter(action=Action.INVITED, actor_user_id=admin_a.pk).count() == 200
    created = AuditEvent.objects.get(action=Action.INVITATION_BATCH_CREATED)
    assert (created.actor_user_id, created.target_id) == (admin_a.pk, str(batch.pk))
    assert created.details == {"organisation": "colombia", "to_invite": 200, "left_out": {}}

    page = admin_a_client.get(batch_url(batch))
    assert {result for _line, _person, result in rows(page)} == {"Sent"}
    assert "Every line of this batch has been handled." in page.content.decode()


def test_confirming_a_list_that_checks_differently_now_shows_its_report_again_and_stores_nothing(admin_a_client, colombia, colombia_domains):
    text = "ana@colombia.example.org\nbeto@colombia.example.org\n"
    report = admin_a_client.post(bulk_url(colombia), {"text": text})
    fields = confirmation(report)
    assert fields["text"] == text and "Send 2 invitations" in report.content.decode()

    open_invitation("beto@colombia.example.org", colombia)  # someone else invited Beto in the meantime
    again = admin_a_client.post(send_url(colombia), fields)
    page = again.content.decode()
    assert again.status_code == 200
    assert "does not check as it did when you saw it" in page and "Send 1 invitation<" in page
    # A list changed in the browser is refused alike.
    tampered = admin_a_client.post(send_url(colombia), {**fields, "text": text + "carla@colombia.example.org\n"})
    assert "does not check as it did when you saw it" in tampered.content.decode()
    assert not InvitationBatch.objects.exists() and mail.outbox == []


def test_a_line_that_can_no_longer_be_invited_when_its_turn_comes_fails_with_its_reason(admin_a_client, admin_a, colombia, colombia_domains):
    text = "uno@colombia.example.org\ndos@colombia.example.org\ntres@colombia.example.org\nnot-an-email\n"
    report = invitation_list_read_and_check(text=text, national_society=colombia, invited_by=admin_a)
    batch = invitation_batch_create(created_by=admin_a, national_society=colombia, report=report)
    assert AuditEvent.objects.get(action=Action.INVITATION_BATCH_CREATED).details["left_out"] == {"invalid_email": 1}
    # Before the job's turn: Dos is invited by someone else, Tres gets an account.
    open_invitation("dos@colombia.example.org", colombia)
    UserFactory(email="tres@colombia.example.org")

    assert invitation_batches_send(limit=20) == BatchRun(sent=1, failed=2)

    assert [message.to for message in mail.outbox] == [["uno@colombia.example.org"]]
    page = admin_a_client.get(batch_url(batch))
    assert [result for _line, _person, result in rows(page)] == [
        "Sent", "Failed Already invited (pending invitation)", "Failed Already has an account",
    ]
    assert "1 line of the list was left out by the report." in page.content.decode()


def test_a_batch_whose_admin_lost_the_right_to_invite_sends_nothing(admin_a, colombia, colombia_domains):
    report = invitation_list_read_and_check(text="uno@colombia.example.org\n", national_society=colombia, invited_by=admin_a)
    batch = invitation_batch_create(created_by=admin_a, national_society=colombia, report=report)
    Membership.objects.filter(user=admin_a).update(role=Membership.Role.MEMBER)

    assert invitation_batches_send(limit=20) == BatchRun(sent=0, failed=1)
    line = batch.lines.get()
    assert (line.status, line.problem) == ("failed", "not_allowed")
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_the_command_sends_one_run_or_every_waiting_invitation(admin_a, colombia, colombia_domains, settings):
    settings.INVITATION_BATCH_RATE = 2
    text = "\n".join(f"p{n}@colombia.example.org" for n in range(5))
    invitation_batch_create(
        created_by=admin_a, national_society=colombia,
        report=invitation_list_read_and_check(text=text, national_society=colombia, invited_by=admin_a),
    )
    out = io.StringIO()
    call_command("send_invitation_batches", stdout=out)
    assert out.getvalue() == "2 invitation(s) sent, 0 failed.\n"
    call_command("send_invitation_batches", "--all", stdout=out)
    assert out.getvalue().endswith("3 invitation(s) sent, 0 failed.\n") and len(mail.outbox) == 5


def test_only_who_manages_the_society_stores_a_batch_and_only_of_lines_to_invite(admin_a, member_a, admin_b, colombia, colombia_domains):
    report = invitation_list_read_and_check(text="uno@colombia.example.org\n", national_society=colombia, invited_by=admin_a)
    for outsider in (member_a, admin_b):
        with pytest.raises(NotAllowed):
            invitation_batch_create(created_by=outsider, national_society=colombia, report=report)
    nothing = invitation_list_read_and_check(text="someone@gmail.com\n", national_society=colombia, invited_by=admin_a)
    with pytest.raises(ValidationError):
        invitation_batch_create(created_by=admin_a, national_society=colombia, report=nothing)
    assert not InvitationBatch.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.INVITATION_BATCH_CREATED).exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_runs_of_the_job_at_the_same_time_send_each_invitation_once(audit_log_flushable):
    """Three runs on their own connections over the same 30 waiting lines: SKIP LOCKED shares them out."""
    colombia = NationalSociety.objects.get(slug="colombia")
    AllowedDomain.objects.create(national_society=colombia, domain="colombia.example.org")
    admin = persona("admin_a")
    text = "\n".join(f"p{n}@colombia.example.org" for n in range(30))
    report = invitation_list_read_and_check(text=text, national_society=colombia, invited_by=admin)
    invitation_batch_create(created_by=admin, national_society=colombia, report=report)
    start = threading.Barrier(3, timeout=30)
    errors, runs = [], []

    def worker():
        try:
            start.wait()
            runs.append(invitation_batches_send(limit=30))
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(run.sent for run in runs) == 30 and sum(run.failed for run in runs) == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"p{n}@colombia.example.org" for n in range(30))
    assert Invitation.objects.count() == 30
    assert not InvitationBatchLine.objects.exclude(status="sent").exists()
