"""The access-log review console: who sees which organisation's events, the filters, keyset
pagination (no OFFSET, no count, a constant number of queries), "who viewed this message" and the
activity of an organisation."""

import base64
import html
import re
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from console import selectors
from audit.models import Action, AuditEvent, AuditFlag, Outcome
from audit.services import audit_record
from messages_app.catalogue.models import Edition, Message
from national_societies.models import Membership, NationalSociety
from tests.accounts import add_totp, sign_in
from tests.audit_log import actor_fields
from tests.factories import MembershipFactory, UserFactory

UTC = dt_timezone.utc
EVENTS = reverse("console:events")
EXPORT = reverse("console:export")
MEXICAN_EMAIL = "lectora@mexico.example.org"


def event(user=None, *, action=Action.VIEWED_MESSAGE, at=None, message="", outcome=Outcome.ALLOWED, **fields):
    """One event at an explicit time, with the actor's organisation and role as they are now."""
    values = {**actor_fields(user), **fields}
    return AuditEvent.objects.create(
        occurred_at=at or timezone.now(), action=action, message_identifier=message, outcome=outcome, **values
    )


def person(organisation, email, role=Membership.Role.MEMBER, **extra):
    user = UserFactory(email=email, **extra)
    MembershipFactory(user=user, national_society=organisation, role=role)
    if role != Membership.Role.MEMBER:
        add_totp(user)
    return user


def signed_in(user):
    return sign_in(Client(), user)


def with_fresh_mfa(client):
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session.save()
    return client


def page_ids(response):
    assert response.status_code == 200, response.content.decode()[:500]
    return [e.pk for e in response.context["page"].events]


def newest_first(queryset):
    return list(queryset.order_by("-occurred_at", "-id").values_list("pk", flat=True))


def csv_ids(response):
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()[1:]
    return [int(line.split(",", 1)[0]) for line in lines]


# --- Scoping ---------------------------------------------------------------------------------------


@pytest.fixture
def two_societies(library, member, colombia, mexico):
    """Colombian and Mexican readers of the same message, each with a flag; the Colombian flag also
    points at a Mexican event (a flag's event ids must not open another society's events)."""
    mexican = person(mexico, MEXICAN_EMAIL)
    now = timezone.now()
    co_view = event(member, message="GEN-01", at=now - timedelta(hours=3))
    co_search = event(member, action=Action.SEARCHED, query="colombian-query", at=now - timedelta(hours=2))
    mx_view = event(mexican, message="GEN-01", at=now - timedelta(hours=3))
    mx_search = event(mexican, action=Action.SEARCHED, query="mexican-query", at=now - timedelta(hours=2))
    co_flag = AuditFlag.objects.create(
        rule="many_messages", subject=member.email, actor_user_id=member.pk, actor_organisation_id=colombia.pk,
        actor_organisation=colombia.name, window_start=now - timedelta(hours=3), window_end=now,
        event_ids=[co_view.pk, mx_view.pk], summary="colombian flag",
    )
    mx_flag = AuditFlag.objects.create(
        rule="many_messages", subject=mexican.email, actor_user_id=mexican.pk, actor_organisation_id=mexico.pk,
        actor_organisation=mexico.name, window_start=now - timedelta(hours=3), window_end=now,
        event_ids=[mx_view.pk], summary="mexican flag",
    )
    return {
        "mexican": mexican, "co_view": co_view, "co_search": co_search, "mx_view": mx_view,
        "mx_search": mx_search, "co_flag": co_flag, "mx_flag": mx_flag,
    }


def console_urls(world):
    return [
        EVENTS,
        EVENTS + "?organisation=colombia",
        EXPORT,
        reverse("console:message_readers", args=["GEN-01"]),
        reverse("console:organisation", args=["colombia"]),
        reverse("console:flags"),
        reverse("console:flag", args=[world["co_flag"].pk]),
    ]


def test_a_member_gets_404_on_every_console_page_even_with_a_fresh_second_factor(two_societies, member_client):
    with_fresh_mfa(member_client)
    for url in console_urls(two_societies):
        response = member_client.get(url)
        assert response.status_code == 404, url
        assert b"colombian-query" not in response.content
    # Each refusal is itself in the log.
    denied = set(
        AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor_email="member@colombia.example.org")
        .values_list("target_id", flat=True)
    )
    assert denied == {url.split("?")[0] for url in console_urls(two_societies)}
    assert not AuditEvent.objects.filter(action=Action.EXPORTED_LOG).exists()


def test_a_society_admin_sees_only_their_own_societys_events(two_societies, society_admin_client, colombia, mexico):
    w = two_societies
    response = society_admin_client.get(EVENTS)
    ids = page_ids(response)
    assert {w["co_view"].pk, w["co_search"].pk} <= set(ids)
    assert ids == newest_first(AuditEvent.objects.filter(actor_organisation_id=colombia.pk))
    content = response.content.decode()
    assert MEXICAN_EMAIL not in content and "mexican-query" not in content
    assert mexico.name not in content  # not even in the organisation filter or the activity links
    assert response.context["sees_all"] is False
    assert list(response.context["form"].fields["organisation"].queryset) == [colombia]


def test_a_society_admin_sees_only_their_own_societys_readers_flags_and_export(two_societies, society_admin_client):
    w = two_societies
    readers = society_admin_client.get(reverse("console:message_readers", args=["GEN-01"]))
    assert readers.status_code == 200
    assert [r["actor_email"] for r in readers.context["readers"]] == ["member@colombia.example.org"]
    assert MEXICAN_EMAIL not in readers.content.decode()

    flags = society_admin_client.get(reverse("console:flags"))
    assert [f.pk for f in flags.context["page_obj"].object_list] == [w["co_flag"].pk]
    assert "mexican flag" not in flags.content.decode()

    flag = society_admin_client.get(reverse("console:flag", args=[w["co_flag"].pk]))
    assert flag.status_code == 200
    assert [e.pk for e in flag.context["events"]] == [w["co_view"].pk]  # not the Mexican event it lists

    with_fresh_mfa(society_admin_client)
    export = society_admin_client.get(EXPORT)
    ids = csv_ids(export)
    assert {w["co_view"].pk, w["co_search"].pk} <= set(ids)
    assert w["mx_view"].pk not in ids and w["mx_search"].pk not in ids
    assert set(AuditEvent.objects.filter(pk__in=ids).values_list("actor_organisation", flat=True)) == {
        "Colombian Red Cross"
    }


def test_a_society_admin_gets_404_for_another_society(two_societies, society_admin_client):
    w = two_societies
    with_fresh_mfa(society_admin_client)
    for url in (
        EVENTS + "?organisation=mexico",
        EXPORT + "?organisation=mexico",
        reverse("console:organisation", args=["mexico"]),
        reverse("console:flag", args=[w["mx_flag"].pk]),
    ):
        response = society_admin_client.get(url)
        assert response.status_code == 404, url
        assert MEXICAN_EMAIL not in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORTED_LOG).exists()
    assert society_admin_client.get(reverse("console:organisation", args=["colombia"])).status_code == 200


@pytest.fixture(params=["ifrc_focal_point", "icrc_focal_point", "platform_admin"])
def reviewer_of_all(request, library):
    if request.param == "ifrc_focal_point":
        user = request.getfixturevalue("focal_point")
    elif request.param == "icrc_focal_point":
        icrc = NationalSociety.objects.get(slug="icrc-americas")
        user = person(icrc, "focal@icrc.example.org", Membership.Role.FOCAL_POINT)
    else:
        user = request.getfixturevalue("platform_admin")
    return signed_in(user)


def test_focal_points_and_the_platform_admin_see_every_organisation(two_societies, reviewer_of_all, mexico):
    w, client = two_societies, reviewer_of_all
    response = client.get(EVENTS)
    assert response.context["sees_all"] is True
    assert page_ids(response) == newest_first(AuditEvent.objects.all())
    assert {w["co_view"].pk, w["mx_view"].pk, w["mx_search"].pk} <= set(page_ids(response))

    only_mexico = page_ids(client.get(EVENTS + "?organisation=mexico"))
    assert only_mexico == [w["mx_search"].pk, w["mx_view"].pk]

    readers = client.get(reverse("console:message_readers", args=["GEN-01"])).context["readers"]
    assert {r["actor_email"] for r in readers} == {"member@colombia.example.org", MEXICAN_EMAIL}

    assert client.get(reverse("console:organisation", args=["mexico"])).status_code == 200
    flags = client.get(reverse("console:flags")).context["page_obj"].object_list
    assert {f.pk for f in flags} == {w["co_flag"].pk, w["mx_flag"].pk}
    flag = client.get(reverse("console:flag", args=[w["co_flag"].pk]))
    assert {e.pk for e in flag.context["events"]} == {w["co_view"].pk, w["mx_view"].pk}

    with_fresh_mfa(client)
    ids = csv_ids(client.get(EXPORT + "?organisation=mexico"))
    assert ids == [w["mx_search"].pk, w["mx_view"].pk]


# --- Filters -----------------------------------------------------------------------------------------


@pytest.fixture
def reviewer(focal_point):
    """An IFRC focal point, signed in (no library loaded: these tests are about the log alone)."""
    return signed_in(focal_point)


def test_filter_by_organisation_action_outcome_and_message(reviewer, member, mexico, colombia):
    mexican = person(mexico, MEXICAN_EMAIL)
    co_gen = event(member, message="GEN-01")
    co_det = event(member, message="DET-04.1")
    mx_gen = event(mexican, message="GEN-01")
    denied = event(member, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, target_type="url", target_id="/x/")
    search = event(mexican, action=Action.SEARCHED, query="water")

    assert set(page_ids(reviewer.get(EVENTS + "?organisation=mexico"))) == {mx_gen.pk, search.pk}
    colombian = page_ids(reviewer.get(EVENTS + "?organisation=colombia"))
    assert colombian == newest_first(AuditEvent.objects.filter(actor_organisation_id=colombia.pk))
    assert page_ids(reviewer.get(EVENTS + "?action=searched")) == [search.pk]
    assert page_ids(reviewer.get(EVENTS + "?outcome=denied")) == [denied.pk]
    assert page_ids(reviewer.get(EVENTS + "?message=gen-01")) == [mx_gen.pk, co_gen.pk]  # case-insensitive
    assert page_ids(reviewer.get(EVENTS + "?message=Det-04.1")) == [co_det.pk]
    assert page_ids(reviewer.get(EVENTS + "?message=GEN-01&organisation=colombia&action=viewed_message")) == [co_gen.pk]


def test_filter_by_user_email_is_case_insensitive_and_includes_failed_sign_ins_for_that_address(reviewer, member):
    own = event(member, message="GEN-01")
    failed = event(action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, target_type="login", target_id=member.email)
    other = event(action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, target_type="login", target_id="someone@colombia.example.org")
    ids = page_ids(reviewer.get(EVENTS + "?user=MEMBER@Colombia.Example.org"))
    assert ids == newest_first(AuditEvent.objects.filter(actor_user_id=member.pk) | AuditEvent.objects.filter(pk=failed.pk))
    assert own.pk in ids and failed.pk in ids and other.pk not in ids


def test_filter_by_the_email_of_an_account_that_no_longer_exists(reviewer):
    gone = event(action=Action.VIEWED_MESSAGE, message="GEN-01", actor_user_id=987654, actor_email="Ana.Gone@Colombia.example.org")
    assert page_ids(reviewer.get(EVENTS + "?user=ana.gone@colombia.example.org")) == [gone.pk]


MALFORMED_MESSAGE_IDS = ["GEN01", "GEN-1", "<script>", "G-01", "GENERAL-01", "GEN-01.123", "' OR 1=1 --", "GEN-01\x00"]


def test_a_malformed_message_id_is_a_form_error_not_a_500(reviewer, member):
    event(member, message="GEN-01")
    for bad in MALFORMED_MESSAGE_IDS:
        response = reviewer.get(EVENTS, {"message": bad})
        assert response.status_code == 200, bad
        assert "message" in response.context["form"].errors, bad
        assert "A message id looks like DET-04." in response.content.decode()
        assert response.context["page"].events == [], bad  # never the unfiltered log behind an error
        assert "Correct the filters above" in response.content.decode()


def test_date_range_includes_the_whole_end_day_in_utc(reviewer, member):
    def at(*args):
        return event(member, action=Action.VIEWED_TOPIC, at=datetime(*args, tzinfo=UTC))

    before = at(2024, 3, 9, 23, 59, 59)
    first = at(2024, 3, 10, 0, 0, 0)
    middle = at(2024, 3, 11, 12, 0, 0)
    last = at(2024, 3, 12, 23, 59, 59, 999999)
    after = at(2024, 3, 13, 0, 0, 0)
    ids = page_ids(reviewer.get(EVENTS + "?since=2024-03-10&until=2024-03-12&action=viewed_topic"))
    assert ids == [last.pk, middle.pk, first.pk]
    assert page_ids(reviewer.get(EVENTS + "?since=2024-03-12&until=2024-03-12&action=viewed_topic")) == [last.pk]
    assert page_ids(reviewer.get(EVENTS + "?until=2024-03-09&action=viewed_topic")) == [before.pk]
    assert page_ids(reviewer.get(EVENTS + "?since=2024-03-13&action=viewed_topic")) == [after.pk]


def test_an_end_date_before_the_start_date_is_an_error(reviewer, member):
    event(member, action=Action.VIEWED_TOPIC, at=datetime(2024, 3, 11, tzinfo=UTC))
    response = reviewer.get(EVENTS + "?since=2024-03-12&until=2024-03-10")
    assert response.status_code == 200
    assert response.context["form"].errors["until"] == ["The end date is before the start date."]
    assert response.context["page"].events == []
    assert reviewer.get(EVENTS + "?since=not-a-date").context["form"].errors["since"]


def test_events_are_newest_first_with_the_id_breaking_ties(reviewer, member):
    moment = timezone.now() - timedelta(minutes=5)
    older = event(member, action=Action.VIEWED_TOPIC, at=moment - timedelta(seconds=1))
    tied = [event(member, action=Action.VIEWED_TOPIC, at=moment) for _ in range(3)]
    newer = event(member, action=Action.VIEWED_TOPIC, at=moment + timedelta(microseconds=1))
    ids = page_ids(reviewer.get(EVENTS + "?action=viewed_topic"))
    assert ids == [newer.pk, tied[2].pk, tied[1].pk, tied[0].pk, older.pk]


# --- Keyset pagination -------------------------------------------------------------------------------


@pytest.fixture
def hundred_and_twenty(member):
    """120 topic views; three share each time, so page boundaries fall inside a tie."""
    start = timezone.now() - timedelta(days=1)
    return [
        event(member, action=Action.VIEWED_TOPIC, at=start + timedelta(seconds=n // 3), target_id=f"t{n}")
        for n in range(120)
    ]


def _next_link(response):
    found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def test_keyset_pages_of_50_follow_the_older_link_without_overlap_or_gap(reviewer, hundred_and_twenty):
    expected = newest_first(AuditEvent.objects.filter(action=Action.VIEWED_TOPIC))
    assert len(expected) == 120
    pages, url = [], EVENTS + "?action=viewed_topic"
    while url:
        response = reviewer.get(EVENTS + url if url.startswith("?") else url)
        pages.append(page_ids(response))
        url = _next_link(response)
        if url:
            assert "action=viewed_topic" in url and "after=" in url
            assert "page=" not in url and "offset" not in url.lower()
    assert [len(p) for p in pages] == [50, 50, 20]
    assert sum(pages, []) == expected  # same order, nothing twice, nothing missing


def test_the_cursor_of_a_page_continues_exactly_after_its_last_event(reviewer, hundred_and_twenty):
    first = reviewer.get(EVENTS + "?action=viewed_topic")
    cursor = first.context["page"].next_cursor
    assert cursor == selectors.encode_cursor(first.context["page"].events[-1])
    second = reviewer.get(EVENTS, {"action": "viewed_topic", "after": cursor})
    last_of_first = first.context["page"].events[-1]
    first_of_second = second.context["page"].events[0]
    assert (first_of_second.occurred_at, first_of_second.pk) < (last_of_first.occurred_at, last_of_first.pk)
    assert "Newest" in second.content.decode()


def _b64(text):
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode()


GARBAGE_CURSORS = [
    "garbage",
    "!!!",
    "%%%",
    "====",
    "a" * 5000,
    _b64("not-a-date|12"),
    _b64("2024-01-01T00:00:00+00:00|twelve"),
    _b64("2024-01-01T00:00:00+00:00"),
    base64.urlsafe_b64encode(b"\xff\xfe\xfd|1").decode(),
    _b64("2024-01-01T00:00:00+00:00|" + "9" * 30),  # beyond a bigint
    _b64("2024-01-01T00:00:00+00:00|-" + "9" * 30),
    _b64("9999-12-31T23:59:59+00:00|1" + "0" * 19),
    _b64("2024-01-01T00:00:00+00:00|0"),
    _b64("0001-01-01T00:00:00+05:00|1"),  # year 0 once in UTC
    _b64("9999-12-31T23:59:59-05:00|1"),  # year 10000 once in UTC
]


def test_a_garbage_cursor_is_ignored(reviewer, hundred_and_twenty):
    first_page = page_ids(reviewer.get(EVENTS + "?action=viewed_topic"))
    assert len(first_page) == 50
    for cursor in GARBAGE_CURSORS:
        assert selectors.decode_cursor(cursor) is None, cursor
        response = reviewer.get(EVENTS, {"action": "viewed_topic", "after": cursor})
        assert response.status_code == 200, cursor
        assert page_ids(response) == first_page, cursor


def test_a_cursor_far_in_the_past_or_future_is_an_ordinary_position(reviewer, hundred_and_twenty):
    assert page_ids(reviewer.get(EVENTS, {"action": "viewed_topic", "after": _b64("2000-01-01T00:00:00+00:00|1")})) == []
    future = reviewer.get(EVENTS, {"action": "viewed_topic", "after": _b64("2999-01-01T00:00:00-05:00|1")})
    assert len(page_ids(future)) == 50


def test_no_offset_and_no_count_over_the_event_table(reviewer, hundred_and_twenty):
    first = reviewer.get(EVENTS + "?action=viewed_topic&organisation=colombia")
    cursor = first.context["page"].next_cursor
    with CaptureQueriesContext(connection) as queries:
        response = reviewer.get(EVENTS, {"action": "viewed_topic", "organisation": "colombia", "after": cursor})
    assert len(page_ids(response)) == 50
    sql = [q["sql"].upper() for q in queries.captured_queries]
    event_queries = [s for s in sql if "AUDIT_AUDITEVENT" in s]
    assert event_queries, sql
    assert not [s for s in sql if "OFFSET" in s]
    assert not [s for s in event_queries if "COUNT(" in s]
    assert [s for s in event_queries if s.startswith("SELECT") and "LIMIT 51" in s]


def test_the_events_page_costs_the_same_queries_for_10_and_200_events(reviewer, member, django_assert_num_queries):
    for n in range(10):
        event(member, action=Action.SEARCHED, query=f"q{n}", message="GEN-01" if n % 2 else "")
    reviewer.get(EVENTS)  # warm-up: session activity, caches
    with CaptureQueriesContext(connection) as ten:
        assert 10 < len(page_ids(reviewer.get(EVENTS))) < 50
    for n in range(190):
        event(member, action=Action.SEARCHED, query=f"q{n}", message="GEN-01" if n % 2 else "")
    with django_assert_num_queries(len(ten.captured_queries)):
        assert len(page_ids(reviewer.get(EVENTS))) == 50


# --- Who viewed a message ----------------------------------------------------------------------------


def test_who_viewed_a_message_groups_by_account_with_counts_and_last_time(reviewer, member, colombia, mexico):
    now = timezone.now().replace(microsecond=0)
    colleague = person(colombia, "colleague@colombia.example.org")
    mexican = person(mexico, MEXICAN_EMAIL)
    for days in (30, 3, 2):
        event(member, message="GEN-01", at=now - timedelta(days=days))
    event(colleague, message="GEN-01", at=now - timedelta(hours=1))
    event(mexican, message="GEN-01", at=now - timedelta(days=5))
    event(mexican, message="GEN-01", at=now - timedelta(days=4))
    event(member, message="GEN-01", at=now - timedelta(days=91))  # outside the 90 days
    event(member, message="GEN-02", at=now - timedelta(hours=2))  # another message
    event(member, action=Action.SEARCHED, message="GEN-01", at=now - timedelta(minutes=5))  # not a view

    response = reviewer.get(reverse("console:message_readers", args=["gen-01"]))
    assert response.status_code == 200
    rows = [(r["actor_email"], r["views"], r["last_viewed"]) for r in response.context["readers"]]
    assert rows == [
        ("colleague@colombia.example.org", 1, now - timedelta(hours=1)),
        ("member@colombia.example.org", 3, now - timedelta(days=2)),
        (MEXICAN_EMAIL, 2, now - timedelta(days=4)),
    ]
    content = response.content.decode()
    assert "Who viewed GEN-01" in content and "?user=member%40colombia.example.org" in content


def test_who_viewed_a_message_counts_one_account_once_even_after_its_role_changed(reviewer, member, colombia):
    now = timezone.now()
    event(member, message="GEN-01", at=now - timedelta(days=2))
    Membership.objects.filter(user=member).update(role=Membership.Role.SOCIETY_ADMIN)
    event(member, message="GEN-01", at=now - timedelta(days=1))
    readers = reviewer.get(reverse("console:message_readers", args=["GEN-01"])).context["readers"]
    assert [(r["actor_email"], r["views"], r["actor_role"]) for r in readers] == [
        ("member@colombia.example.org", 2, "society_admin")
    ]


def test_who_viewed_a_message_nobody(reviewer):
    response = reviewer.get(reverse("console:message_readers", args=["GEN-01"]))
    assert response.status_code == 200 and response.context["readers"] == []
    assert "Nobody you can review opened this message" in response.content.decode()


# --- Organisation activity ---------------------------------------------------------------------------


def _monday(moment):
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def test_organisation_activity(library, reviewer, member, colombia, mexico):
    now = timezone.now()
    reader = person(colombia, "reader@colombia.example.org", last_login=now - timedelta(days=1))
    never = person(colombia, "never@colombia.example.org")  # last_login is None
    person(colombia, "left@colombia.example.org", is_active=False)
    mexican = person(mexico, MEXICAN_EMAIL)
    member.last_login = now - timedelta(days=40)
    member.save(update_fields=["last_login"])
    edition = Edition.objects.order_by("-sequence").first()
    assert edition is not None

    # `now` is after the fixture loaded the edition: this week's reads count as opening it.
    this_week, three_weeks_ago, old = now, now - timedelta(weeks=3), now - timedelta(days=60)
    for identifier in ("GEN-01", "GEN-01", "GEN-02"):
        event(reader, message=identifier, at=this_week)
    event(reader, action=Action.SEARCHED, query="water", at=this_week)
    event(reader, action=Action.LOGGED_IN, at=this_week)  # not a read
    for identifier in ("GEN-02", "GEN-02", "GEN-03"):
        event(member, message=identifier, at=three_weeks_ago)
    event(member, message="GEN-03", at=old)
    event(member, message="GEN-04", at=now - timedelta(weeks=20))  # outside every period shown
    for _ in range(5):
        event(mexican, message="GEN-09", at=this_week)  # another organisation

    response = reviewer.get(reverse("console:organisation", args=["colombia"]))
    assert response.status_code == 200
    activity = response.context["activity"]
    weeks = dict(activity.weeks)
    assert len(activity.weeks) == 12
    assert [w for w, _ in activity.weeks] == sorted(weeks) and all(w.weekday() == 0 for w in weeks)
    assert weeks[_monday(this_week)] == 4
    assert weeks[_monday(three_weeks_ago)] == 3
    assert weeks[_monday(old)] == 1
    assert sum(weeks.values()) == 8  # not the login, not the read of 20 weeks ago, not Mexico's
    assert activity.active_users == 2  # reader and member (3 weeks ago)
    assert activity.most_read == [("GEN-02", 3), ("GEN-01", 2), ("GEN-03", 2)]
    assert [u.email for u in activity.never_used] == ["never@colombia.example.org"]
    assert activity.edition == edition
    # Only reader read after the edition was loaded (member's reads are dated weeks before it).
    assert [u.email for u in activity.not_opened_current_edition] == [
        "member@colombia.example.org", "never@colombia.example.org"
    ]
    content = response.content.decode()
    assert MEXICAN_EMAIL not in content and "GEN-09" not in content
    assert "left@colombia.example.org" not in content
    assert response.context["peak"] == 4


def test_organisation_activity_of_an_unknown_organisation_is_404(reviewer):
    assert reviewer.get(reverse("console:organisation", args=["atlantis"])).status_code == 404


def test_the_console_pages_render_their_links(reviewer, member):
    event(member, message="GEN-01")
    content = reviewer.get(EVENTS).content.decode()
    assert reverse("console:message_readers", args=["GEN-01"]) in content
    # The organisations are one click away, at the top: the regional overview links each one.
    assert f'href="{reverse("console:regional_overview")}"' in content
    assert reverse("console:organisation", args=["mexico"]) in reviewer.get(reverse("console:regional_overview")).content.decode()
    assert reverse("console:flags") in content
    assert f'href="{EXPORT}?"' in content
    filtered = reviewer.get(EVENTS + "?action=viewed_message&message=GEN-01").content.decode()
    assert f'href="{EXPORT}?action=viewed_message&amp;message=GEN-01"' in filtered
