"""The dormant-accounts job as the worker runs it: the same service as the command, and a second run
changes nothing."""

from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEvent
from national_societies.models import User
from national_societies.tasks import suspend_dormant_accounts
from tests.factories import MembershipFactory, UserFactory


def test_the_job_suspends_the_dormant_once_and_a_second_run_changes_nothing(colombia, member_a, settings):
    settings.DORMANT_ACCOUNT_DAYS = 180
    dormant = UserFactory(email="dormida@colombia.example.org", last_login=timezone.now() - timedelta(days=181))
    MembershipFactory(user=dormant, national_society=colombia)

    assert suspend_dormant_accounts.delay().get() == "Deactivated 1 account(s) unused for 180 days."
    assert User.objects.get(pk=dormant.pk).is_active is False
    assert User.objects.get(pk=member_a.pk).is_active is True
    recorded = AuditEvent.objects.filter(action="deactivated").count()
    assert recorded == 1

    assert suspend_dormant_accounts.delay().get() == "Deactivated 0 account(s) unused for 180 days."
    assert AuditEvent.objects.filter(action="deactivated").count() == recorded
