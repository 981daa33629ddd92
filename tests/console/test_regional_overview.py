"""The regional overview: every organisation side by side for the focal points and platform admins,
its figures, its sorting (server-side, whitelisted), its constant cost, and who is kept out."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent, AuditFlag
from console import selectors
from messages_app.catalogue.models import Edition, Message
from messages_app.notes.models import ContextNote
from national_societies.models import Membership, NationalSociety
from tests.accounts import person, sign_in
from tests.audit_log import actor_fields

OVERVIEW = reverse("console:regional_overview")


def read(user, *, action=Action.VIEWED_MESSAGE, at=None, message="GEN-01"):
    return AuditEvent.objects.create(
        occurred_at=at or timezone.now(), action=action, message_identifier=message, **actor_fields(user)
    )


def note(organisation, identifier, **fields):
    return ContextNote.objects.create(
        national_society=organisation, message=Message.objects.get(identifier=identifier), text="Local context.", **fields
    )


def flag(organisation, subject, **fields):
    now = timezone.now()
    return AuditFlag.objects.create(
        rule="many_messages", subject=subject, actor_organisation_id=organisation.pk, actor_organisation=organisation.name,
        window_start=fields.pop("window_start", now), window_end=now, summary="flag", **fields
    )


def row(response, slug):
    return next(o for o in response.context["overview"].organisations if o.slug == slug)


@pytest.fixture
def region(library):
    """Colombia: 3 active members (2 opened the current edition, one read 40 days ago only), 4 reads in
    30 days, 2 notes (and a deleted one), 1 flag. Mexico: 1 member who read once, no note, 2 flags."""
    colombia, mexico = NationalSociety.objects.get(slug="colombia"), NationalSociety.objects.get(slug="mexico")
    edition = Edition.objects.current_first().first()
    now = timezone.now()
    Edition.objects.filter(pk=edition.pk).update(loaded_at=now - timedelta(days=10))
    ana, beto, carla = (person("colombia", email=f"{name}@colombia.example.org") for name in ("ana", "beto", "carla"))
    person("colombia", email="gone@colombia.example.org", is_active=False)
    read(ana, at=now - timedelta(days=2))
    read(ana, action=Action.SEARCHED, at=now - timedelta(days=1))
    read(beto, action=Action.VIEWED_SECTION, at=now - timedelta(days=3))
    read(beto, at=now - timedelta(days=20))  # before the edition: counts as a read, not as "opened"
    read(carla, at=now - timedelta(days=40))  # too old for either
    read(ana, action=Action.LOGGED_IN, at=now - timedelta(days=1))  # not a read
    note(colombia, "GEN-01")
    note(colombia, "GEN-02")
    note(colombia, "GEN-03", deleted_at=now)
    flag(colombia, ana.email)
    diego = person("mexico", email="diego@mexico.example.org")
    read(diego, at=now - timedelta(hours=1))
    flag(mexico, diego.email)
    flag(mexico, diego.email, window_start=now - timedelta(hours=5))
    return {"colombia": colombia, "mexico": mexico}


@pytest.mark.parametrize("reviewer", ["ifrc_focal", "icrc_focal", "platform_admin"])
def test_focal_points_and_platform_admins_see_every_organisation(region, reviewer, request):
    client = sign_in(Client(), request.getfixturevalue(reviewer))
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    shown = {o.slug for o in response.context["overview"].organisations}
    assert shown == set(NationalSociety.objects.values_list("slug", flat=True))
    assert reverse("console:organisation", args=["colombia"]) in response.content.decode()


@pytest.mark.parametrize("outsider", ["member_a", "admin_a", "admin_b", "member_b"])
def test_society_admins_and_members_get_404(region, outsider, request):
    client = sign_in(Client(), request.getfixturevalue(outsider))
    assert client.get(OVERVIEW).status_code == 404
    assert client.get(OVERVIEW + "?sort=-reads").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(region):
    response = Client().get(OVERVIEW)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_figures_of_each_organisation(region, ifrc_focal_client):
    response = ifrc_focal_client.get(OVERVIEW)
    colombia = row(response, "colombia")
    # Reads: 4 reading actions in 30 days (the sign-in and the 40-day-old read do not count).
    assert (colombia.active_accounts, colombia.reads) == (2, 4)
    # Opened the current edition: ana and beto of 3 active members (not carla; not the deactivated one).
    assert (colombia.opened, colombia.members) == (2, 3)
    assert (colombia.notes_kept, colombia.open_alerts) == (2, 1)
    mexico = row(response, "mexico")
    assert (mexico.active_accounts, mexico.reads, mexico.opened, mexico.members, mexico.notes_kept, mexico.open_alerts) == (1, 1, 1, 1, 0, 2)
    peru = row(response, "peru")
    assert (peru.active_accounts, peru.reads, peru.opened, peru.members, peru.notes_kept, peru.open_alerts) == (0, 0, 0, 0, 0, 0)
    page = response.content.decode()
    assert "67 %" in page  # 2 of 3, rounded


def test_opened_means_what_the_organisation_page_says(region, ifrc_focal_client):
    """One definition: the overview's "opened" and the organisation page's "have not opened" add up
    to the active members."""
    colombia = row(ifrc_focal_client.get(OVERVIEW), "colombia")
    activity = ifrc_focal_client.get(reverse("console:organisation", args=["colombia"])).context["activity"]
    assert colombia.opened + len(activity.not_opened_current_edition) == colombia.members
    assert {user.email for user in activity.not_opened_current_edition} == {"carla@colombia.example.org"}


def _order(response):
    return [o.slug for o in response.context["overview"].organisations]


@pytest.mark.parametrize(
    "sort, first, last_of_data",
    [
        ("reads", None, "colombia"),
        ("-reads", "colombia", None),
        ("-active", "colombia", None),
        ("-opened", "mexico", None),  # 100 % before 67 %
        ("-notes", "colombia", None),
        ("-alerts", "mexico", None),
    ],
)
def test_each_column_sorts_on_the_server(region, ifrc_focal_client, sort, first, last_of_data):
    order = _order(ifrc_focal_client.get(OVERVIEW + f"?sort={sort}"))
    if first:
        assert order[0] == first
    if last_of_data:
        assert order[-1] == last_of_data


def test_the_share_ties_stay_in_name_order_both_ways(region, ifrc_focal_client):
    for sort, sign in (("opened", 1), ("-opened", -1)):
        rows = ifrc_focal_client.get(OVERVIEW + f"?sort={sort}").context["overview"].organisations
        keys = [(sign * o.opened_share, o.name) for o in rows]
        assert keys == sorted(keys)
    assert row(ifrc_focal_client.get(OVERVIEW), "peru").opened_share == -1.0  # no member: after 0 %


def test_ascending_and_descending_are_reverses_and_ties_go_by_name(region, ifrc_focal_client):
    ascending = _order(ifrc_focal_client.get(OVERVIEW + "?sort=alerts"))
    descending = _order(ifrc_focal_client.get(OVERVIEW + "?sort=-alerts"))
    assert ascending[-2:] == ["colombia", "mexico"] and descending[:2] == ["mexico", "colombia"]
    names = list(NationalSociety.objects.order_by("name").values_list("slug", flat=True))
    assert [slug for slug in ascending if slug not in ("colombia", "mexico")] == [s for s in names if s not in ("colombia", "mexico")]


def test_share_sorts_organisations_without_members_after_those_with_some(region, ifrc_focal_client):
    order = _order(ifrc_focal_client.get(OVERVIEW + "?sort=-opened"))
    assert order[:2] == ["mexico", "colombia"]


def test_the_default_order_is_by_name(region, ifrc_focal_client):
    names = list(NationalSociety.objects.order_by("name").values_list("slug", flat=True))
    assert _order(ifrc_focal_client.get(OVERVIEW)) == names


@pytest.mark.parametrize("bad", ["id", "-", "--reads", "name;drop", "reads ", "pk", "members", "\x00", "x" * 5000, "-" * 3])
def test_a_sort_not_on_the_list_is_the_default_never_a_500(region, ifrc_focal_client, bad):
    response = ifrc_focal_client.get(OVERVIEW, {"sort": bad})
    assert response.status_code == 200
    assert response.context["overview"].sort == "name"
    assert _order(response) == list(NationalSociety.objects.order_by("name").values_list("slug", flat=True))


def test_a_repeated_sort_parameter_uses_one_value(region, ifrc_focal_client):
    response = ifrc_focal_client.get(OVERVIEW + "?sort=-reads&sort=bogus")
    assert response.status_code == 200


def test_headers_are_links_with_aria_sort_on_the_sorted_column(region, ifrc_focal_client):
    page = ifrc_focal_client.get(OVERVIEW + "?sort=-reads").content.decode()
    assert page.count("aria-sort=") == 1
    assert 'aria-sort="descending"' in page
    assert 'href="?sort=reads"' in page  # a second click reverses
    assert 'href="?sort=alerts"' in page and 'href="?sort=name"' in page
    page = ifrc_focal_client.get(OVERVIEW).content.decode()
    assert 'aria-sort="ascending"' in page and 'href="?sort=-name"' in page


def _societies_with_data(count):
    """`count` National Societies, each with two members who read, a note and a flag."""
    societies = list(NationalSociety.objects.filter(kind="national_society").order_by("name")[:count])
    for number, society in enumerate(societies):
        for n in range(2):
            reader = person(society.slug, email=f"reader{n}@{society.slug}.example.org")
            read(reader)
            read(reader, action=Action.SEARCHED)
        note(society, "GEN-01")
        flag(society, f"reader0@{society.slug}.example.org")
    return societies


# A request's own (session, user and membership, the rules of the reader's documents confirmed, the
# access log's bookkeeping), the current edition, and one query for every row of the table.
QUERIES = 8


@pytest.mark.parametrize("societies", [2, 5])
def test_the_overview_costs_the_same_queries_for_2_and_5_societies_with_data(library, ifrc_focal_client, django_assert_num_queries, societies):
    _societies_with_data(societies)
    ifrc_focal_client.get(OVERVIEW)  # the session and membership caches warm alike in both cases
    with django_assert_num_queries(QUERIES):
        response = ifrc_focal_client.get(OVERVIEW + "?sort=-reads")
    assert sum(1 for o in response.context["overview"].organisations if o.reads == 4) == societies


def test_the_overview_is_one_query_over_the_organisations(library, ifrc_focal):
    _societies_with_data(3)
    with CaptureQueriesContext(connection) as queries:
        overview = selectors.regional_overview(fetched_by=ifrc_focal, sort="-alerts")
    organisation_queries = [q for q in queries.captured_queries if q["sql"].startswith('SELECT "national_societies_nationalsociety"')]
    assert len(organisation_queries) == 1
    # Besides it: the reviewer's membership (asked twice outside a request) and the current edition.
    assert len(queries.captured_queries) == 4
    assert overview.organisations[0].open_alerts == 1


def test_the_console_shows_the_overview_link_at_the_top(region, ifrc_focal_client, admin_a_client):
    page = ifrc_focal_client.get(reverse("console:events")).content.decode()
    assert page.index(OVERVIEW) < page.index("<table")
    assert "Activity by organisation" not in page
    # A society admin reviews their own society: the link is to its page, not to the region.
    page = admin_a_client.get(reverse("console:events")).content.decode()
    assert f'href="{OVERVIEW}"' not in page
    assert page.index(reverse("console:organisation", args=["colombia"])) < page.index("</nav>", page.index("tabs"))


@pytest.mark.postgresql
def test_the_overview_reads_the_access_log_through_its_indexes(library, ifrc_focal):
    """Each access-log column is an index range per organisation, never a scan of the log: reads and
    "opened" by (organisation, time) (or, as PostgreSQL chooses, "opened" by (account, time)). With
    sequential scans priced out, the plan names the existing indexes; a column without a usable index
    would still show a scan of the table."""
    _societies_with_data(2)
    with CaptureQueriesContext(connection) as queries:
        selectors.regional_overview(fetched_by=ifrc_focal, sort="name")
    sql = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "national_societies_nationalsociety"'))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "audit_org_time_idx" in plan
    assert "note_society_idx" in plan
    assert "audit_flag_org_idx" in plan
    assert "Seq Scan on audit_auditevent" not in plan
