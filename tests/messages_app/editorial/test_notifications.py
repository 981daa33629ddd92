"""Telling readers of a new edition: an email per edition or a weekly digest (each person's choice,
by default by role), never with the messages in it; and a notice on the library's home page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from messages_app.catalogue.models import Edition
from messages_app.editorial import services
from messages_app.editorial.models import DraftMessage
from messages_app.editorial.notify import send_edition_digests
from national_societies.models import NationalSociety, User
from tests.accounts import person

SECRET_TEXT = "A sentence that only readers of the library may see."


@pytest.fixture
def publish(doc_editor, doc_reviewer, migration_document):
    def run():
        draft = services.draft_start(acting_user=doc_editor, document=migration_document)
        message = DraftMessage.objects.get(draft=draft, identifier="DET-04")
        services.draft_message_save(acting_user=doc_editor, draft=draft, identifier="DET-04", text=SECRET_TEXT, topics=message.topics, base_revision=message.revision)
        services.draft_submit(acting_user=doc_editor, draft=draft)
        services.draft_review(acting_user=doc_reviewer, draft=draft, decision="approved")
        mail.outbox.clear()
        return services.draft_publish(acting_user=doc_editor, draft=draft)

    return run


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_publishing_emails_the_readers_who_want_each_edition(publish, member_a, admin_a, member_b, ifrc_focal, deactivated):
    member_b.edition_notifications = "each"
    member_b.save()
    admin_a.edition_notifications = "none"
    admin_a.save()
    publish()
    recipients = _recipients()
    assert member_b.email in recipients and ifrc_focal.email in recipients  # own choice; a focal point's default
    assert member_a.email not in recipients  # a member's default: the digest
    assert admin_a.email not in recipients and deactivated.email not in recipients
    for message in mail.outbox:
        assert SECRET_TEXT not in message.body and "DET-04" not in message.body
        assert "http" in message.body


def test_a_society_admin_gets_each_edition_by_default(publish, admin_b):
    publish()
    assert admin_b.email in _recipients()


def test_members_of_a_deactivated_organisation_are_not_told(publish, admin_b):
    NationalSociety.objects.filter(slug="mexico").update(is_active=False)
    publish()
    assert admin_b.email not in _recipients()


def test_the_email_is_in_the_readers_language(publish, admin_b):
    admin_b.language = "es"
    admin_b.save()
    publish()
    [email] = [m for m in mail.outbox if m.to == [admin_b.email]]
    assert "edición" in email.subject.lower() or "edición" in email.body.lower()


def test_the_weekly_digest_tells_each_member_once(publish, member_a):
    User.objects.filter(pk=member_a.pk).update(date_joined=timezone.now() - timedelta(days=30))
    edition = publish()
    mail.outbox.clear()
    assert send_edition_digests(now=edition.loaded_at + timedelta(days=2)) >= 1
    [digest] = [m for m in mail.outbox if m.to == [member_a.email]]
    assert "edition 2" in digest.body and SECRET_TEXT not in digest.body
    mail.outbox.clear()
    assert send_edition_digests(now=edition.loaded_at + timedelta(days=3)) == 0
    assert mail.outbox == []


def test_nobody_who_joined_after_the_edition_gets_it_in_a_digest(publish):
    edition = publish()
    newcomer = person("colombia")
    User.objects.filter(pk=newcomer.pk).update(date_joined=edition.loaded_at + timedelta(hours=1))
    mail.outbox.clear()
    send_edition_digests(now=edition.loaded_at + timedelta(days=1))
    assert newcomer.email not in _recipients()


def test_the_digest_command(publish, member_a):
    User.objects.filter(pk=member_a.pk).update(date_joined=timezone.now() - timedelta(days=30))
    publish()
    mail.outbox.clear()
    call_command("send_edition_digests", verbosity=0)
    assert member_a.email in _recipients()


def test_choosing_emails_on_the_account_page(member_a_client, member_a):
    url = reverse("national_societies:my_account")
    page = member_a_client.get(url).content.decode()
    [digest_radio] = re.findall(r'<input[^>]*value="digest"[^>]*>', page)
    assert "checked" in digest_radio  # a member's default
    assert member_a_client.post(url, {"edition_notifications": "none"}).status_code == 302
    member_a.refresh_from_db()
    assert member_a.edition_notifications == "none"
    assert member_a_client.post(url, {"edition_notifications": "sms"}).status_code == 400
    member_a.refresh_from_db()
    assert member_a.edition_notifications == "none"


def test_the_home_page_tells_of_a_new_edition_until_dismissed(publish, member_a):
    from django.test import Client

    from tests.accounts import sign_in

    User.objects.filter(pk=member_a.pk).update(date_joined=timezone.now() - timedelta(days=30))
    publish()
    client = sign_in(Client(), User.objects.get(pk=member_a.pk))
    assert "New edition 2" in client.get(reverse("messages:document", args=["migration-americas"])).content.decode()
    assert client.post(reverse("messages:edition_notice_dismiss", args=["migration-americas"])).status_code == 302
    assert "New edition 2" not in client.get(reverse("messages:document", args=["migration-americas"])).content.decode()


def test_no_notice_for_someone_who_joined_after_the_edition(publish):
    from django.test import Client

    from tests.accounts import sign_in

    publish()
    newcomer = person("colombia")
    User.objects.filter(pk=newcomer.pk).update(date_joined=Edition.objects.current_first().first().loaded_at + timedelta(minutes=1))
    client = sign_in(Client(), User.objects.get(pk=newcomer.pk))
    assert "New edition 2" not in client.get(reverse("messages:document", args=["migration-americas"])).content.decode()
