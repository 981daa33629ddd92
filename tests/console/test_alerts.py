"""Alert rules over the access log: each fires above its threshold and not at it; flags are stored
once; `send_audit_alerts` mails one digest to the active focal points; flags show in the console."""

import io
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from console.alerts import Rule, audit_flags_detect
from audit.models import Action, AuditEvent, AuditFlag, Outcome
from national_societies.models import Membership, NationalSociety
from tests.accounts import add_totp, sign_in
from tests.audit_log import actor_fields
from tests.factories import MembershipFactory, NationalSocietyFactory, UserFactory

UTC = dt_timezone.utc
T = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # "now" of the rule tests
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.AUDIT_ALERTS = {
        "many_messages": {"messages": 3, "minutes": 10},
        "many_exports": {"per_day": 2},
        "repeated_denials": {"count": 3, "minutes": 60},
        "failed_logins": {"count": 2, "minutes": 15},
        "new_network": {"prefix_v4": 24, "prefix_v6": 48, "lookback_days": 90},
    }


def person(organisation, email, role=Membership.Role.MEMBER, **extra):
    user = UserFactory(email=email, **extra)
    MembershipFactory(user=user, national_society=organisation, role=role)
    if role != Membership.Role.MEMBER:
        add_totp(user)
    return user


def event(user=None, *, action, at, **fields):
    values = {**actor_fields(user), **fields}
    return AuditEvent.objects.create(occurred_at=at, action=action, **values)


def view(user, identifier, at):
    return event(user, action=Action.VIEWED_MESSAGE, at=at, message_identifier=identifier, target_type="message", target_id=identifier)


def detect(start=T - timedelta(hours=26), end=T + MINUTE):
    return audit_flags_detect(start=start, end=end)


def flags(rule):
    return list(AuditFlag.objects.filter(rule=rule).order_by("window_start", "id"))


# --- Many different messages in a short time -------------------------------------------------------


def test_many_messages_fires_above_the_threshold(member, colombia):
    views = [view(member, f"GEN-0{n + 1}", T - timedelta(minutes=30) + n * MINUTE) for n in range(4)]
    created = detect()
    assert [f.rule for f in created] == [Rule.MANY_MESSAGES]
    flag = created[0]
    assert flag.subject == member.email
    assert (flag.actor_user_id, flag.actor_organisation_id, flag.actor_organisation) == (member.pk, colombia.pk, colombia.name)
    assert (flag.window_start, flag.window_end) == (views[0].occurred_at, views[-1].occurred_at)
    assert flag.event_ids == [v.pk for v in views]
    assert flag.summary == "4 different messages in 10 minutes"
    assert flag.notified_at is None


def test_many_messages_counts_the_window_inclusively(member):
    for n, minute in enumerate((0, 3, 6, 10)):  # the first and last are exactly 10 minutes apart
        view(member, f"GEN-0{n + 1}", T - timedelta(hours=1) + minute * MINUTE)
    assert [f.rule for f in detect()] == [Rule.MANY_MESSAGES]


def test_many_messages_does_not_fire_at_the_threshold(member, mexico):
    colleague = person(mexico, "lector@mexico.example.org")
    for repeat in range(4):  # 12 views, but of 3 different messages
        for n in range(3):
            view(member, f"GEN-0{n + 1}", T - timedelta(minutes=20) + (repeat * 3 + n) * timedelta(seconds=20))
    for n, minute in enumerate((0, 4, 8, 12.5)):  # 4 messages, never more than 3 within 10 minutes
        view(colleague, f"DET-0{n + 1}", T - timedelta(hours=2) + minute * MINUTE)
    for n in range(2):  # two accounts with 2 messages each: not one account with 4
        reader = person(mexico, f"p{n}@mexico.example.org")
        view(reader, f"GEN-1{n}", T - timedelta(minutes=5))
        view(reader, f"GEN-2{n}", T - timedelta(minutes=4))
    assert detect() == []


# --- Many prints or exports in a day ---------------------------------------------------------------


def test_many_exports_fires_above_the_daily_threshold(member, focal_point):
    day = T.replace(hour=8)
    printed = [event(member, action=Action.PRINTED, at=day + n * timedelta(hours=1)) for n in range(3)]
    exported = [event(focal_point, action=Action.EXPORTED_LOG, at=day + n * timedelta(hours=1)) for n in range(2)]
    exported.append(event(focal_point, action=Action.PRINTED, at=day + timedelta(hours=3)))
    created = detect()
    assert sorted((f.rule, f.subject, len(f.event_ids)) for f in created) == [
        (Rule.MANY_EXPORTS, focal_point.email, 3),
        (Rule.MANY_EXPORTS, member.email, 3),
    ]
    member_flag = next(f for f in created if f.subject == member.email)
    assert member_flag.event_ids == [e.pk for e in printed]
    assert member_flag.summary == "3 prints or exports in one day"


def test_many_exports_does_not_fire_at_the_threshold_or_across_two_days(member, society_admin):
    for n in range(2):
        event(member, action=Action.PRINTED, at=T.replace(hour=9) + n * MINUTE)
    event(society_admin, action=Action.PRINTED, at=T.replace(hour=0, minute=30) - timedelta(days=1) + timedelta(hours=23))
    event(society_admin, action=Action.EXPORTED_LOG, at=T.replace(hour=1))
    event(society_admin, action=Action.PRINTED, at=T.replace(hour=2))
    event(society_admin, action=Action.VIEWED_MESSAGE, at=T.replace(hour=3), message_identifier="GEN-01")
    assert detect() == []


# --- Repeated denials --------------------------------------------------------------------------------


def test_repeated_denials_fire_above_the_threshold(member):
    denials = [
        event(member, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, target_type="url",
              target_id=f"/audit/?try={n}", at=T - timedelta(minutes=50) + n * 10 * MINUTE)
        for n in range(4)
    ]
    created = detect()
    assert [(f.rule, f.subject, f.event_ids) for f in created] == [
        (Rule.REPEATED_DENIALS, member.email, [d.pk for d in denials])
    ]
    assert created[0].summary == "4 denied requests in 60 minutes"


def test_repeated_denials_do_not_fire_at_the_threshold_or_spread_out(member, society_admin):
    for n in range(3):
        event(member, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, at=T - timedelta(minutes=30) + n * MINUTE)
    for n in range(4):  # 4 denials, 40 minutes apart: never more than 2 in an hour
        event(society_admin, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, at=T - timedelta(hours=3) + n * 40 * MINUTE)
    assert detect() == []


# --- Failed sign-ins ---------------------------------------------------------------------------------


def failed(address, ip, at):
    return event(action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, target_type="login", target_id=address, ip=ip, at=at)


def test_failed_sign_ins_for_one_address_fire_above_the_threshold(db):
    attempts = [failed("victim@colombia.example.org", f"198.51.100.{n}", T - timedelta(minutes=14) + n * 7 * MINUTE) for n in range(3)]
    created = detect()
    assert [(f.rule, f.subject, f.event_ids) for f in created] == [
        (Rule.FAILED_LOGINS, "victim@colombia.example.org", [a.pk for a in attempts])
    ]
    assert created[0].actor_organisation_id is None
    assert created[0].summary == "3 failed sign-ins for this address in 15 minutes"


def test_failed_sign_ins_from_one_ip_fire_above_twice_the_threshold(db):
    attempts = [failed(f"guess{n}@colombia.example.org", "203.0.113.9", T - timedelta(minutes=10) + n * MINUTE) for n in range(5)]
    created = detect()
    assert [(f.rule, f.subject, f.event_ids) for f in created] == [(Rule.FAILED_LOGINS, "ip:203.0.113.9", [a.pk for a in attempts])]
    assert created[0].summary == "5 failed sign-ins from this address in 15 minutes"


def test_failed_sign_ins_do_not_fire_at_the_thresholds(db):
    for n in range(2):
        failed("victim@colombia.example.org", "198.51.100.1", T - timedelta(minutes=5) + n * MINUTE)
    for n in range(4):  # 4 from one IP (the IP threshold is 4), all for different addresses
        failed(f"guess{n}@colombia.example.org", "203.0.113.9", T - timedelta(minutes=10) + n * MINUTE)
    for n in range(3):  # 3 for one address, but spread over more than 15 minutes
        failed("slow@colombia.example.org", None, T - timedelta(hours=2) + n * 16 * MINUTE)
    assert detect() == []


# --- Privileged sign-in from a new network ---------------------------------------------------------


def login(user, ip, at):
    return event(user, action=Action.LOGGED_IN, ip=ip, at=at)


def test_a_privileged_sign_in_from_a_new_network_is_flagged(society_admin):
    login(society_admin, "198.51.100.10", T - timedelta(days=10))
    login(society_admin, "198.51.100.11", T - timedelta(days=3))
    new = login(society_admin, "203.0.113.5", T - timedelta(hours=1))
    created = detect()
    assert [(f.rule, f.subject, f.event_ids) for f in created] == [(Rule.NEW_NETWORK, society_admin.email, [new.pk])]
    assert created[0].summary == "signed in from 203.0.113.0/24, not seen in 90 days"
    assert created[0].window_start == created[0].window_end == new.occurred_at


def test_a_privileged_sign_in_from_a_known_network_is_not_flagged(society_admin, focal_point):
    login(society_admin, "198.51.100.10", T - timedelta(days=10))
    login(society_admin, "198.51.100.250", T - timedelta(hours=1))  # same /24
    login(focal_point, "2001:db8:1::1", T - timedelta(days=10))
    login(focal_point, "2001:db8:1:ffff::9", T - timedelta(hours=1))  # same /48
    assert detect() == []
    login(focal_point, "2001:db8:2::1", T - timedelta(minutes=30))
    assert [(f.rule, f.subject) for f in detect()] == [(Rule.NEW_NETWORK, focal_point.email)]


def test_no_new_network_flag_for_a_member_or_a_first_sign_in(member, society_admin, platform_admin):
    login(member, "198.51.100.10", T - timedelta(days=10))
    login(member, "203.0.113.5", T - timedelta(hours=1))
    login(society_admin, "203.0.113.5", T - timedelta(hours=1))  # first sign-in ever
    login(platform_admin, "198.51.100.10", T - timedelta(days=100))  # outside the 90 days looked back
    login(platform_admin, "203.0.113.5", T - timedelta(hours=1))
    assert detect() == []


# --- Stored once -------------------------------------------------------------------------------------


@pytest.fixture
def one_of_each(member, society_admin):
    for n in range(4):
        view(member, f"GEN-0{n + 1}", T - timedelta(hours=2) + n * MINUTE)
        event(member, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, at=T - timedelta(hours=3) + n * MINUTE)
    for n in range(3):
        event(member, action=Action.PRINTED, at=T - timedelta(hours=4) + n * MINUTE)
        failed("victim@colombia.example.org", None, T - timedelta(hours=5) + n * MINUTE)
    for n in range(5):
        failed(f"guess{n}@colombia.example.org", "203.0.113.9", T - timedelta(hours=6) + n * MINUTE)
    login(society_admin, "198.51.100.10", T - timedelta(days=10))
    login(society_admin, "203.0.113.5", T - timedelta(hours=1))


def test_every_rule_fires_once_and_a_second_run_adds_nothing(one_of_each):
    first = detect()
    assert sorted(f.rule for f in first) == sorted(
        [Rule.MANY_MESSAGES, Rule.MANY_EXPORTS, Rule.REPEATED_DENIALS, Rule.FAILED_LOGINS, Rule.FAILED_LOGINS, Rule.NEW_NETWORK]
    )
    assert detect() == []
    assert detect(start=T - timedelta(hours=7), end=T + timedelta(hours=2)) == []
    assert AuditFlag.objects.count() == 6


def test_a_burst_seen_again_by_a_later_overlapping_run_is_not_flagged_twice(member):
    """Hourly runs over the last 26 hours: a later run sees only the end of an old burst."""
    spree_start = T - timedelta(minutes=70)
    spree = [view(member, f"GEN-{n + 10}", spree_start + n * MINUTE) for n in range(12)]
    first = detect(start=T - timedelta(hours=3), end=T)
    assert [(f.rule, f.window_start) for f in first] == [(Rule.MANY_MESSAGES, spree[0].occurred_at)]
    # The next run starts inside the spree: it still sees more than 3 messages in 10 minutes.
    assert detect(start=spree_start + timedelta(minutes=15), end=T + timedelta(hours=1)) == []
    assert detect(start=spree_start + timedelta(minutes=12), end=T + timedelta(hours=1)) == []
    assert AuditFlag.objects.count() == 1


def test_a_new_burst_after_a_flagged_one_is_flagged(member):
    first_burst = [view(member, f"GEN-0{n + 1}", T - timedelta(hours=3) + n * MINUTE) for n in range(4)]
    assert len(detect(end=T - timedelta(hours=2))) == 1
    second_burst = [view(member, f"DET-0{n + 1}", T - timedelta(hours=1) + n * MINUTE) for n in range(4)]
    created = detect()
    assert [f.event_ids for f in created] == [[v.pk for v in second_burst]]
    assert AuditFlag.objects.get(window_end__lt=T - timedelta(hours=2)).event_ids == [v.pk for v in first_burst]
    assert AuditFlag.objects.count() == 2


# --- The digest --------------------------------------------------------------------------------------


@pytest.fixture
def focal_points(db, focal_point):
    """Who gets the digest (IFRC and ICRC focal points) and who does not."""
    icrc = NationalSociety.objects.get(slug="icrc-americas")
    icrc_focal = person(icrc, "focal@icrc.example.org", Membership.Role.FOCAL_POINT)
    person(icrc, "gone@icrc.example.org", Membership.Role.FOCAL_POINT, is_active=False)
    closed = NationalSocietyFactory(kind=NationalSociety.Kind.ICRC, country_code="", is_active=False)
    person(closed, "closed@icrc.example.org", Membership.Role.FOCAL_POINT)
    person(NationalSociety.objects.get(slug="colombia"), "admin2@colombia.example.org", Membership.Role.SOCIETY_ADMIN)
    return [focal_point, icrc_focal]


def recent_burst(user, minutes_ago=30, prefix="GEN"):
    now = timezone.now()
    return [view(user, f"{prefix}-0{n + 1}", now - timedelta(minutes=minutes_ago) + n * MINUTE) for n in range(4)]


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_audit_alerts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_one_digest_to_the_active_focal_points_only(focal_points, member, platform_admin, colombia):
    recent_burst(member)
    out, _ = run_command("--site-url", "https://keymessages.example.org/")
    assert "1 new flag(s); 1 to notify." in out
    # One email per focal point: none sees the others' addresses.
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(u.email for u in focal_points)
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    message = mail.outbox[0]
    assert message.subject == "[Key Messages] 1 access-log alert(s)"
    flag = AuditFlag.objects.get()
    assert member.email in message.body and colombia.name in message.body
    assert "4 different messages in 10 minutes" in message.body
    assert f"https://keymessages.example.org/audit/flags/{flag.pk}/" in message.body
    assert flag.notified_at is not None

    sent = len(mail.outbox)
    out, _ = run_command()
    assert "0 new flag(s); 0 to notify." in out
    assert len(mail.outbox) == sent
    assert AuditFlag.objects.count() == 1


def test_the_next_digest_lists_only_the_new_flags(focal_points, member, mexico):
    recent_burst(member, minutes_ago=120)
    run_command()
    mexican = person(mexico, "lector@mexico.example.org")
    recent_burst(mexican, minutes_ago=30, prefix="DET")
    run_command()
    per_run = len(mail.outbox) // 2
    assert len(mail.outbox) == 2 * per_run and per_run >= 1
    assert all("lector@mexico.example.org" in m.body for m in mail.outbox[per_run:])
    assert all(member.email not in m.body for m in mail.outbox[per_run:])
    assert AuditFlag.objects.filter(notified_at__isnull=True).count() == 0


def test_without_an_active_focal_point_the_flags_wait(member):
    recent_burst(member)
    _, err = run_command()
    assert "No active focal point" in err
    assert mail.outbox == []
    assert AuditFlag.objects.get().notified_at is None


def test_nothing_to_report_sends_nothing(focal_points, member):
    view(member, "GEN-01", timezone.now())
    run_command()
    assert mail.outbox == []


# --- In the console ----------------------------------------------------------------------------------


def test_flags_and_the_events_behind_them_appear_in_the_console(focal_points, member, society_admin):
    burst = recent_burst(member)
    for n in range(5):
        failed(f"guess{n}@colombia.example.org", "203.0.113.9", timezone.now() - timedelta(minutes=10) + n * MINUTE)
    run_command()
    burst_flag = AuditFlag.objects.get(rule=Rule.MANY_MESSAGES)
    ip_flag = AuditFlag.objects.get(rule=Rule.FAILED_LOGINS)

    focal = sign_in(Client(), focal_points[0])
    listing = focal.get(reverse("console:flags"))
    assert {f.pk for f in listing.context["page_obj"].object_list} == {burst_flag.pk, ip_flag.pk}
    content = listing.content.decode()
    assert "Many messages read in a short time" in content and "Repeated failed sign-ins" in content
    assert reverse("console:flag", args=[burst_flag.pk]) in content

    detail = focal.get(reverse("console:flag", args=[burst_flag.pk]))
    assert [e.pk for e in detail.context["events"]] == [e.pk for e in reversed(burst)]
    content = detail.content.decode()
    assert all(e.message_identifier in content for e in burst)
    assert "4 different messages in 10 minutes" in content
    assert "Not yet" not in content  # the digest went out

    ip_detail = focal.get(reverse("console:flag", args=[ip_flag.pk]))
    assert len(ip_detail.context["events"]) == 5
    assert "guess0@colombia.example.org" in ip_detail.content.decode()

    admin = sign_in(Client(), society_admin)
    assert [f.pk for f in admin.get(reverse("console:flags")).context["page_obj"].object_list] == [burst_flag.pk]
    assert admin.get(reverse("console:flag", args=[burst_flag.pk])).status_code == 200
    assert admin.get(reverse("console:flag", args=[ip_flag.pk])).status_code == 404
