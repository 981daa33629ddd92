"""The report of a list before anything is sent: each line's outcome and reason, the counts, the
confirmation button; who may see it; and the pages' query counts."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from national_societies.models import (
    Invitation,
    InvitationBatch,
    InvitationBatchLine,
    Membership,
)
from tests.factories import UserFactory
from tests.national_societies.invitation_batches.pages import (
    batch_url,
    bulk_url,
    open_invitation,
    rows,
    send_url,
    summary,
)

EVERY_CASE = """email;name;role;language
ok.one@colombia.example.org;Ok One;;
not-an-email;;;
ok.one@colombia.example.org;;;
someone@gmail.com;;;
ok.two@colombia.example.org;;boss;

ok.three@colombia.example.org;;platform admin;
ok.four@colombia.example.org;;focal point;
ok.five@colombia.example.org;;;klingon
existing@colombia.example.org;;;
pending@colombia.example.org;;;
expired@colombia.example.org;;society admin;Français
OK.Six@Colombia.Example.org;Seis;miembro;portugués
"""


def test_each_line_gets_its_outcome_and_reason_and_nothing_is_sent(admin_a_client, colombia, colombia_domains):
    UserFactory(email="existing@colombia.example.org")
    open_invitation("pending@colombia.example.org", colombia)
    open_invitation("expired@colombia.example.org", colombia, expires_in_days=-1)  # blocks nobody

    response = admin_a_client.post(bulk_url(colombia), {"text": EVERY_CASE})

    assert response.status_code == 200
    assert [(number, result) for number, _person, result in rows(response)] == [
        (2, "Will be invited"),
        (3, "Invalid email address"),
        (4, "Already on line 2"),
        (5, "Not among the organisation's email domains"),
        (6, "Unknown role"),
        (8, "A role you cannot give"),  # a society admin gives member and society admin only
        (9, "A role you cannot give"),  # and focal points never belong to a National Society
        (10, "Unknown language"),
        (11, "Already has an account"),
        (12, "Already invited (pending invitation)"),
        (13, "Will be invited"),
        (14, "Will be invited"),
    ]
    people = {number: person for number, person, _result in rows(response)}
    assert people[2] == "ok.one@colombia.example.org Ok One Member · Español"  # the society's usual language
    assert people[13] == "expired@colombia.example.org Society admin · Français"
    assert people[14] == "ok.six@colombia.example.org Seis Member · Português"
    assert summary(response) == {
        "Will be invited": "3",
        "Invalid email address": "1",
        "Already on an earlier line": "1",
        "Not among the organisation's email domains": "1",
        "Unknown role": "1",
        "A role you cannot give": "2",
        "Unknown language": "1",
        "Already has an account": "1",
        "Already invited (pending invitation)": "1",
    }
    assert "Send 3 invitations" in response.content.decode()
    # A report only: nothing stored, sent or recorded.
    assert not InvitationBatch.objects.exists()
    assert Invitation.objects.count() == 2 and mail.outbox == []
    assert not AuditEvent.objects.filter(action__startswith="invit").exists()


def test_a_platform_admin_may_give_every_role_a_national_society_can_hold(platform_admin_client, colombia, colombia_domains):
    text = "a@colombia.example.org,,platform admin\nb@colombia.example.org,,focal point\n"
    response = platform_admin_client.post(bulk_url(colombia), {"text": text})
    assert [result for _number, _person, result in rows(response)] == ["Will be invited", "A role you cannot give"]


def test_a_list_with_no_line_to_invite_says_so_and_offers_no_sending(admin_a_client, colombia, colombia_domains):
    response = admin_a_client.post(bulk_url(colombia), {"text": "someone@gmail.com\nnot-an-email\n"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No line of this list can be invited: nothing will be sent." in page
    assert send_url(colombia) not in page and "Send 0" not in page


def test_a_list_refused_as_a_whole_is_said_on_the_form(admin_a_client, colombia, colombia_domains):
    too_many = "\n".join(f"p{n}@colombia.example.org" for n in range(501))
    refusals = {
        "too many": ({"text": too_many}, "The list has more than 500 people: send it in parts of 500 at most."),
        "not UTF-8": ({"file": SimpleUploadedFile("list.csv", "ana@colombia.example.org;Íñigo".encode("cp1252"))}, "The file is not in UTF-8."),
        "both": ({"text": "a@colombia.example.org", "file": SimpleUploadedFile("l.csv", b"b@colombia.example.org")}, "Paste a list or choose a file, not both."),
        "nothing": ({"text": "  \n"}, "Paste a list, or choose a CSV file."),
    }
    for name, (data, message) in refusals.items():
        response = admin_a_client.post(bulk_url(colombia), data)
        page = response.content.decode()
        assert response.status_code == 200, name
        assert message in page.replace("&quot;", '"'), name
        assert 'id="lines-title"' not in page, name  # the form again, no report


def test_the_members_and_single_invitation_pages_lead_here(admin_a_client, colombia, colombia_domains):
    for page in ("members", "invitation_new"):
        html = admin_a_client.get(reverse(f"national_societies:{page}", args=[colombia.slug])).content.decode()
        assert f'href="{bulk_url(colombia)}">Invite many people at once</a>' in html, page


# --- Who may: society admins of the organisation and platform admins ----------------------------


@pytest.fixture
def batch_a(colombia, admin_a):
    batch = InvitationBatch.objects.create(national_society=colombia, created_by=admin_a)
    InvitationBatchLine.objects.create(batch=batch, line_number=1, email="waiting@colombia.example.org", language="es")
    return batch


@pytest.mark.parametrize("outsider", ["member_a_client", "admin_b_client", "ifrc_focal_client"])
def test_anyone_who_does_not_manage_the_society_gets_404_and_nothing_happens(request, outsider, colombia, mexico, colombia_domains, batch_a):
    client = request.getfixturevalue(outsider)
    line = "new.person@colombia.example.org"
    answers = {
        "list": client.get(bulk_url(colombia)).status_code,
        "report": client.post(bulk_url(colombia), {"text": line}).status_code,
        "send": client.post(send_url(colombia), {"text": line, "digest": "x"}).status_code,
        "batch": client.get(batch_url(batch_a)).status_code,
        # Society A's batch through another society's address: alike, 404.
        "batch elsewhere": client.get(batch_url(batch_a, society=mexico)).status_code,
    }
    assert set(answers.values()) == {404}, answers
    assert InvitationBatch.objects.count() == 1 and not Invitation.objects.exists()


def test_admin_b_sees_society_bs_pages_but_not_society_as_batch_there(admin_b_client, mexico, batch_a):
    assert admin_b_client.get(bulk_url(mexico)).status_code == 200
    assert admin_b_client.get(batch_url(batch_a, society=mexico)).status_code == 404


def test_a_platform_admin_reaches_any_societys_batches(platform_admin_client, batch_a):
    assert platform_admin_client.get(bulk_url(batch_a.national_society)).status_code == 200
    response = platform_admin_client.get(batch_url(batch_a))
    assert response.status_code == 200
    assert rows(response) == [(1, "waiting@colombia.example.org Member · Español", "Waiting")]


# --- Query counts ---------------------------------------------------------------------------------


def _queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if method == "POST" else client.get(url)
        assert response.status_code == 200
    return len(queries)


def test_the_report_and_the_batch_page_run_as_many_queries_for_5_lines_as_for_60(
    admin_a_client, admin_a, colombia, colombia_domains, django_assert_num_queries
):
    def people(count, offset=0):
        roles = ["", "member", "society admin", "platform admin"]
        return "\n".join(f"p{n}@colombia.example.org;P {n};{roles[n % 4]};{['es', 'fr', ''][n % 3]}" for n in range(offset, offset + count))

    UserFactory(email="p1@colombia.example.org")
    open_invitation("p2@colombia.example.org", colombia)
    admin_a_client.get(bulk_url(colombia))  # the session's first request tracks the session
    expected = _queries(admin_a_client, "POST", bulk_url(colombia), {"text": people(5)})
    with django_assert_num_queries(expected):
        response = admin_a_client.post(bulk_url(colombia), {"text": people(60) + "\nnot-an-email\nx@gmail.com"})
    assert len(rows(response)) == 62

    def batch_of(count):
        batch = InvitationBatch.objects.create(national_society=colombia, created_by=admin_a, left_out=2)
        InvitationBatchLine.objects.bulk_create(
            InvitationBatchLine(
                batch=batch, line_number=n + 2, email=f"b{n}@colombia.example.org", language="es",
                status=["waiting", "sent", "failed"][n % 3], problem="already_invited" if n % 3 == 2 else "",
                role=Membership.Role.MEMBER,
            )
            for n in range(count)
        )
        return batch

    expected = _queries(admin_a_client, "GET", batch_url(batch_of(3)))
    bigger = batch_of(60)
    with django_assert_num_queries(expected):
        response = admin_a_client.get(batch_url(bigger))
    assert len(rows(response)) == 60
    assert "Already invited (pending invitation)" in response.content.decode()
