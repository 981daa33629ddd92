"""Text folding shared by the loaders and search."""

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, one character for one ("Detención" -> "detencion"), so that a
    reader who types without accents, as many do, still finds the translated text."""
    return "".join(_fold_char(c) for c in text)


def _fold_char(char: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).lower()
    return bare if len(bare) == 1 else char.lower()[:1] or char
