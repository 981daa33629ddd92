"""Recording the access log: one complete row per read of protected content, written in the
request's transaction before the page is built; a 503 page without the content when the row cannot
be written; denials that survive the request's rollback; client IPs behind proxies; no credentials
anywhere; control characters neutralised."""

import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.context import client_ip
from audit.models import Action, AuditEvent, Outcome
from audit.services import audit_record, neutralise
from messages_app.reading import views as library_views
from messages_app.catalogue.models import Document, Edition, Message, MessageVersion, RulesAcknowledgement, Section
from national_societies.models import Membership, NationalSociety
from tests.accounts import add_totp
from tests.factories import TEST_PASSWORD

UA = "Mozilla/5.0 (X11; Linux x86_64) KeyMessagesTest/1.0"
IP = "198.51.100.23"
ADV_03_TEXT = "No child or adolescent should be deprived of their freedom."
REQUEST_ID = re.compile(r"[0-9a-f]{32}")


# --- Helpers ------------------------------------------------------------------------------------


def last_event_id() -> int:
    return AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0


def events_after(event_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=event_id).order_by("id"))


def get(client, url, **extra):
    return client.get(url, HTTP_USER_AGENT=UA, REMOTE_ADDR=IP, **extra)


def post(client, url, data=None, **extra):
    return client.post(url, data or {}, HTTP_USER_AGENT=UA, REMOTE_ADDR=IP, **extra)


def fields_of(row: AuditEvent, expected: dict) -> dict:
    return {name: getattr(row, name) for name in expected}


def actor_of(user, society, role) -> dict:
    return {
        "actor_user_id": user.pk,
        "actor_email": user.email,
        "actor_organisation_id": society.pk,
        "actor_organisation": society.name,
        "actor_role": role,
    }


def assert_complete_read(row, response, user, society, *, role=Membership.Role.MEMBER, **expected):
    """The row names the actor as they are, the request it came from, and what was read."""
    want = {
        **actor_of(user, society, role),
        "outcome": Outcome.ALLOWED,
        "reason": "",
        "ip": IP,
        "user_agent": UA,
        "request_id": response["X-Request-ID"],
        "message_identifier": "",
        "message_version": None,
        "query": "",
        **expected,
    }
    assert fields_of(row, want) == want
    assert REQUEST_ID.fullmatch(row.request_id)
    assert abs(timezone.now() - row.occurred_at) < timedelta(minutes=1)


@contextmanager
def audit_inserts_refused():
    """The database itself refuses to insert access-log rows (a full disk, a revoked grant…)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_audit_insert() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'audit insert refused by the test'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_audit_insert BEFORE INSERT ON audit_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_audit_insert()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_audit_insert BEFORE INSERT ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit insert refused by the test'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER test_refuse_audit_insert ON audit_auditevent")
                cursor.execute("DROP FUNCTION test_refuse_audit_insert()")
            else:
                cursor.execute("DROP TRIGGER test_refuse_audit_insert")


@contextmanager
def audit_create_raises(monkeypatch):
    def refuse(*rows, **fields):
        raise DatabaseError("disk full (simulated)")

    with monkeypatch.context() as patch:
        patch.setattr(AuditEvent.objects, "create", refuse)
        patch.setattr(AuditEvent.objects, "bulk_create", refuse)  # the read path writes a page's rows at once
        yield


def assert_unavailable_page(response, *secrets):
    assert response.status_code == 503
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    # The reference given to the user is the request id sent in the header.
    assert f"<code>{response['X-Request-ID']}</code>" in page
    for secret in secrets:
        assert secret not in page


# --- One complete row per read ------------------------------------------------------------------


def test_viewing_a_message_writes_exactly_one_complete_row(member_client, member, colombia):
    message = Message.objects.get(identifier="ADV-03")
    before = last_event_id()

    response = get(member_client, reverse("messages:detail", args=["migration-americas", "ADV-03"]))

    assert response.status_code == 200 and ADV_03_TEXT in response.content.decode()
    [row] = events_after(before)
    assert_complete_read(
        row, response, member, colombia,
        action=Action.VIEWED_MESSAGE,
        target_type="message",
        target_id="ADV-03",
        message_identifier="ADV-03",
        message_version=message.current_version.number,
    )
    assert row.details == {"document": "migration-americas"}


def test_the_row_keeps_the_actor_as_they_were_when_they_read(member_client, member, colombia):
    before = last_event_id()
    first = get(member_client, reverse("messages:detail", args=["migration-americas", "ADV-03"]))
    [row] = events_after(before)

    # Afterwards the member is promoted, changes their address and the society is renamed.
    Membership.objects.filter(user=member).update(role=Membership.Role.SOCIETY_ADMIN)
    add_totp(member)  # the new role needs it, or the next page would be MFA setup
    type(member).objects.filter(pk=member.pk).update(email="renamed@colombia.example.org")
    NationalSociety.objects.filter(pk=colombia.pk).update(name="Renamed Red Cross")
    second = get(member_client, reverse("messages:detail", args=["migration-americas", "ADV-03"]))
    assert second.status_code == 200

    row.refresh_from_db()
    assert_complete_read(
        row, first, member, colombia,
        action=Action.VIEWED_MESSAGE, target_type="message", target_id="ADV-03",
        message_identifier="ADV-03", message_version=1,
    )
    [later] = events_after(row.id)
    assert (later.actor_email, later.actor_organisation, later.actor_role) == (
        "renamed@colombia.example.org", "Renamed Red Cross", Membership.Role.SOCIETY_ADMIN,
    )
    assert later.request_id == second["X-Request-ID"] != row.request_id


def _older_version():
    """DET-01 gets a second version in a second edition; version 1 stays readable."""
    message = Message.objects.get(identifier="DET-01")
    old = message.current_version
    edition2 = Edition.objects.create(
        document=old.edition.document, label="2", sequence=2, rules_version=old.edition.rules_version, content_sha256="y"
    )
    message.current_version = MessageVersion.objects.create(message=message, number=2, edition=edition2, text="Edited.")
    message.save()
    return old


READS = {
    "document home": lambda: (
        reverse("messages:document", args=["migration-americas"]),
        {"action": Action.VIEWED_DOCUMENT, "target_type": "document", "target_id": Document.objects.get().slug},
        "How to use this document",
    ),
    "section": lambda: (
        reverse("messages:section", args=["migration-americas", "detention-deportation"]),
        {"action": Action.VIEWED_SECTION, "target_type": "section", "target_id": "detention-deportation"},
        Section.objects.get(key="detention-deportation").messages.first().current_version.text[:40],
    ),
    "topic": lambda: (
        reverse("messages:topic", args=["migration-americas", "detention"]),
        {"action": Action.VIEWED_TOPIC, "target_type": "topic", "target_id": "detention"},
        "DET-01",
    ),
    "older version": lambda: (
        reverse("messages:version", args=["migration-americas", "DET-01", _older_version().number]),
        {
            "action": Action.VIEWED_MESSAGE, "target_type": "message", "target_id": "DET-01",
            "message_identifier": "DET-01", "message_version": 1,
        },
        "which is not the current text",
    ),
}


@pytest.mark.parametrize("page", READS)
def test_each_page_of_the_library_writes_one_complete_row(page, member_client, member, colombia):
    url, expected, shown = READS[page]()
    before = last_event_id()

    response = get(member_client, url)

    assert response.status_code == 200 and shown in response.content.decode()
    # The page's row first, then one `viewed_message` row per message text the page shows (see
    # tests/messages_app/reading/test_texts_shown.py), all from this request.
    row, *message_rows = events_after(before)
    assert_complete_read(row, response, member, colombia, **expected)
    assert all(r.action == Action.VIEWED_MESSAGE and r.request_id == row.request_id for r in message_rows)
    assert bool(message_rows) == (page in ("section", "topic"))
    assert all(r.details["document"] == "migration-americas" for r in [row, *message_rows])


def test_a_search_records_its_query_with_control_characters_neutralised(member_client, member, colombia):
    before = last_event_id()
    response = get(member_client, reverse("messages:search"), data={"q": "  children\x1b[31m detention\r\nFORGED 200 OK  "})

    assert response.status_code == 200
    row, *message_rows = events_after(before)
    assert all(r.action == Action.VIEWED_MESSAGE and r.details["page"] == "search" for r in message_rows)
    assert_complete_read(
        row, response, member, colombia,
        action=Action.SEARCHED, target_type="search", target_id="",
        query="children\\x1b[31m detention\\x0d\\x0aFORGED 200 OK",
    )
    assert row.details == {"page": 1}
    assert not re.search(r"[\x00-\x1f\x7f]", row.query)

    # An empty search shows the topics, reads no message and records nothing.
    last = message_rows[-1] if message_rows else row
    assert get(member_client, reverse("messages:search")).status_code == 200
    assert events_after(last.id) == []


def test_copying_a_message_is_a_post_that_records_it(member_client, member, colombia):
    url = reverse("messages:copied", args=["migration-americas", "ADV-03"])
    before = last_event_id()

    response = post(member_client, url)

    assert response.status_code == 204 and response.content == b""
    [row] = events_after(before)
    assert_complete_read(
        row, response, member, colombia,
        action=Action.COPIED_MESSAGE, target_type="message", target_id="ADV-03",
        message_identifier="ADV-03", message_version=1,
    )
    # A GET is refused before anything is read or recorded.
    assert get(member_client, url).status_code == 405
    assert events_after(row.id) == []


def test_user_agent_is_neutralised_and_cut_to_the_column(member_client):
    agent = "Evil\x1b[2J\r\nAgent \u2028 \u202e" + "x" * 400
    before = last_event_id()
    member_client.get(reverse("messages:detail", args=["migration-americas", "ADV-03"]), HTTP_USER_AGENT=agent)
    [row] = events_after(before)
    assert row.user_agent == ("Evil\\x1b[2J\\x0d\\x0aAgent \\u2028 \\u202e" + "x" * 400)[:300]
    assert len(row.user_agent) == 300


def test_every_response_carries_a_fresh_request_id(member_client):
    first = member_client.get(reverse("messages:topics", args=["migration-americas"]))
    second = member_client.get(reverse("messages:topics", args=["migration-americas"]))
    assert REQUEST_ID.fullmatch(first["X-Request-ID"]) and REQUEST_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


# --- Never fails open ---------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["create raises", "database refuses the insert"])
def test_a_failed_audit_write_shows_an_error_page_without_the_message(failure, member_client, monkeypatch):
    before = last_event_id()
    refused = audit_create_raises(monkeypatch) if failure == "create raises" else audit_inserts_refused()
    with refused:
        response = get(member_client, reverse("messages:detail", args=["migration-americas", "ADV-03"]))
        copy = post(member_client, reverse("messages:copied", args=["migration-americas", "ADV-03"]))

    assert_unavailable_page(response, ADV_03_TEXT, "ADV-03")
    assert_unavailable_page(copy, ADV_03_TEXT)
    assert events_after(before) == []
    # The same page, once the log can be written again.
    assert ADV_03_TEXT in get(member_client, reverse("messages:detail", args=["migration-americas", "ADV-03"])).content.decode()


@pytest.mark.parametrize("failure", ["create raises", "database refuses the insert"])
def test_a_failed_audit_write_rolls_back_everything_the_request_did(failure, client, member, library, monkeypatch):
    """Confirming the handling rules writes an acknowledgement and its event: both or neither."""
    client.force_login(member)  # rules not confirmed yet
    edition = Edition.objects.get()
    url = reverse("messages:acknowledge_rules", args=["migration-americas"])
    confirm = {"confirm": "on", "rules_version": edition.rules_version}
    before = last_event_id()

    refused = audit_create_raises(monkeypatch) if failure == "create raises" else audit_inserts_refused()
    with refused:
        response = post(client, url, confirm)

    assert_unavailable_page(response, "I have read how to use this document")
    assert not RulesAcknowledgement.objects.filter(user=member).exists()
    assert events_after(before) == []
    # Still not confirmed: the library sends them back to the rules.
    assert get(client, reverse("messages:detail", args=["migration-americas", "ADV-03"])).status_code == 302

    # The same POST when the log works: acknowledgement and event together.
    assert post(client, url, confirm).status_code == 302
    assert RulesAcknowledgement.objects.filter(user=member, rules_version=edition.rules_version).exists()
    assert [row.action for row in events_after(before)] == [Action.RULES_ACKNOWLEDGED]


def test_when_even_the_denial_cannot_be_written_the_answer_is_the_error_page(member_client, monkeypatch):
    with audit_create_raises(monkeypatch):
        response = get(member_client, "/documents/migration-americas/messages/ZZZ-99/")
    assert_unavailable_page(response)


# --- Denials ------------------------------------------------------------------------------------


def test_another_societys_members_page_is_a_recorded_denial(society_admin_client, society_admin, colombia, mexico):
    url = reverse("national_societies:members", args=[mexico.slug])
    before = last_event_id()

    response = get(society_admin_client, url)

    assert response.status_code == 404
    [row] = events_after(before)
    want = {
        **actor_of(society_admin, colombia, Membership.Role.SOCIETY_ADMIN),
        "action": Action.ACCESS_DENIED,
        "outcome": Outcome.DENIED,
        "reason": "not found",
        "target_type": "url",
        "target_id": url,
        "ip": IP,
        "user_agent": UA,
        "request_id": response["X-Request-ID"],
    }
    assert fields_of(row, want) == want


def test_an_unknown_message_is_a_recorded_denial_and_no_read(member_client, member, colombia):
    before = last_event_id()
    response = get(member_client, "/documents/migration-americas/messages/ZZZ-99/")
    assert response.status_code == 404
    [row] = events_after(before)
    want = {
        **actor_of(member, colombia, Membership.Role.MEMBER),
        "action": Action.ACCESS_DENIED, "outcome": Outcome.DENIED, "reason": "not found",
        "target_type": "url", "target_id": "/documents/migration-americas/messages/ZZZ-99/", "message_identifier": "",
        "request_id": response["X-Request-ID"],
    }
    assert fields_of(row, want) == want


def _read_then_refuse(exception):
    """A view that recorded a read and wrote other data, then refused: the request's transaction
    is rolled back, and with it that read and that data."""

    def message_detail(*, document, identifier, fetched_by, version_number=None):
        audit_record(action=Action.VIEWED_MESSAGE, actor=fetched_by, target_type="message", target_id=identifier)
        RulesAcknowledgement.objects.create(user=fetched_by, document=Document.objects.get(), rules_version="written-before-the-refusal")
        raise exception

    return message_detail


@pytest.mark.parametrize(("exception", "reason"), [(Http404, "not found"), (PermissionDenied, "forbidden")])
def test_the_denial_survives_the_rollback_of_the_request(exception, reason, member_client, member, monkeypatch):
    monkeypatch.setattr(library_views.selectors, "message_detail", _read_then_refuse(exception))
    before = last_event_id()

    response = get(member_client, reverse("messages:detail", args=["migration-americas", "ADV-03"]))

    assert response.status_code == (404 if exception is Http404 else 403)
    [row] = events_after(before)
    assert (row.action, row.outcome, row.reason, row.actor_user_id) == (Action.ACCESS_DENIED, Outcome.DENIED, reason, member.pk)
    assert not RulesAcknowledgement.objects.filter(rules_version="written-before-the-refusal").exists()


@pytest.mark.django_db(transaction=True)
def test_the_denial_is_committed_while_the_request_is_rolled_back(audit_log_flushable, member_client, member, monkeypatch):
    """With real commits (no test transaction around the request): only the denial is in the database."""
    monkeypatch.setattr(library_views.selectors, "message_detail", _read_then_refuse(Http404))
    before = last_event_id()

    response = get(member_client, reverse("messages:detail", args=["migration-americas", "ADV-03"]))

    assert response.status_code == 404
    assert not connection.in_atomic_block
    [row] = events_after(before)
    assert (row.action, row.outcome, row.reason, row.request_id) == (
        Action.ACCESS_DENIED, Outcome.DENIED, "not found", response["X-Request-ID"],
    )
    assert not RulesAcknowledgement.objects.filter(rules_version="written-before-the-refusal").exists()


# --- Client IP ----------------------------------------------------------------------------------


@pytest.mark.db_independent
@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (1, "1.2.3.4, 10.0.0.1", "172.16.0.2", "10.0.0.1"),  # the hop our proxy added, not the client's claim
        (2, "1.2.3.4, 10.0.0.1", "172.16.0.2", "1.2.3.4"),
        (1, "10.0.0.1", "172.16.0.2", "10.0.0.1"),
        (0, "1.2.3.4, 10.0.0.1", "172.16.0.2", "172.16.0.2"),  # no proxy trusted: the header is the client's
        (1, "", "172.16.0.2", "172.16.0.2"),
        (3, "1.2.3.4, 10.0.0.1", "172.16.0.2", "172.16.0.2"),  # fewer hops than proxies: not trusted
        (1, "1.2.3.4, not-an-ip", "172.16.0.2", "172.16.0.2"),
        (1, ",,,", "172.16.0.2", "172.16.0.2"),
        (1, "1.2.3.4, 10.0.0.1:8080", "172.16.0.2", "172.16.0.2"),
        (1, "1.2.3.4, " + "9" * 5000, "172.16.0.2", "172.16.0.2"),
        (1, "2001:DB8::1", "172.16.0.2", "2001:db8::1"),
        (1, "fe80::1%eth0", "172.16.0.2", "fe80::1"),  # a zone names an interface of our host
        (0, "", "::ffff:203.0.113.7", "203.0.113.7"),  # an IPv4 client on a dual-stack socket
        (0, "", "garbage", None),
    ],
)
def test_client_ip(settings, proxies, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (1, "1.2.3.4, 10.0.0.1", "172.16.0.2", "10.0.0.1"),
        (0, "1.2.3.4, 10.0.0.1", "172.16.0.2", "172.16.0.2"),
        (1, "\x1b[31m; DROP TABLE, <script>", "172.16.0.2", "172.16.0.2"),
        (1, "fe80::1%eth0", "172.16.0.2", "fe80::1"),
    ],
)
def test_the_row_gets_the_client_ip_and_a_malformed_header_never_fails_the_page(
    settings, member_client, proxies, forwarded, remote, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    before = last_event_id()
    response = member_client.get(
        reverse("messages:detail", args=["migration-americas", "ADV-03"]), HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote
    )
    assert response.status_code == 200
    [row] = events_after(before)
    assert row.ip == expected


# --- Credentials are never logged ---------------------------------------------------------------


def test_no_row_contains_a_password_after_a_failed_and_a_successful_login(member, library):
    wrong = "Wrong-Guess-Secret-7731"
    browser = Client(HTTP_USER_AGENT=UA)
    before = last_event_id()

    failed = browser.post(reverse("account_login"), {"login": member.email, "password": wrong})
    assert failed.status_code == 200 and not failed.wsgi_request.user.is_authenticated
    signed_in = browser.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302

    rows = events_after(before)
    assert [(row.action, row.outcome) for row in rows] == [
        (Action.LOGIN_FAILED, Outcome.DENIED),
        (Action.LOGGED_IN, Outcome.ALLOWED),
    ]
    assert rows[0].target_id == member.email and rows[0].reason == "wrong email or password"
    assert rows[1].actor_user_id == member.pk
    for row in AuditEvent.objects.all():
        stored = " ".join(
            json.dumps(value, ensure_ascii=False) if field.name == "details" else str(value)
            for field in AuditEvent._meta.concrete_fields
            for value in [getattr(row, field.attname)]
        )
        assert wrong not in stored and TEST_PASSWORD not in stored, row
        assert "password" not in json.dumps(row.details).lower(), row


# --- The recording function ---------------------------------------------------------------------


@pytest.mark.db_independent
@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text, ñ and – dashes", "plain text, ñ and – dashes"),
        ("red\x1b[31m", "red\\x1b[31m"),
        ("one\ntwo\r\n", "one\\x0atwo\\x0d\\x0a"),
        ("nul\x00 del\x7f c1\x85", "nul\\x00 del\\x7f c1\\x85"),
        ("bidi \u202e override, zero\u200bwidth", "bidi \\u202e override, zero\\u200bwidth"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("tag \U000e0041", "tag \\U000e0041"),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralise(text, shown):
    assert neutralise(text) == shown


@pytest.mark.db_independent
def test_neutralise_cuts_to_the_limit():
    assert neutralise("abc\ndef", limit=5) == "abc\\x"
    assert neutralise("abcdef", limit=None) == "abcdef"


def test_details_keys_and_values_are_neutralised(db):
    row = audit_record(
        action=Action.SEARCHED,
        query="q\x1b",
        reason="r\n",
        target_type="search",
        target_id="t\r",
        details={"k\n": ["v\x1b", 3, None, True, {"inner\x00": "x\ty"}]},
    )
    row.refresh_from_db()
    assert (row.query, row.reason, row.target_id) == ("q\\x1b", "r\\x0a", "t\\x0d")
    assert row.details == {"k\\x0a": ["v\\x1b", 3, None, True, {"inner\\x00": "x\\x09y"}]}


def test_a_system_action_outside_a_request_has_no_actor_and_no_client(member):
    row = audit_record(action=Action.DEACTIVATED, target=member, reason="dormant")
    row.refresh_from_db()
    assert (row.actor_user_id, row.actor_email, row.ip, row.user_agent, row.request_id) == (None, "", None, "", "")
    assert (row.target_type, row.target_id, row.details) == ("user", str(member.pk), {"by_system": True})
