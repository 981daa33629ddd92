"""Word-level differences between two texts, for templates: [(kind, text)], kind in same/added/removed."""

import difflib
import re

# A word with the whitespace after it (and any whitespace the text starts with): words are compared,
# not the runs of whitespace between them, which would otherwise anchor unrelated words together and
# chop a reworded sentence into alternating one-word insertions and deletions.
_TOKENS = re.compile(r"\S+\s*|\s+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(a=[t.strip() for t in before], b=[t.strip() for t in after], autojunk=False)
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("same", "".join(after[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(("removed", "".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(("added", "".join(after[j1:j2])))
    return parts


def list_diff(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """Items of `new` marked "added" (new or reworded) or "same", then the items of `old` gone from it,
    marked "removed": for lists such as the handling rules, compared item by item."""
    before, after = set(old), set(new)
    return [("same" if item in before else "added", item) for item in new] + [
        ("removed", item) for item in old if item not in after
    ]
