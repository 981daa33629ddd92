"""Triage of the access-log alerts: acknowledge, comment, assign, close and reopen a flag; who may
(the flag's reviewers), whom it may be assigned to, what is recorded, what the lists show, and the
digest's absolute links."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import console.services as console_services
from audit.models import Action, AuditEvent, AuditFlag
from audit.services import AuditWriteFailed
from console.models import FlagAction, FlagTriage
from console.services import audit_alerts_send, flag_triage
from core.rules import NotAllowed
from tests.accounts import person, sign_in

FLAGS = reverse("console:flags")


def make_flag(organisation, subject, minutes_ago=0, **fields):
    start = timezone.now() - timedelta(minutes=minutes_ago)
    return AuditFlag.objects.create(
        rule="many_messages", subject=subject, actor_organisation_id=organisation.pk if organisation else None,
        actor_organisation=organisation.name if organisation else "", window_start=start, window_end=start,
        summary="40 different messages in 10 minutes", **fields
    )


@pytest.fixture
def flag_a(library, colombia, member_a):
    """A flag on a member of society A (Colombia)."""
    return make_flag(colombia, member_a.email, actor_user_id=member_a.pk)


def post(client, flag, **data):
    return client.post(reverse("console:flag_triage", args=[flag.pk]), data)


def triaged_events(flag):
    return AuditEvent.objects.filter(action=Action.FLAG_TRIAGED, target_type="audit_flag", target_id=str(flag.pk)).order_by("id")


def status(flag):
    triage = FlagTriage.objects.filter(flag=flag).first()
    return triage.status if triage else "open"


def test_acknowledge_comment_assign_close_and_reopen_each_recorded(flag_a, ifrc_focal, ifrc_focal_client, admin_a):
    assert post(ifrc_focal_client, flag_a, step="acknowledge").status_code == 302
    assert status(flag_a) == "acknowledged"
    post(ifrc_focal_client, flag_a, step="comment", comment="Asked the society admin.")
    post(ifrc_focal_client, flag_a, step="assign", assignee=admin_a.pk)
    assert FlagTriage.objects.get(flag=flag_a).assignee == admin_a
    post(ifrc_focal_client, flag_a, step="close", comment="A training session: expected.")
    assert status(flag_a) == "closed"
    post(ifrc_focal_client, flag_a, step="reopen")
    assert status(flag_a) == "open"

    steps = list(FlagAction.objects.filter(flag=flag_a).values_list("step", "actor__email", "comment"))
    assert steps == [
        ("acknowledge", ifrc_focal.email, ""),
        ("comment", ifrc_focal.email, "Asked the society admin."),
        ("assign", ifrc_focal.email, ""),
        ("close", ifrc_focal.email, "A training session: expected."),
        ("reopen", ifrc_focal.email, ""),
    ]
    events = list(triaged_events(flag_a))
    assert [e.details["step"] for e in events] == ["acknowledge", "comment", "assign", "close", "reopen"]
    assert all(e.actor_email == ifrc_focal.email and e.actor_user_id == ifrc_focal.pk for e in events)
    assert events[2].details["assignee"] == admin_a.email
    assert events[3].details["status"] == "closed" and events[3].details["comment"] == "A training session: expected."
    # The flag itself is untouched and still there.
    assert AuditFlag.objects.filter(pk=flag_a.pk, summary=flag_a.summary).exists()


def test_the_flag_page_shows_the_state_the_history_and_the_steps_allowed(flag_a, ifrc_focal_client, admin_a):
    page = ifrc_focal_client.get(reverse("console:flag", args=[flag_a.pk])).content.decode()
    assert 'value="acknowledge"' in page and 'value="close"' in page and 'value="reopen"' not in page
    assert admin_a.email in page  # offered as an assignee
    post(ifrc_focal_client, flag_a, step="close", comment="Seen <b>twice</b>.")
    page = ifrc_focal_client.get(reverse("console:flag", args=[flag_a.pk])).content.decode()
    assert 'value="reopen"' in page and 'value="acknowledge"' not in page and 'value="close"' not in page
    assert "Seen &lt;b&gt;twice&lt;/b&gt;." in page  # escaped
    assert "Closed" in page


def test_a_service_step_and_its_access_log_row_are_one_transaction(flag_a, ifrc_focal, monkeypatch):
    def audit_down(**kwargs):
        raise AuditWriteFailed("disk full (simulated)")

    monkeypatch.setattr(console_services, "audit_record", audit_down)
    with pytest.raises(AuditWriteFailed):
        flag_triage(acting_user=ifrc_focal, flag=flag_a, step="close", comment="x")
    assert not FlagAction.objects.exists() and not FlagTriage.objects.exists()


def test_a_comment_needs_text_and_a_closed_flag_is_not_closed_or_acknowledged_again(flag_a, ifrc_focal):
    with pytest.raises(NotAllowed):
        flag_triage(acting_user=ifrc_focal, flag=flag_a, step="comment", comment="   ")
    flag_triage(acting_user=ifrc_focal, flag=flag_a, step="acknowledge")
    with pytest.raises(NotAllowed):
        flag_triage(acting_user=ifrc_focal, flag=flag_a, step="acknowledge")
    flag_triage(acting_user=ifrc_focal, flag=flag_a, step="close")
    for step in ("close", "acknowledge", "assign"):
        with pytest.raises(NotAllowed):
            flag_triage(acting_user=ifrc_focal, flag=flag_a, step=step, assignee=ifrc_focal)
    flag_triage(acting_user=ifrc_focal, flag=flag_a, step="comment", comment="Still closed; noted.")
    assert status(flag_a) == "closed"
    assert triaged_events(flag_a).count() == 3  # acknowledge, close, comment: refusals record nothing


def test_a_refused_step_over_http_records_nothing_and_says_why(flag_a, ifrc_focal_client):
    response = post(ifrc_focal_client, flag_a, step="comment", comment="")
    assert response.status_code == 302
    page = ifrc_focal_client.get(response["Location"]).content.decode()
    assert "Write a comment first." in page
    assert not FlagAction.objects.exists() and not triaged_events(flag_a).exists()


def test_the_society_admin_of_the_flagged_society_triages_it(flag_a, admin_a, admin_a_client):
    post(admin_a_client, flag_a, step="close", comment="Our volunteer, preparing a training.")
    assert status(flag_a) == "closed"
    assert triaged_events(flag_a).get().actor_email == admin_a.email


@pytest.mark.parametrize("outsider", ["admin_b", "member_a", "member_b", "doc_editor"])
def test_who_may_not_review_the_flag_gets_404_and_changes_nothing(flag_a, outsider, request):
    client = sign_in(Client(), request.getfixturevalue(outsider))
    for step in ("acknowledge", "close"):
        assert post(client, flag_a, step=step, comment="x").status_code == 404
    assert client.get(reverse("console:flag", args=[flag_a.pk])).status_code == 404
    assert not FlagTriage.objects.exists() and not FlagAction.objects.exists() and not triaged_events(flag_a).exists()


def test_anonymous_posts_are_sent_to_sign_in(flag_a):
    response = post(Client(), flag_a, step="close")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not FlagTriage.objects.exists()


def test_a_get_on_the_triage_url_changes_nothing(flag_a, ifrc_focal_client):
    assert ifrc_focal_client.get(reverse("console:flag_triage", args=[flag_a.pk]) + "?step=close").status_code == 405
    assert status(flag_a) == "open"


def test_a_flag_is_assigned_only_to_one_of_its_reviewers(flag_a, ifrc_focal, admin_a, admin_b, member_a, icrc_focal, platform_admin, deactivated):
    for reviewer in (admin_a, icrc_focal, platform_admin, ifrc_focal):
        flag_triage(acting_user=ifrc_focal, flag=flag_a, step="assign", assignee=reviewer)
        assert FlagTriage.objects.get(flag=flag_a).assignee == reviewer
    for not_a_reviewer in (admin_b, member_a, deactivated):
        with pytest.raises(NotAllowed):
            flag_triage(acting_user=ifrc_focal, flag=flag_a, step="assign", assignee=not_a_reviewer)
    assert FlagTriage.objects.get(flag=flag_a).assignee == ifrc_focal


def test_the_assignee_list_offers_the_flags_reviewers_only(flag_a, ifrc_focal_client, admin_a, admin_b, member_a, icrc_focal, platform_admin, deactivated):
    form = ifrc_focal_client.get(reverse("console:flag", args=[flag_a.pk])).context["form"]
    offered = set(form.fields["assignee"].queryset.values_list("email", flat=True))
    assert {admin_a.email, icrc_focal.email, platform_admin.email} <= offered
    assert not offered & {admin_b.email, member_a.email, deactivated.email}
    # Another society's admin, posted by hand, is refused by the form: nothing assigned.
    post(ifrc_focal_client, flag_a, step="assign", assignee=admin_b.pk)
    assert not FlagTriage.objects.filter(assignee__isnull=False).exists()


def test_a_flag_without_organisation_is_assigned_among_focal_points_and_platform_admins(library, ifrc_focal, admin_a, platform_admin):
    flag = make_flag(None, "nobody@example.org")
    with pytest.raises(NotAllowed):
        flag_triage(acting_user=ifrc_focal, flag=flag, step="assign", assignee=admin_a)
    flag_triage(acting_user=ifrc_focal, flag=flag, step="assign", assignee=platform_admin)
    with pytest.raises(NotAllowed):
        flag_triage(acting_user=admin_a, flag=flag, step="close")


def test_closed_flags_leave_the_open_list_and_stay_listed_under_closed(library, colombia, mexico, ifrc_focal, ifrc_focal_client):
    open_flag = make_flag(colombia, "open@colombia.example.org")
    closed_flag = make_flag(mexico, "closed@mexico.example.org", minutes_ago=5)
    flag_triage(acting_user=ifrc_focal, flag=closed_flag, step="close", comment="Expected.")

    def listed(query=""):
        return [flag.pk for flag in ifrc_focal_client.get(FLAGS + query).context["page_obj"].object_list]

    assert listed() == [open_flag.pk] == listed("?status=open")
    assert listed("?status=closed") == [closed_flag.pk]
    assert listed("?status=all") == [open_flag.pk, closed_flag.pk]
    for bad in ("?status=deleted", "?status=", "?status=%00", "?status=" + "x" * 3000):
        assert listed(bad) == [open_flag.pk]
    page = ifrc_focal_client.get(FLAGS + "?status=closed").content.decode()
    assert 'href="?status=closed" aria-current="page"' in page
    # Closed, it still opens, with its events and its history.
    assert ifrc_focal_client.get(reverse("console:flag", args=[closed_flag.pk])).status_code == 200


def test_a_society_admin_lists_only_their_societys_flags_open_or_closed(library, colombia, mexico, admin_a, ifrc_focal, admin_a_client):
    ours = make_flag(colombia, "ours@colombia.example.org")
    theirs = make_flag(mexico, "theirs@mexico.example.org")
    flag_triage(acting_user=ifrc_focal, flag=theirs, step="close")
    flag_triage(acting_user=admin_a, flag=ours, step="close")
    listed = [f.pk for f in admin_a_client.get(FLAGS + "?status=closed").context["page_obj"].object_list]
    assert listed == [ours.pk]


def test_the_regional_overview_counts_only_open_alerts(library, colombia, ifrc_focal, ifrc_focal_client):
    make_flag(colombia, "a@colombia.example.org")
    closed = make_flag(colombia, "b@colombia.example.org")
    acknowledged = make_flag(colombia, "c@colombia.example.org")
    flag_triage(acting_user=ifrc_focal, flag=closed, step="close")
    flag_triage(acting_user=ifrc_focal, flag=acknowledged, step="acknowledge")
    rows = ifrc_focal_client.get(reverse("console:regional_overview")).context["overview"].organisations
    assert next(o for o in rows if o.slug == "colombia").open_alerts == 2


def test_the_digest_links_are_absolute_from_site_url(library, colombia, ifrc_focal, settings):
    settings.SITE_URL = "https://keymessages.example.org"
    flag = make_flag(colombia, "reader@colombia.example.org")
    audit_alerts_send(hours=1)
    body = mail.outbox[0].body
    assert f"https://keymessages.example.org/audit/flags/{flag.pk}/" in body
    assert "(https://keymessages.example.org/audit/flags/)" in body
    # Every link is absolute: no path without the site before it.
    assert body.count("/audit/") == body.count("https://keymessages.example.org/audit/")


def test_the_command_falls_back_to_site_url_when_given_an_empty_address(library, colombia, ifrc_focal, settings):
    from django.core.management import call_command

    settings.SITE_URL = "https://km.example.org/"
    make_flag(colombia, "reader@colombia.example.org")
    call_command("send_audit_alerts", "--hours", "1", "--site-url", "")
    body = mail.outbox[0].body
    assert body.count("/audit/") == body.count("https://km.example.org/audit/") == 2
