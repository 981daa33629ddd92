"""Who reads a contextualisation note, on every page that can show one.

The grid: a note of the Colombian Red Cross, with each of the three visibilities, against seven
readers (Colombian member and admin, Mexican member and admin, IFRC and ICRC focal points, a
platform admin), on the message page, the section page (section note), search, history, the
society overview and the coverage matrix. The note text carries a canary string that appears
nowhere else, so its presence or absence in the HTML is the test.
"""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.catalogue.models import Message, Section
from messages_app.notes.models import ContextNote, Visibility
from messages_app.notes.services import note_delete, note_save
from messages_app.notes.permissions import can_read_note, readable_notes_filter
from national_societies.models import Membership, NationalSociety
from tests.accounts import sign_in
from tests.accounts import person as _person

MESSAGE_ID = "DET-04"
SECTION_KEY = "protection-do-no-harm"  # a subsection of "management-model"
# A word to search for (echoed by the search page) and canaries that appear nowhere but in the notes.
SEARCH_WORD = "zebrafinch"
MESSAGE_CANARY = "CanaryMsgQ7x3"
SECTION_CANARY = "CanarySecQ9k2"

READERS = ("col_member", "col_admin", "mex_member", "mex_admin", "ifrc_focal", "icrc_focal", "platform_admin")
COLOMBIANS = {"col_member", "col_admin"}
AUDIENCE = {
    Visibility.SOCIETY: COLOMBIANS,
    Visibility.FOCAL_POINTS: COLOMBIANS | {"ifrc_focal", "icrc_focal"},
    Visibility.REGION: set(READERS),
}
COVERAGE_READERS = {"ifrc_focal", "icrc_focal", "platform_admin"}




@pytest.fixture
def readers(library, member, society_admin, focal_point, platform_admin):
    role = Membership.Role
    return {
        "col_member": member,
        "col_admin": society_admin,
        "mex_member": _person("mexico", role.MEMBER, "member@mexico.example.org"),
        "mex_admin": _person("mexico", role.SOCIETY_ADMIN, "admin@mexico.example.org"),
        "ifrc_focal": focal_point,
        "icrc_focal": _person("icrc-americas", role.FOCAL_POINT, "focal@icrc.example.org"),
        "platform_admin": platform_admin,
    }


def _colombian_notes(author, visibility):
    message_note = note_save(
        acting_user=author,
        message=Message.objects.get(identifier=MESSAGE_ID),
        text=f"Locally we add: {MESSAGE_CANARY}, {SEARCH_WORD} and *more*.",
        visibility=visibility,
        expected_revision=None,
    )
    section_note = note_save(
        acting_user=author,
        section=Section.objects.get(key=SECTION_KEY),
        text=f"For this section: {SECTION_CANARY} {SEARCH_WORD}.",
        visibility=visibility,
        expected_revision=None,
    )
    return message_note, section_note


def _viewed(user, note):
    return AuditEvent.objects.filter(action=Action.NOTE_VIEWED, target_id=str(note.pk), actor_user_id=user.pk).count()


@pytest.mark.parametrize("visibility", Visibility.values)
def test_visibility_grid(readers, visibility):
    """Every reader of the grid, on every page; a failure names each reader it concerns."""
    message_note, section_note = _colombian_notes(readers["col_admin"], visibility)
    failures = []
    for reader in READERS:
        try:
            _check_reader(readers, visibility, reader, message_note, section_note)
        except AssertionError as error:
            failures.append(f"{visibility} note, {reader}: {error}")
    assert not failures, "\n".join(failures)


def _check_reader(readers, visibility, reader, message_note, section_note):
    user = readers[reader]
    client = sign_in(Client(), user)
    sees = reader in AUDIENCE[visibility]
    colombian = reader in COLOMBIANS

    # The rule and the query filter agree, for this reader and note.
    assert bool(can_read_note(user, message_note)) is sees
    readable = ContextNote.objects.filter(readable_notes_filter(user))
    assert set(readable) == ({message_note, section_note} if sees else set())

    # Message page.
    before = _viewed(user, message_note)
    response = client.get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (MESSAGE_CANARY in html) is sees
    assert [n.pk for n in response.context["panel"].notes] == ([message_note.pk] if sees else [])
    if sees:
        label = "Colombian Red Cross (your society)" if colombian else "From the Colombian Red Cross"
        assert label in html
    assert _viewed(user, message_note) - before == (1 if sees else 0)

    # Section page, with the section's note.
    before = _viewed(user, section_note)
    response = client.get(reverse("messages:section", args=["migration-americas", SECTION_KEY]))
    assert response.status_code == 200
    assert (SECTION_CANARY in response.content.decode()) is sees
    assert _viewed(user, section_note) - before == (1 if sees else 0)
    # A section's note is not shown on the message pages of that section, nor a message's on the section page.
    assert MESSAGE_CANARY not in response.content.decode()

    # Search results.
    before = (_viewed(user, message_note), _viewed(user, section_note))
    response = client.get(reverse("messages:search"), {"q": SEARCH_WORD})
    assert response.status_code == 200
    html = response.content.decode()
    assert (MESSAGE_CANARY in html) is sees
    assert (SECTION_CANARY in html) is sees
    assert {n.pk for n in response.context["notes"]} == ({message_note.pk, section_note.pk} if sees else set())
    after = (_viewed(user, message_note), _viewed(user, section_note))
    assert [a - b for a, b in zip(after, before)] == ([1, 1] if sees else [0, 0])

    # History: the note's own society only, whatever the visibility; 404 for everyone else.
    for note, canary in ((message_note, MESSAGE_CANARY), (section_note, SECTION_CANARY)):
        response = client.get(reverse("messages:note_history", args=[note.pk]))
        assert response.status_code == (200 if colombian else 404)
        assert (canary in response.content.decode()) is colombian

    # The society overview lists the society's own notes (subjects, never other societies' text).
    response = client.get(reverse("messages:notes_overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert MESSAGE_CANARY not in html and SECTION_CANARY not in html
    assert (reverse("messages:detail", args=["migration-americas", MESSAGE_ID]) in html) is colombian
    assert (reverse("messages:section", args=["migration-americas", SECTION_KEY]) in html) is colombian
    # Document order: the section (position 5) comes before DET-04 (section 9).
    assert [n.pk for n in response.context["overview"].notes] == ([section_note.pk, message_note.pk] if colombian else [])

    # Coverage matrix: focal points and platform admins; counts only, whatever the visibility.
    response = client.get(reverse("messages:notes_coverage", args=["migration-americas"]))
    if reader in COVERAGE_READERS:
        assert response.status_code == 200
        html = response.content.decode()
        assert MESSAGE_CANARY not in html and SECTION_CANARY not in html
        coverage = response.context["coverage"]
        rows = {society.slug: (cells, total) for society, cells, total in coverage.rows}
        keys = [section.key for section in coverage.sections]
        cells, total = rows["colombia"]
        assert total == 2
        assert {k: c.count for k, c in zip(keys, cells)} == {k: (1 if k in ("detention-deportation", "management-model") else 0) for k in keys}
        assert rows["mexico"][1] == 0
        # A cell links to the notes behind it the reader may read, on the page that shows each: only those.
        links = {
            message_note: f'{reverse("messages:detail", args=["migration-americas", MESSAGE_ID])}#note-{message_note.pk}',
            section_note: f'{reverse("messages:section", args=["migration-americas", SECTION_KEY])}#note-{section_note.pk}',
        }
        assert {k: list(c.readable) for k, c in zip(keys, cells) if c.readable} == (
            {"detention-deportation": [message_note], "management-model": [section_note]} if sees else {}
        )
        for note, link in links.items():
            assert (f'href="{link}"' in html) is sees
            if sees:
                page, fragment = link.split("#")
                shown = client.get(page)
                assert shown.status_code == 200 and f'<article id="{fragment}"' in shown.content.decode()
    else:
        assert response.status_code == 404

    # The edit page: only Colombia's editors ever get Colombia's note in the form.
    response = client.get(reverse("messages:message_note", args=["migration-americas", MESSAGE_ID]))
    assert response.status_code == (200 if reader in ("col_admin", "mex_admin") else 404)
    assert (MESSAGE_CANARY in response.content.decode()) is (reader == "col_admin")


def test_every_view_records_the_actor_and_note(readers):
    """A NOTE_VIEWED row names the note, its organisation and the reader's own organisation."""
    message_note, _section_note = _colombian_notes(readers["col_admin"], Visibility.REGION)
    reader = readers["mex_member"]
    client = sign_in(Client(), reader)
    client.get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID]))
    event = AuditEvent.objects.get(action=Action.NOTE_VIEWED, target_id=str(message_note.pk))
    assert event.target_type == "note"
    assert event.actor_user_id == reader.pk
    assert event.actor_organisation_id == NationalSociety.objects.get(slug="mexico").pk
    assert event.message_identifier == MESSAGE_ID
    assert event.details["organisation"] == "colombia"
    assert event.details["visibility"] == Visibility.REGION


def test_pages_without_a_readable_note_record_no_note_view(readers):
    _colombian_notes(readers["col_admin"], Visibility.SOCIETY)
    client = sign_in(Client(), readers["mex_admin"])
    client.get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID]))
    client.get(reverse("messages:section", args=["migration-americas", SECTION_KEY]))
    client.get(reverse("messages:search"), {"q": SEARCH_WORD})
    assert not AuditEvent.objects.filter(action=Action.NOTE_VIEWED).exists()


def test_several_societies_notes_side_by_side(readers):
    """Own society first, labelled as such; shared notes of others 'From the …'; others' private notes never."""
    message = Message.objects.get(identifier=MESSAGE_ID)
    note_save(acting_user=readers["col_admin"], message=message, text="Colombia says CanaryColQ1.", visibility=Visibility.SOCIETY, expected_revision=None)
    note_save(acting_user=readers["mex_admin"], message=message, text="Mexico shares CanaryMexQ2.", visibility=Visibility.REGION, expected_revision=None)
    bolivia_admin = _person("bolivia", Membership.Role.SOCIETY_ADMIN, "admin@bolivia.example.org")
    note_save(acting_user=bolivia_admin, message=message, text="Bolivia keeps CanaryBolQ3.", visibility=Visibility.SOCIETY, expected_revision=None)
    argentina_admin = _person("argentina", Membership.Role.SOCIETY_ADMIN, "admin@argentina.example.org")
    note_save(acting_user=argentina_admin, message=message, text="Argentina to focal points CanaryArgQ4.", visibility=Visibility.FOCAL_POINTS, expected_revision=None)

    html = sign_in(Client(), readers["col_member"]).get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID])).content.decode()
    assert "CanaryColQ1" in html and "CanaryMexQ2" in html
    assert "CanaryBolQ3" not in html and "CanaryArgQ4" not in html
    assert html.index("CanaryColQ1") < html.index("CanaryMexQ2")
    assert "From the Mexican Red Cross" in html
    assert "Colombian Red Cross (your society)" in html

    html = sign_in(Client(), readers["icrc_focal"]).get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID])).content.decode()
    assert "CanaryMexQ2" in html and "CanaryArgQ4" in html
    assert "CanaryColQ1" not in html and "CanaryBolQ3" not in html
    assert "From the Argentine Red Cross" in html


def test_a_note_is_shown_beside_the_canonical_text_and_set_apart_from_it(readers):
    _colombian_notes(readers["col_admin"], Visibility.SOCIETY)
    html = sign_in(Client(), readers["col_member"]).get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID])).content.decode()
    canonical = Message.objects.get(identifier=MESSAGE_ID).current_version.text
    grid = html.index('class="with-notes"')
    assert grid < html.index('class="canonical-text"') < html.index('class="notes-panel"')
    # The note is in the notes panel, not in the canonical text, which is unchanged.
    assert html.index('class="notes-panel"') < html.index(MESSAGE_CANARY)
    assert "Notes of National Societies: not part of the canonical text." in html
    assert Message.objects.get(identifier=MESSAGE_ID).current_version.text == canonical
    # Non-editors get no edit button.
    assert reverse("messages:message_note", args=["migration-americas", MESSAGE_ID]) not in html


def test_anonymous_visitors_get_no_note(readers):
    _colombian_notes(readers["col_admin"], Visibility.REGION)
    client = Client()
    for url in (
        reverse("messages:detail", args=["migration-americas", MESSAGE_ID]),
        reverse("messages:section", args=["migration-americas", SECTION_KEY]),
        reverse("messages:search") + f"?q={SEARCH_WORD}",
        reverse("messages:notes_overview"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert MESSAGE_CANARY not in response.content.decode()


def test_a_member_of_a_deactivated_society_reads_no_note(readers):
    message_note, _ = _colombian_notes(readers["col_admin"], Visibility.REGION)
    NationalSociety.objects.filter(slug="mexico").update(is_active=False)
    assert not can_read_note(readers["mex_member"], message_note)
    response = sign_in(Client(), readers["mex_member"]).get(reverse("messages:detail", args=["migration-americas", MESSAGE_ID]))
    assert MESSAGE_CANARY not in response.content.decode()


def test_coverage_counts_live_notes_per_society_and_top_level_section(readers):
    """Notes on subsections and on their messages count in the top-level section; deleted ones do not."""
    colombia_admin, mexico_admin = readers["col_admin"], readers["mex_admin"]

    def write(author, visibility, *, identifier=None, key=None):
        subject = {"message": Message.objects.get(identifier=identifier)} if identifier else {"section": Section.objects.get(key=key)}
        return note_save(acting_user=author, text="Counted.", visibility=visibility, expected_revision=None, **subject)

    write(colombia_admin, Visibility.SOCIETY, identifier="PRO-01")  # a message of a subsection of management-model
    write(colombia_admin, Visibility.REGION, identifier="INC-02")  # another subsection, same top-level section
    write(colombia_admin, Visibility.FOCAL_POINTS, key="management-model")
    write(colombia_admin, Visibility.SOCIETY, identifier="GCO-05.1")  # a child message
    write(mexico_admin, Visibility.SOCIETY, identifier="GEN-01")
    deleted = write(mexico_admin, Visibility.REGION, identifier="GEN-02")
    note_delete(acting_user=mexico_admin, note=deleted)

    response = sign_in(Client(), readers["icrc_focal"]).get(reverse("messages:notes_coverage", args=["migration-americas"]))
    coverage = response.context["coverage"]
    keys = [section.key for section in coverage.sections]
    assert "management-model" in keys and "protection-do-no-harm" not in keys  # top-level sections only
    rows = {society.slug: ({k: c.count for k, c in zip(keys, cells)}, total) for society, cells, total in coverage.rows}
    assert rows["colombia"] == ({**dict.fromkeys(keys, 0), "management-model": 3, "global-compact": 1}, 4)
    assert rows["mexico"] == ({**dict.fromkeys(keys, 0), "general-information": 1}, 1)
    assert rows["bolivia"][1] == 0
    # Only National Societies are rows; the IFRC and ICRC are not.
    assert not {"ifrc-americas", "icrc-americas"} & set(rows)
    assert "Counted." not in response.content.decode()
