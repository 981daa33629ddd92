"""A small Markdown subset for notes: paragraphs, bullet and numbered lists, *emphasis*, **strong**,
and [links](https://…). The text is escaped first, converted, then cleaned by nh3 with an allow-list,
so script, event handlers and `javascript:` links never reach a page, whatever is typed."""

import html
import re

import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "em", "strong", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}

_LINK = re.compile(r"\[([^\]\n]{1,300})\]\(((?:https?://|mailto:)[^\s)]{1,500})\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\*\w])\*(?=\S)(.+?)(?<=\S)\*(?![\*\w])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")


_SLOT = "\x00"  # marks where a link goes while emphasis is applied (NUL is removed from the text first)
_SLOT_RE = re.compile(_SLOT + r"(\d+)" + _SLOT)


def _emphasis(escaped: str) -> str:
    escaped = _STRONG.sub(r"<strong>\1</strong>", escaped)
    return _EMPHASIS.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", escaped)


def _inline(escaped: str) -> str:
    # Links are set aside before emphasis, so that `*` and `_` inside a URL (…/_private_/…) are
    # never turned into <em> inside the href; the link text itself may carry emphasis.
    links = []

    def set_aside(match):
        links.append((match.group(2), _emphasis(match.group(1))))
        return f"{_SLOT}{len(links) - 1}{_SLOT}"

    escaped = _emphasis(_LINK.sub(set_aside, escaped))
    return _SLOT_RE.sub(lambda m: '<a href="{}">{}</a>'.format(*links[int(m.group(1))]), escaped)


def _blocks(text: str):
    """Paragraphs and lists, split on blank lines and list markers."""
    kind, lines = None, []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            if lines:
                yield kind, lines
            kind, lines = None, []
            continue
        bullet, numbered = _BULLET.match(raw), _NUMBERED.match(raw)
        line_kind = "ul" if bullet else "ol" if numbered else "p"
        content = (bullet or numbered).group(1) if (bullet or numbered) else raw.strip()
        if line_kind == "p" and kind in ("ul", "ol"):
            lines[-1] += " " + content  # a wrapped list item
            continue
        if kind is not None and line_kind != kind:
            yield kind, lines
            lines = []
        kind = line_kind
        lines.append(content)
    if lines:
        yield kind, lines


def note_blocks(text: str) -> list[tuple[str, str]]:
    """The note's blocks as render_note lays them out, to compare two texts block by block: ("p", a
    paragraph, its lines joined by line breaks) or ("ul"/"ol", one list item). The text of each is
    as typed, inline markup included, and not escaped (the page that shows it escapes it)."""
    blocks = []
    for kind, lines in _blocks((text or "").replace(_SLOT, "")):
        if kind == "p":
            blocks.append(("p", "\n".join(lines)))
        else:
            blocks.extend((kind, line) for line in lines)
    return blocks


def render_note(text: str) -> str:
    """Safe HTML for a note's Markdown source."""
    parts = []
    for kind, lines in _blocks(html.escape((text or "").replace(_SLOT, ""), quote=True)):
        if kind == "p":
            parts.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
        else:
            parts.append(f"<{kind}>" + "".join(f"<li>{_inline(line)}</li>" for line in lines) + f"</{kind}>")
    cleaned = nh3.clean(
        "".join(parts),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308  (escaped, then cleaned by nh3 with an allow-list)
