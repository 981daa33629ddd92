"""Search across the canonical messages.

PostgreSQL: full-text search on the stored, GIN-indexed `search_vector` (text weighted A, topic
names B), ranked, with messages that match every word first and highlighted matches.
SQLite (the embedded default): a simpler search on the text and topic names with the same
ordering rules, so that results are correct on a newcomer's machine too.
A reader whose language has an official translation also finds messages by the words of the
translation of their current text (on both backends, a plain substring match: the table is small).
"""

import re
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.conf import settings
from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.identifiers import IDENTIFIER_PATTERN, IDENTIFIER_RE
from core.text import fold
from messages_app.catalogue.models import Message
from messages_app.catalogue.selectors import documents_for_reader, live_messages, require_reader
from messages_app.translations.models import MessageTranslation

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
# Sentinels PostgreSQL puts around matches; they cannot occur in the text, which is then escaped.
_START, _STOP = "\x02", "\x03"
_TERM_RE = re.compile(rf"{IDENTIFIER_PATTERN}|\w+", re.UNICODE)
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or our that the their this to "
    "was we were will with".split()
)


def parse_terms(query: str) -> list[str]:
    terms = []
    for term in _TERM_RE.findall(query[:MAX_QUERY_LENGTH]):
        lowered = term.lower()
        if lowered not in _STOPWORDS and lowered not in terms:
            terms.append(lowered)
    return terms[:MAX_TERMS]


def search_messages(query: str, *, base_queryset, language: str = ""):
    """Return (queryset of ranked messages, terms). Results carry `.headline_raw` for highlight()."""
    terms = parse_terms(query)
    if not terms:
        return base_queryset.none(), terms
    identifier_first = Case(
        When(identifier__iexact=query.strip(), then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    in_translation = _translation_matches(terms, language)
    if connection.vendor == "postgresql":
        queryset = _postgres_search(base_queryset, terms, in_translation)
    else:
        queryset = _simple_search(base_queryset, terms, in_translation)
    queryset = queryset.annotate(identifier_match=identifier_first)
    return queryset.order_by("-identifier_match", "-matches_all", "-score", "position"), terms


def _translation_matches(terms, language) -> list:
    """One condition per term: the official translation (in `language`) of the current text has it."""
    if not language or language == settings.KEY_MESSAGES_ORIGINAL_LANGUAGE:
        return []
    translations = MessageTranslation.objects.filter(
        version_id=OuterRef("current_version_id"), translation__language=language, superseded_at__isnull=True
    )
    return [Exists(translations.filter(search_text__contains=fold(term))) for term in terms]


def _postgres_search(base_queryset, terms, in_translation):
    any_term = reduce(or_, (SearchQuery(t, config="english", search_type="plain") for t in terms))
    every_term = SearchQuery(" ".join(terms), config="english", search_type="plain")
    vector = F("current_version__search_vector")
    found = Q(current_version__search_vector=any_term) | Q(identifier__in=[t.upper() for t in terms])
    every = Q(current_version__search_vector=every_term)
    score = SearchRank(vector, any_term)
    if in_translation:
        found |= reduce(or_, (Q(match) for match in in_translation))
        every |= reduce(lambda a, b: a & b, (Q(match) for match in in_translation))
        # A word found in the translation weighs like a word of the text (rank is at most 1).
        score = score + sum(
            (Case(When(match, then=Value(0.1)), default=Value(0.0), output_field=FloatField()) for match in in_translation),
            Value(0.0),
        )
    return (
        base_queryset.filter(found)
        .annotate(
            score=score,
            matches_all=Case(
                When(every, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            headline_raw=SearchHeadline(
                "current_version__text",
                any_term,
                config="english",
                start_sel=_START,
                stop_sel=_STOP,
                highlight_all=True,
            ),
        )
    )


def _simple_search(base_queryset, terms, in_translation):
    through = Message.topics.through
    matched = []
    for i, term in enumerate(terms):
        in_topics = Exists(through.objects.filter(message_id=OuterRef("pk"), topic__name__icontains=term))
        in_text = Q(current_version__text__icontains=term)
        if in_translation:
            in_text |= Q(in_translation[i])
        matched.append((term, in_text, in_topics))
    any_match = reduce(or_, (in_text | Q(in_topics) for _t, in_text, in_topics in matched))
    # Two points for a word in the text, one for a word in the topics.
    score = sum(
        (
            Case(When(in_text, then=Value(2)), default=Value(0), output_field=IntegerField())
            + Case(When(in_topics, then=Value(1)), default=Value(0), output_field=IntegerField())
            for _t, in_text, in_topics in matched
        ),
        Value(0),
    )
    every = reduce(lambda a, b: a & b, (in_text | Q(in_topics) for _t, in_text, in_topics in matched))
    return base_queryset.filter(any_match | Q(identifier__in=[t.upper() for t in terms])).annotate(
        score=score,
        matches_all=Case(When(every, then=Value(1)), default=Value(0), output_field=IntegerField()),
        headline_raw=F("current_version__text"),
    )


def highlight(message, terms) -> str:
    """The message text, escaped, with the matched words wrapped in <mark>."""
    raw = message.headline_raw
    if _START in raw:
        pieces = re.split(f"({_START}.*?{_STOP})", raw)
        html = "".join(
            f"<mark>{escape(p[1:-1])}</mark>" if p.startswith(_START) else escape(p) for p in pieces
        )
        return mark_safe(html)  # noqa: S308 - every piece is escaped above
    return highlight_text(raw, terms)


def highlight_text(raw: str, terms) -> str:
    """Any text, escaped, with the words of `terms` wrapped in <mark> (ignoring case and accents)."""
    if not raw:
        return ""
    words = [fold(t) for t in terms if not IDENTIFIER_RE.match(t)]
    if not words:
        return escape(raw)
    # Found in the folded text, cut from the original: fold() keeps one character for one.
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    html, start = [], 0
    for match in pattern.finditer(fold(raw)):
        html += [escape(raw[start:match.start()]), f"<mark>{escape(raw[match.start():match.end()])}</mark>"]
        start = match.end()
    html.append(escape(raw[start:]))
    return mark_safe("".join(html))  # noqa: S308 - every piece is escaped above


def searchable_documents(*, fetched_by, only: str = "") -> list:
    """The documents a search of `fetched_by` spans: those they read, except retired ones (a retired
    document leaves the library's search); `only`: the slug of one of them (the document filter)."""
    documents = [d for d in documents_for_reader(fetched_by=fetched_by) if d.retired_at is None]
    chosen = [d for d in documents if d.slug == only]
    return chosen or documents


def message_search(*, query: str, fetched_by, documents, language: str = ""):
    """(ranked queryset, parsed terms) for a query over `documents` (see searchable_documents); see
    search.py for the two backends.

    `language`: the reader's, whose official translation is searched too."""
    require_reader(fetched_by)
    return search_messages(query, base_queryset=live_messages(list(documents)), language=language)
