"""The alerts job as the worker runs it: the same service as `send_audit_alerts`; a second run sends
nothing; the digest and the "notified" mark go together."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import Action, AuditEvent, AuditFlag
from console import services
from console.tasks import send_audit_alerts
from tests.audit_log import actor_fields


@pytest.fixture
def burst(member_a, settings):
    """`member_a` read four different messages in four minutes: above a threshold of three."""
    settings.AUDIT_ALERTS = {**settings.AUDIT_ALERTS, "many_messages": {"messages": 3, "minutes": 10}}
    now = timezone.now()
    for n in range(4):
        AuditEvent.objects.create(
            occurred_at=now - timedelta(minutes=30 - n), action=Action.VIEWED_MESSAGE, target_type="message",
            target_id=f"ADV-0{n + 1}", message_identifier=f"ADV-0{n + 1}", message_version=1, **actor_fields(member_a),
        )


def test_the_job_sends_the_digest_once(burst, ifrc_focal, icrc_focal, settings):
    settings.SITE_URL = "https://keymessages.example.org"
    assert send_audit_alerts.delay().get() == "1 new flag(s); 1 to notify; digest sent to 2 focal point(s)."
    flag = AuditFlag.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ifrc_focal.email, icrc_focal.email])
    assert f"https://keymessages.example.org/audit/flags/{flag.pk}/" in mail.outbox[0].body
    notified = flag.notified_at

    assert send_audit_alerts.delay().get() == "0 new flag(s); 0 to notify; digest sent to 0 focal point(s)."
    assert len(mail.outbox) == 2
    assert AuditFlag.objects.get().notified_at == notified


def test_a_digest_that_cannot_be_sent_leaves_the_flags_to_notify(burst, ifrc_focal, monkeypatch):
    def refuse(_messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mass_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        send_audit_alerts.delay()
    assert AuditFlag.objects.get().notified_at is None

    monkeypatch.undo()
    assert send_audit_alerts.delay().get() == "0 new flag(s); 1 to notify; digest sent to 1 focal point(s)."
    assert [m.to for m in mail.outbox] == [[ifrc_focal.email]]
