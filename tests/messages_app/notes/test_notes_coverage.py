"""The coverage matrix as a focal point reads it: sections named (abbreviated, the full name kept for
assistive technology and in a tooltip and a legend), each count linking to the notes behind it that the
viewer may read (and to nothing else: no link leads to a 404 or to a page without the note), the wide
table in a scroll region of its own, and a cost in queries that does not grow with notes or societies.
"""

import re

import pytest
from django.urls import reverse

from messages_app.catalogue.models import Message, Section
from messages_app.notes.models import Visibility
from messages_app.notes.services import note_save
from national_societies.models import Membership
from tests.accounts import person, sign_in

URL = reverse("messages:notes_coverage", args=["migration-americas"])
# The session, the user with their membership, whether they have TOTP (a privileged role), the
# request's savepoint pair (ATOMIC_REQUESTS); the document (its audience, the rules confirmed); the
# coverage: the sections (with their abbreviation), the counts of message notes and of section notes,
# the notes the viewer may read, the societies.
QUERIES = 11


def write(author, visibility, *, identifier=None, key=None):
    subject = {"message": Message.objects.get(identifier=identifier)} if identifier else {"section": Section.objects.get(key=key)}
    return note_save(acting_user=author, text="A local note.", visibility=visibility, expected_revision=None, **subject)


@pytest.fixture
def mexico_admin(library):
    return person("mexico", Membership.Role.SOCIETY_ADMIN, "admin@mexico.example.org")


def test_sections_are_abbreviated_with_their_full_names_and_the_table_scrolls_in_its_own_region(ifrc_focal_client):
    response = ifrc_focal_client.get(URL)
    html = response.content.decode()
    sections = response.context["coverage"].sections
    assert [s.abbreviation for s in sections] == ["GEN", "CHA", "BAS", "MOD", "DET", "PRG", "STA", "GCO"]
    for section in sections:
        header = f'<th scope="col"><abbr title="{section.title}" aria-hidden="true">{section.abbreviation}</abbr><span class="visually-hidden">{section.title}</span></th>'
        assert header in html
        assert f'<dt><abbr title="{section.title}">{section.abbreviation}</abbr></dt><dd>{section.title}</dd>' in html
    region = re.search(r'<div class="table-scroll"([^>]*)>\s*<table class="data-table coverage">', html)
    assert region and set(re.findall(r'(\w[\w-]*)="([^"]*)"', region.group(1))) == {
        ("role", "region"), ("aria-labelledby", "coverage-title"), ("tabindex", "0"),
    }
    assert '<h1 id="coverage-title">' in html


def test_cells_link_to_the_notes_the_viewer_may_read_and_only_to_those(ifrc_focal_client, ifrc_focal, platform_admin, admin_a, mexico_admin, client):
    shared = write(admin_a, Visibility.FOCAL_POINTS, identifier="PRO-01")  # in a sub-section of the management model
    regional = write(admin_a, Visibility.REGION, key="protection-do-no-harm")  # a sub-section's own note
    private = write(admin_a, Visibility.SOCIETY, identifier="GEN-01")
    mexican = write(mexico_admin, Visibility.REGION, identifier="GEN-02")

    html = ifrc_focal_client.get(URL).content.decode()
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', html, re.DOTALL))
    cells = {name: re.findall(r"<td>(.*?)</td>", row, re.DOTALL) for name, row in rows.items()}
    # Colombia: GEN 1 (private: counted, not linked), MOD 2 (both linked, in document order).
    colombia = cells["Colombian Red Cross"]
    assert colombia[0] == '1'
    assert colombia[3] == (
        f'2<ul class="coverage-notes"><li><a href="/documents/migration-americas/sections/protection-do-no-harm/#note-{regional.pk}">§ I<span class="visually-hidden"> (note of Colombian Red Cross)</span></a></li>'
        f'<li><a href="/documents/migration-americas/messages/PRO-01/#note-{shared.pk}">PRO-01<span class="visually-hidden"> (note of Colombian Red Cross)</span></a></li></ul>'
    )
    assert cells["Mexican Red Cross"][0].startswith(f'1<ul class="coverage-notes"><li><a href="/documents/migration-americas/messages/GEN-02/#note-{mexican.pk}">GEN-02')
    assert f"#note-{private.pk}" not in html
    assert cells["Bolivian Red Cross"][0] == '<span aria-hidden="true">·</span><span class="visually-hidden">0</span>'
    # Every link opens a page that shows that very note to this viewer.
    for link in re.findall(r'<a href="([^"]+#note-\d+)"', html):
        page, fragment = link.split("#")
        response = ifrc_focal_client.get(page)
        assert response.status_code == 200 and f'<article id="{fragment}"' in response.content.decode(), link

    # A platform admin reads notes shared with the region, not those shared with focal points.
    admin_html = sign_in(client, platform_admin).get(URL).content.decode()
    assert f"#note-{regional.pk}" in admin_html and f"#note-{mexican.pk}" in admin_html
    assert f"#note-{shared.pk}" not in admin_html and f"#note-{private.pk}" not in admin_html


def test_a_retired_sub_sections_note_is_counted_but_not_linked(ifrc_focal_client, admin_a, library):
    note = write(admin_a, Visibility.REGION, key="core-principles")
    edition = Section.objects.get(key="core-principles").document.editions.get()
    Section.objects.filter(key="core-principles").update(retired_in=edition)
    html = ifrc_focal_client.get(URL).content.decode()
    assert f"#note-{note.pk}" not in html
    assert ifrc_focal_client.get(reverse("messages:section", args=["migration-americas", "core-principles"])).status_code == 404
    rows = {society.slug: cells for society, cells, _total in ifrc_focal_client.get(URL).context["coverage"].rows}
    assert rows["colombia"][3].count == 1 and rows["colombia"][3].readable == ()


def test_the_matrix_costs_the_same_queries_with_more_notes(ifrc_focal_client, admin_a, mexico_admin, django_assert_num_queries):
    ifrc_focal_client.get(reverse("messages:help", args=["migration-americas"]))  # the session's first request
    with django_assert_num_queries(QUERIES):
        assert ifrc_focal_client.get(URL).status_code == 200
    for identifier in ("GEN-01", "GEN-02", "PRO-01", "DET-04", "GCO-05.1"):
        write(admin_a, Visibility.REGION, identifier=identifier)
        write(mexico_admin, Visibility.FOCAL_POINTS, identifier=identifier)
    write(admin_a, Visibility.REGION, key="management-model")
    with django_assert_num_queries(QUERIES):
        response = ifrc_focal_client.get(URL)
    assert response.content.decode().count('<ul class="coverage-notes">') == 8
