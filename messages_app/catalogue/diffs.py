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
