"""A note's history compares revisions on the blocks the note shows (paragraphs and list items,
notes/markup.py), word by word inside a changed block: a change in one list item marks that item
only, a paragraph wrapped differently is unchanged, and hostile text stays inert."""

import pytest
from django.urls import reverse

from messages_app.catalogue.models import Message
from messages_app.notes.selectors import note_diff
from messages_app.notes.services import note_save
from tests.messages_app.notes.test_notes_markup import Page

BEFORE = "In Colombia, call the line:\n\n- Cúcuta: call 155 before noon\n- Bogotá: the *Terminal* office\n- Cali"
AFTER = "In Colombia, call the line:\n\n- Cúcuta: call 156 before noon\n- Bogotá: the *Terminal* office\n- Cali"


def _shape(groups):
    return [(group.tag, [(block.status, block.parts) for block in group.blocks]) for group in groups]


@pytest.mark.db_independent
def test_a_change_inside_one_list_item_marks_that_item_only():
    assert _shape(note_diff(BEFORE, AFTER)) == [
        ("p", [("same", [("same", "In Colombia, call the line:")])]),
        (
            "ul",
            [
                ("changed", [("same", "Cúcuta: call "), ("removed", "155 "), ("added", "156 "), ("same", "before noon")]),
                ("same", [("same", "Bogotá: the *Terminal* office")]),
                ("same", [("same", "Cali")]),
            ],
        ),
    ]


@pytest.mark.db_independent
def test_a_paragraph_wrapped_differently_has_not_changed_and_whole_blocks_come_and_go():
    wrapped = "In Colombia,\ncall the line:\n\n- Cúcuta: call 155 before noon\n- Bogotá: the *Terminal* office\n- Cali"
    assert all(block.status == "same" for group in note_diff(BEFORE, wrapped) for block in group.blocks)
    # An item removed, another added, a paragraph turned into a numbered list: whole blocks.
    after = "In Colombia, call the line:\n\n- Cúcuta: call 155 before noon\n- Cali\n- Pasto, from March\n\n1. First the hotline"
    assert _shape(note_diff(BEFORE, after)) == [
        ("p", [("same", [("same", "In Colombia, call the line:")])]),
        (
            "ul",
            [
                ("same", [("same", "Cúcuta: call 155 before noon")]),
                ("removed", [("removed", "Bogotá: the *Terminal* office")]),
                ("same", [("same", "Cali")]),
                ("added", [("added", "Pasto, from March")]),
            ],
        ),
        ("ol", [("added", [("added", "First the hotline")])]),
    ]


def test_the_history_page_shows_the_blocks_and_keeps_hostile_text_inert(admin_a, admin_a_client, library):
    message = Message.objects.get(identifier="DET-04")
    hostile = "- <script>alert(1)</script> call <img src=x onerror=alert(2)>\n- Bogotá"
    note = note_save(acting_user=admin_a, message=message, text=BEFORE + "\n\n" + hostile, visibility="society", expected_revision=None)
    changed = hostile.replace("call <img", "dial <b>now</b> <img")
    note = note_save(acting_user=admin_a, message=message, text=AFTER + "\n\n" + changed, visibility="society", expected_revision=1)

    response = admin_a_client.get(reverse("messages:note_history", args=[note.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    revision_2 = html[html.index("Revision 2") : html.index("Revision 1")]
    assert '<li class="diff-changed">Cúcuta: call <del>155 </del><ins>156 </ins>before noon</li>' in revision_2
    assert '<li class="diff-same">Bogotá: the *Terminal* office</li>' in revision_2  # the other items, unmarked
    assert (
        '<li class="diff-changed">&lt;script&gt;alert(1)&lt;/script&gt; <del>call </del><ins>dial &lt;b&gt;now&lt;/b&gt; </ins>'
        "&lt;img src=x onerror=alert(2)&gt;</li>"
    ) in revision_2
    page = Page(html)
    page.assert_inert()  # balanced, no script but the app's own file, no handler, no javascript: link
    assert "<img" not in revision_2 and "<b>" not in revision_2 and "<script>" not in revision_2
