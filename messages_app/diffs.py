"""Word-level differences between two texts, for templates: [(kind, text)], kind in same/added/removed."""

import difflib
import re

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("same", "".join(before[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(("removed", "".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(("added", "".join(after[j1:j2])))
    return parts
