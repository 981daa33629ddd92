"""Word-level differences between two texts, for templates: [(kind, text)], kind in same/added/removed;
and differences between two texts made of blocks (paragraphs, list items…), word-level inside a block."""

import difflib
import re
from dataclasses import dataclass

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


# How alike two blocks of the same kind must be (difflib's ratio over their words, 0 to 1) to be shown
# as one block reworded rather than one block removed and another added: a third, so that a sentence
# that keeps its opening but is otherwise rewritten is still one block, marked word by word.
SAME_BLOCK_RATIO = 1 / 3


@dataclass(frozen=True)
class BlockChange:
    """One block of a block_diff: its kind (as given: "p", "ul"…), its status (same, changed, added or
    removed) and its text as word_diff parts (a changed block's words marked; one part otherwise)."""

    kind: str
    status: str
    parts: list


def _words(text: str) -> list[str]:
    return text.split()


def _likeness(old: str, new: str) -> float:
    return difflib.SequenceMatcher(a=_words(old), b=_words(new), autojunk=False).ratio()


def block_diff(old: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[BlockChange]:
    """Two texts as lists of blocks (kind, text), compared block by block, in the new text's order with
    the removed blocks where they were. A block of the same kind and words is "same" whatever its
    whitespace (a paragraph wrapped differently has not changed); a block reworded is "changed", with
    word_diff inside it, so that a change in one list item marks that item only; a block with little
    in common with any old one of its kind is "added", and an old block left unpaired "removed"."""
    key = [(kind, " ".join(_words(text))) for kind, text in old], [(kind, " ".join(_words(text))) for kind, text in new]
    matcher = difflib.SequenceMatcher(a=key[0], b=key[1], autojunk=False)
    changes: list[BlockChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes += [BlockChange(kind, "same", [("same", text)]) for kind, text in new[j1:j2]]
            continue
        olds, next_old = old[i1:i2], 0
        for kind, text in new[j1:j2]:
            alike = [(i, _likeness(olds[i][1], text)) for i in range(next_old, len(olds)) if olds[i][0] == kind]
            best = max(alike, key=lambda candidate: candidate[1], default=(None, 0.0))
            if best[0] is None or best[1] < SAME_BLOCK_RATIO:
                changes.append(BlockChange(kind, "added", [("added", text)]))
                continue
            changes += [BlockChange(k, "removed", [("removed", t)]) for k, t in olds[next_old : best[0]]]
            changes.append(BlockChange(kind, "changed", word_diff(olds[best[0]][1], text)))
            next_old = best[0] + 1
        changes += [BlockChange(k, "removed", [("removed", t)]) for k, t in olds[next_old:]]
    return changes
