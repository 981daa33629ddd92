"""The watermark stays on the paper: on every page of a PDF, A4 or Letter, the diagonal mark (the
reader's address and the trace code, turned 30°) and the margin marks (notice, reader, society, date,
code, page number) lie inside the page, for a usual reader and for the longest name and address an
account can hold.

Measured on WeasyPrint's own layout of the real print template and stylesheets: each line of text of
the marks, where WeasyPrint placed it, through the transformation WeasyPrint applies to it when it
draws the page.
"""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from weasyprint.formatting_structure import boxes

from messages_app.printing.services import (
    internal_notice,
    laid_out,
    print_css,
    watermark_css,
)

pytestmark = pytest.mark.db_independent

CODE = "KM-ABCD-EFGH"
SOCIETY = "Colombian Red Cross"
# CSS pixels (WeasyPrint's unit): 210 × 297 mm and 8.5 × 11 in.
PAGE = {"A4": (793.7, 1122.5), "Letter": (816.0, 1056.0)}
READERS = {
    "usual": ("Ana Gómez", "ana.gomez@cruzrojacolombiana.org"),
    # The longest the Print row keeps (a name of 300 characters, an address of 254), in wide letters.
    "longest": ("Ñ" * 150 + " " + "W" * 149, "w" * 64 + "@" + "W" * 185 + ".org"),
}


def laid_out_print(paper, name, email, messages=8):
    """The print template as a PDF of a few pages would be, laid out by WeasyPrint."""
    watermark = {
        "trace_code": CODE, "reader": name, "email": email, "society": SOCIETY, "date": datetime(2026, 3, 12, 9, 30),
        "paper": paper, "top_text": internal_notice(SOCIETY),
    }
    text = "Red Cross and Red Crescent’s actions are focused on the humanitarian needs of migrants. " * 4
    entries = [
        (SimpleNamespace(identifier=f"GEN-{n:02d}", parent_id=None, shown=SimpleNamespace(translation=""), current_version=SimpleNamespace(text=text)), None)
        for n in range(1, messages + 1)
    ]
    html = render_to_string(
        "messages_app/printing/print.html",
        {"title": "Press conference", "watermark": watermark, "paper": paper.lower(), "pdf": True, "entries": entries, "print_css": print_css() + watermark_css(watermark)},
    )
    return laid_out(html)


def descendants(box):
    yield box
    for child in box.all_children():
        yield from descendants(child)


def text_extents(box, matrix=None):
    """(text, (x1, y1, x2, y2)) of each line of text in `box`, on the page, through `matrix` if given."""
    for text_box in descendants(box):
        if isinstance(text_box, boxes.TextBox):
            x, y, w, h = text_box.position_x, text_box.position_y, text_box.width, text_box.height
            corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
            if matrix is not None:
                corners = [matrix.transform_point(*corner) for corner in corners]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            yield text_box.text, (min(xs), min(ys), max(xs), max(ys))


def marks(page):
    """The diagonal mark's lines (turned as drawn) and the margin boxes' lines of one page."""
    diagonal, margins = [], []
    for box in descendants(page._page_box):
        element = box.element
        if isinstance(box, boxes.MarginBox):
            margins += text_extents(box)
        elif element is not None and "print-diagonal" in (element.get("class") or "") and box.transformation_matrix is not None:
            diagonal += text_extents(box, box.transformation_matrix)
    return diagonal, margins


def squash(text):
    return "".join(text.split())


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("reader", READERS, ids=list(READERS))
def test_the_watermark_lies_within_every_page(paper, reader):
    name, email = READERS[reader]
    document = laid_out_print(paper, name, email)
    assert len(document.pages) >= 2
    for number, page in enumerate(document.pages, 1):
        width, height = page._page_box.margin_width(), page._page_box.margin_height()
        assert (round(width, 1), round(height, 1)) == PAGE[paper]
        diagonal, margins = marks(page)
        # The marks are all there, whole: the diagonal the address and code, the margins the rest.
        assert squash("".join(text for text, _ in diagonal)) == squash(f"{email} · {CODE}"), number
        bottom = squash("".join(text for text, _ in margins))
        for part in (name, email, SOCIETY, CODE, f"{number}/{len(document.pages)}"):
            assert squash(part) in bottom, (number, part)
        # And every line of them is on the paper.
        for text, (x1, y1, x2, y2) in diagonal + margins:
            assert 0 <= x1 and x2 <= width and 0 <= y1 and y2 <= height, (paper, number, text[:20], (x1, y1, x2, y2))
