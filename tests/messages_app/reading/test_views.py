"""Reading the library: pages, search, versions, constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messages_app.catalogue.models import Message, MessageVersion, Section
from tests.messages_app.content import add_messages
from tests.accounts import sign_in


def test_home_shows_contents_rules_and_changes(member_client, library):
    response = member_client.get(reverse("messages:document", args=["migration-americas"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "How to use this document" in html
    assert "This is not a confidential document, but neither is it public." in html
    assert "Red Cross’ management model" in html
    assert "IV. Inclusion of migrant population in humanitarian programs" in html
    assert "16 messages" in html  # General Information
    assert "first edition" in html
    assert "do not share outside your National Society" in html


def test_message_page_shows_text_section_topics_neighbours_and_copy_button(member_client, library):
    response = member_client.get(reverse("messages:detail", args=["migration-americas", "ADV-03"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No child or adolescent should be deprived of their freedom." in html
    assert "II. Advocacy and humanitarian diplomacy" in html
    assert "Children and adolescents" in html
    assert reverse("messages:detail", args=["migration-americas", "ADV-02"]) in html
    assert reverse("messages:detail", args=["migration-americas", "PRI-01"]) in html
    assert 'data-copy-target="text-ADV-03"' in html


def test_message_identifier_is_case_insensitive_and_unknown_is_404(member_client, library):
    assert member_client.get("/documents/migration-americas/messages/adv-03/").status_code == 200
    assert member_client.get("/documents/migration-americas/messages/ZZZ-99/").status_code == 404
    assert member_client.get(reverse("messages:version", args=["migration-americas", "ADV-03", 7])).status_code == 404


def test_parent_message_lists_its_children(member_client, library):
    html = member_client.get(reverse("messages:detail", args=["migration-americas", "GCO-05"])).content.decode()
    assert "Prioritize the rights and needs of vulnerable migrant children." in html
    assert reverse("messages:detail", args=["migration-americas", "GCO-05.3"]) in html


def test_management_model_section_shows_its_four_approaches(member_client, library):
    html = member_client.get(reverse("messages:section", args=["migration-americas", "management-model"])).content.decode()
    assert "Our management model is based on 4 approaches:" in html
    for title in ("I. Protection", "II. Advocacy", "III. Core Principles", "IV. Inclusion"):
        assert title in html
    assert html.count('class="message-card"') == 2 + 4 + 3 + 3 + 3


def test_older_version_stays_readable(member_client, library):
    message = Message.objects.get(identifier="DET-01")
    old = message.current_version
    edition2 = old.edition.__class__.objects.create(
        document=old.edition.document, label="2", sequence=2, rules_version=old.edition.rules_version, content_sha256="y"
    )
    new = MessageVersion.objects.create(message=message, number=2, edition=edition2, text="Edited wording.")
    message.current_version = new
    message.save()
    current = member_client.get(reverse("messages:detail", args=["migration-americas", "DET-01"])).content.decode()
    assert "Edited wording." in current
    older = member_client.get(reverse("messages:version", args=["migration-americas", "DET-01", 1])).content.decode()
    assert old.text in older
    assert "which is not the current text" in older


def test_topic_pages(member_client, library):
    listing = member_client.get(reverse("messages:topics", args=["migration-americas"])).content.decode()
    assert "Detention" in listing
    page = member_client.get(reverse("messages:topic", args=["migration-americas", "detention"])).content.decode()
    assert "ADV-03" in page and "DET-01" in page
    assert member_client.get(reverse("messages:topic", args=["migration-americas", "nope"])).status_code == 404


def _search_ids(client, query, **params):
    response = client.get(reverse("messages:search"), {"q": query, **params})
    assert response.status_code == 200
    return [m.identifier for m, *_html in response.context["results"]], response


def test_children_detention_finds_detained_children_first(member_client, library):
    ids, _response = _search_ids(member_client, "children detention")
    assert ids[0] == "ADV-03"
    assert "DET-01" in ids and "GEN-11" in ids  # other matches follow


def test_search_highlights_and_escapes(member_client, library):
    _ids, response = _search_ids(member_client, "non-refoulement")
    html = response.content.decode()
    assert "<mark>" in html
    _ids, response = _search_ids(member_client, "<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_by_identifier_puts_that_message_first(member_client, library):
    ids, _response = _search_ids(member_client, "DET-04")
    assert ids[0] == "DET-04"


def test_search_without_match_and_without_words(member_client, library):
    ids, response = _search_ids(member_client, "zebra")
    assert ids == []
    assert "No message matches these words" in response.content.decode()
    empty = member_client.get(reverse("messages:search"))
    assert empty.status_code == 200 and empty.context["results"] is None
    only_stopwords, _ = _search_ids(member_client, "the of and")
    assert only_stopwords == []


def test_search_too_long_is_cut_with_a_clear_message(member_client, library):
    response = member_client.get(reverse("messages:search"), {"q": "migrants " * 50})
    assert response.status_code == 200
    assert "Your search is too long" in response.content.decode()


def test_search_paginates_and_bad_page_numbers_do_not_fail(member_client, library, settings):
    settings.SEARCH_RESULTS_PER_PAGE = 5
    ids_page1, response = _search_ids(member_client, "migrants")
    assert len(ids_page1) == 5
    assert response.context["page_obj"].paginator.count > 10
    ids_page2, _ = _search_ids(member_client, "migrants", page=2)
    assert not set(ids_page1) & set(ids_page2)
    for bad in ("abc", "999", "-1"):
        assert member_client.get(reverse("messages:search"), {"q": "migrants", "page": bad}).status_code == 200


def test_help_page_lists_the_contacts(member_client, library):
    html = member_client.get(reverse("messages:help", args=["migration-americas"])).content.decode()
    assert "diana.medina@ifrc.org" in html and "prey@icrc.org" in html


def test_pages_before_content_is_loaded_answer_404_not_500(no_library, client, member):
    member_client = sign_in(client, member)
    library = member_client.get(reverse("messages:home"))
    assert library.status_code == 200 and "No document is available to your organisation yet" in library.content.decode()
    assert member_client.get(reverse("messages:document", args=["migration-americas"])).status_code == 404
    assert member_client.get(reverse("messages:help", args=["migration-americas"])).status_code == 404


# Constant queries: the same count with 20 more messages. The counts include the session, the user
# read with their membership (national_societies/backends.py), the request's savepoint pair
# (ATOMIC_REQUESTS) and the access-log row; the document (whether the reader may read it, its current
# edition and whether the reader confirmed its rules) is one query; pages spanning documents (search)
# read the reader's documents instead. On pages that can
# show notes, one query for the notes; on pages that list messages, the reader's briefings for the
# "Add to a briefing" menu; on every page showing message texts, the reader's read receipts (one INSERT). The first request of a
# session does more (session tracking, rules check) and is left out.
PAGES = [
    ("section", lambda: reverse("messages:section", args=["migration-americas", "detention-deportation"]), 13),
    ("message", lambda: reverse("messages:detail", args=["migration-americas", "DET-04"]), 11),
    ("search", lambda: reverse("messages:search") + "?q=detention+children", 12),
    ("document", lambda: reverse("messages:document", args=["migration-americas"]), 12),
    ("library", lambda: reverse("messages:home"), 5),
    ("topic", lambda: reverse("messages:topic", args=["migration-americas", "detention"]), 11),
]


@pytest.mark.parametrize(("name", "url", "queries"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_run_a_constant_number_of_queries(member_client, library, django_assert_num_queries, name, url, queries):
    member_client.get(reverse("messages:help", args=["migration-americas"]))  # the session's first request
    with django_assert_num_queries(queries):
        assert member_client.get(url()).status_code == 200
    add_messages(20)
    with django_assert_num_queries(queries):
        assert member_client.get(url()).status_code == 200


def test_home_lists_what_changed_in_a_new_edition(member_client, library):
    import dataclasses

    from messages_app.catalogue.services import key_messages_load
    from tests.conftest import shipped_content
    from tests.messages_app.content import with_message_text

    content = with_message_text(shipped_content(), "DET-02", "Changed wording.", edition="2")
    content = dataclasses.replace(content, edition_note="Second edition: DET-02 reworded.")
    key_messages_load(content=content)
    html = member_client.get(reverse("messages:document", args=["migration-americas"])).content.decode()
    assert "What changed in edition 2" in html
    assert "Second edition: DET-02 reworded." in html
    assert reverse("messages:detail", args=["migration-americas", "DET-02"]) in html
    assert "Changed wording." in member_client.get(reverse("messages:detail", args=["migration-americas", "DET-02"])).content.decode()
    results = member_client.get(reverse("messages:search"), {"q": "wording"}).context["results"]
    assert [m.identifier for m, *_ in results] == ["DET-02"]


def test_message_page_queries_do_not_grow_with_the_notes_shown(member_client, library, django_assert_max_num_queries):
    """Notes shared by more societies mean more rows, not more queries (their access-log rows too)."""
    from audit.models import AuditEvent
    from messages_app.notes.services import note_save
    from national_societies.models import Membership, NationalSociety
    from tests.factories import MembershipFactory, UserFactory

    message = Message.objects.get(identifier="DET-04")
    slugs = ["mexico", "peru", "chile", "argentina", "brazil"]

    def share_from(slug):
        society = NationalSociety.objects.get(slug=slug)
        author = MembershipFactory(
            user=UserFactory(email=f"admin@{slug}.example.org"), national_society=society, role=Membership.Role.SOCIETY_ADMIN
        ).user
        note_save(acting_user=author, message=message, text=f"Context from {slug}.", visibility="region", expected_revision=None)

    url = reverse("messages:detail", args=["migration-americas", "DET-04"])
    share_from(slugs[0])
    member_client.get(url)  # the session's first request
    with CaptureQueriesContext(connection) as one_note:
        assert member_client.get(url).status_code == 200
    for slug in slugs[1:]:
        share_from(slug)
    before = AuditEvent.objects.filter(action="note_viewed").count()
    with django_assert_max_num_queries(len(one_note.captured_queries)):
        page = member_client.get(url).content.decode()
    assert all(f"Context from {slug}." in page for slug in slugs)
    assert AuditEvent.objects.filter(action="note_viewed").count() - before == len(slugs)
