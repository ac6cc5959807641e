"""Site search: a registry of search providers and the portal's own providers.

The portal imports no other app, so every app contributes its results through a provider
registered in its ``AppConfig.ready``::

    from portal.search import SearchResult, register_search_provider, fulltext_search

    def search_events(query: str, *, limit: int) -> list[SearchResult]: ...

    register_search_provider("events", search_events, vocabulary=event_titles)

A provider takes the (already trimmed, non-empty) query and a limit and returns
``SearchResult`` objects; ``fulltext_search`` does the work for any queryset and
``search_results`` turns its rows into results. ``vocabulary`` (optional) returns a
queryset of one text column (``values_list``) of what the provider makes findable, titles
and names: "Meinten Sie …" suggestions come from these words only, so it must hold
published rows only.

What a query means (the syntax of ``websearch_to_tsquery``): every word must occur;
``"…"`` is a phrase (the words in this order); ``or`` between two terms lets either do;
``-word`` excludes. Each word also matches its other umlaut spelling (``Muegeln`` finds
"Mügeln", ``Mügeln`` finds "Muegeln"); ``ß``/``ss`` and word forms are left to the German
stemmer. On PostgreSQL the match is the full-text operator ``@@`` over a weighted
``to_tsvector('german', …)``, ranked with ``ts_rank``; on SQLite (the zero-setup demo) a
substring match over the text folded in Python (lower case for every alphabet, umlauts
spelled out, tags removed), titles first. ``snippet`` must be safe HTML: ``highlight()``
escapes first and only then marks the terms.
"""

import difflib
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from html import unescape
from itertools import product
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, Length
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10  # words and phrases of one query that count; the rest is ignored
SEARCH_CONFIG = "german"
# ts_rank normalization: 1 divides by 1 + log(length), so long texts that repeat a word do
# not outrank the page about it; 2 divides by the length (for the title bonus).
RANK_NORMALIZATION = 1
TITLE_NORMALIZATION = 2
# pg_trgm similarity a title word needs to be offered for a mistyped word.
SUGGESTION_SIMILARITY = 0.45
SUGGESTION_RATIO = 0.8  # the same for difflib on SQLite
# Markers PostgreSQL puts around matches; never present in staff text, survive escaping.
START, STOP = "\u0002", "\u0003"
# What separates words in titles for the suggestion vocabulary (PostgreSQL regex): spaces,
# digits, ASCII punctuation, Latin-1 symbols and the general punctuation block (dashes,
# typographic quotes). Spelled out because [:alpha:] depends on the database's locale.
WORD_SEPARATORS = "[\\s\\d!-/:-@\\[-`{-~\u00a0-\u00bf\u2000-\u206f]+"
SUGGESTION_WORD = re.compile(r"[^\W\d_]{4,}")
_PUNCTUATION = "!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~„“”‚‘’«»–—…"
_TAG = re.compile(r"<[^>]*>")
_SPELLED_OUT = re.compile("ae|oe|ue")
_UMLAUTS = {"ae": "ä", "oe": "ö", "ue": "ü"}
_MAX_RESPELLED = 3  # umlaut positions per word tried in every combination (2**3 forms)


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: SafeString
    kind: str
    rank: float
    date: datetime | None = None


SearchProvider = Callable[..., list[SearchResult]]
Vocabulary = Callable[[], QuerySet]
_providers: dict[str, SearchProvider] = {}
_vocabularies: dict[str, Vocabulary] = {}


def register_search_provider(
    name: str, provider: SearchProvider, *, vocabulary: Vocabulary | None = None
) -> None:
    """Add (or replace) the provider for ``name``; call it from ``AppConfig.ready``."""
    _providers[name] = provider
    if vocabulary is None:
        _vocabularies.pop(name, None)
    else:
        _vocabularies[name] = vocabulary


def search_providers() -> dict[str, SearchProvider]:
    return dict(_providers)


def normalize_query(raw: str | None) -> str:
    """Whitespace collapsed, control characters dropped, umlauts composed, cut to length."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    # "u" + combining diaeresis (as some keyboards send it) is the same "ü" as in the texts.
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


# --- What the query asks for ----------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Every group must match; a group matches if one of its terms does (``or``)."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(query: str) -> ParsedQuery:
    """Words, ``"phrases"``, ``or`` and ``-excluded`` terms, as websearch_to_tsquery reads them.

    Punctuation around words is dropped (``Mügeln,``); ``or`` binds the terms on either side
    of it, so ``Radweg Mügeln or Oschatz`` is Radweg and (Mügeln or Oschatz).
    """
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(normalize_query(query)):
        if count >= MAX_TERMS:
            break
        minus, phrase, word = match.groups()
        if word is not None and word.lower() == "or":
            pending_or = bool(groups)
            continue
        negated = bool(minus)
        if phrase is not None:
            text = " ".join(phrase.split())
            term = Term(text, phrase=" " in text)
        else:
            if word.startswith("-") and len(word) > 1:
                negated, word = True, word[1:]
            term = Term(word.strip(_PUNCTUATION))
        if not term.text.strip(_PUNCTUATION):
            continue
        count += 1
        if negated:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    return ParsedQuery(tuple(tuple(group) for group in groups), tuple(excluded))


def fold(text: str) -> str:
    """Lower case for every alphabet (not only ASCII), umlauts and ß spelled out."""
    text = unicodedata.normalize("NFC", text).casefold()  # casefold: ß → ss
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


def fold_document(text: str | None) -> str | None:
    """``fold`` of a stored text without its HTML tags (the SQLite function portal_fold)."""
    if text is None:
        return None
    return fold(" ".join(unescape(_TAG.sub(" ", text)).split()))


def spellings(text: str) -> list[str]:
    """The term in lower case, with its umlauts spelled out, and with ae/oe/ue as umlauts.

    ``Muegeln`` → muegeln, mügeln; ``Mügeln`` → mügeln, muegeln. Every combination for up
    to three positions (``Buergerbefragung`` has one), so a word like "Feuer" also yields a
    harmless "feür" that matches nothing.
    """
    lowered = unicodedata.normalize("NFC", text).lower()
    forms = [lowered]
    spelled = fold(lowered)
    if spelled not in forms:
        forms.append(spelled)
    pairs = list(_SPELLED_OUT.finditer(spelled))[:_MAX_RESPELLED]
    for choice in product((False, True), repeat=len(pairs)):
        if not any(choice):
            continue
        pieces, position = [], 0
        for pair, umlaut in zip(pairs, choice, strict=True):
            pieces.append(spelled[position : pair.start()])
            pieces.append(_UMLAUTS[pair.group()] if umlaut else pair.group())
            position = pair.end()
        pieces.append(spelled[position:])
        form = "".join(pieces)
        if form not in forms:
            forms.append(form)
    return forms


def highlight_terms(query: str) -> list[str]:
    """Every spelling of every term the query asks for (to mark them in plain text)."""
    return [form for term in parse_query(query).terms for form in spellings(term.text)]


# --- Matching -------------------------------------------------------------------------------


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite's LIKE folds ASCII only, so "MÜGELN" would
    miss "Mügeln"; both sides are folded by ``fold_document`` instead."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("portal_fold", 1, fold_document, deterministic=True)


def _plain(expression):
    """The text of an HTML column without its tags (PostgreSQL)."""
    return Func(
        expression,
        Value("<[^>]*>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def highlight(text: str, *, terms: list[str] | None = None, length: int = 0) -> SafeString:
    """Plain text of ``text`` escaped, then its marked (or the given) terms wrapped in <mark>.

    Escaping comes first, so nothing from the stored text can become markup.
    """
    plain = " ".join(unescape(re.sub(r"<[^>]*>", " ", text or "")).split())
    if length:
        plain = Truncator(plain).chars(length)
    escaped = escape(plain)
    for term in terms or []:
        pattern = re.compile(re.escape(escape(term)), re.IGNORECASE)
        escaped = pattern.sub(lambda match: f"{START}{match.group(0)}{STOP}", escaped)
    # Safe: the text is escaped; the only markup is the <mark> we add here.
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


def _tsquery(parsed: ParsedQuery) -> RawSQL:
    """The query as one tsquery: AND of the groups, OR of each term's spellings.

    Every spelling is its own ``plainto_tsquery``/``phraseto_tsquery`` parameter, so nothing
    the visitor types is parsed as tsquery syntax; the SQL around them is fixed text. A group
    of stop words only ("und") is an empty tsquery, which PostgreSQL drops from the AND. It
    is an uncorrelated subquery, so PostgreSQL computes it once per statement (the
    functions are STABLE and would otherwise run for every row), and written as SQL here
    because Django would compile dozens of SearchQuery objects four times per provider.
    """
    from django.contrib.postgres.search import SearchQueryField

    params: list[str] = []

    def forms(term: Term) -> list[str]:
        function = "phraseto_tsquery" if term.phrase else "plainto_tsquery"
        sql = []
        for form in spellings(term.text):
            sql.append(f"{function}(%s::regconfig, %s)")
            params.extend([SEARCH_CONFIG, form])
        return sql

    wanted = [
        "(" + " || ".join(sql for term in group for sql in forms(term)) + ")"
        for group in parsed.groups
    ]
    unwanted = [f"!!{sql}" for term in parsed.excluded for sql in forms(term)]
    return RawSQL(
        "(SELECT " + " && ".join(wanted + unwanted) + ")",
        params,
        output_field=SearchQueryField(),
    )


def fulltext_search(
    queryset: QuerySet,
    query: str,
    *,
    fields: dict[str, str],
    snippet_field: str,
    html_fields: tuple[str, ...] = (),
    limit: int = 50,
) -> QuerySet:
    """Rows of ``queryset`` that match ``query``, best first, with ``rank`` and ``snippet``.

    ``fields`` maps field (or annotation) names to weights ("A" title … "D" body); the first
    "A" field is the title. ``html_fields`` are stripped of tags before indexing. On
    PostgreSQL the snippet has the matches marked; call ``result_snippet`` on each row.
    """
    parsed = parse_query(query)
    if not parsed:
        return queryset.none()
    if uses_postgres():
        return _postgres_search(
            queryset, parsed, fields=fields, snippet_field=snippet_field, html_fields=html_fields
        )[:limit]
    return _sqlite_search(queryset, parsed, fields=fields, snippet_field=snippet_field)[:limit]


def _title_field(fields: dict[str, str]) -> str:
    return next((name for name, weight in fields.items() if weight == "A"), next(iter(fields)))


def _postgres_search(queryset, parsed, *, fields, snippet_field, html_fields):
    from django.contrib.postgres.search import SearchHeadline, SearchRank, SearchVector

    def column(name):
        if name in html_fields:
            return _plain(F(name))
        return Cast(F(name), output_field=TextField())

    vector = reduce(
        operator.add,
        [
            SearchVector(column(name), weight=weight, config=SEARCH_CONFIG)
            for name, weight in fields.items()
        ],
    )
    title = SearchVector(column(_title_field(fields)), weight="A", config=SEARCH_CONFIG)
    search_query = _tsquery(parsed)
    # Match with @@ (a document without the words is not a result however it ranks;
    # ts_rank gives non-matches a tiny positive rank, so "rank > 0" kept everything).
    matches = Func(
        vector,
        search_query,
        template="%(expressions)s",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )
    return (
        queryset.filter(matches)
        .annotate(
            # How well the whole text matches, plus how much of the title the query is
            # (ts_rank divided by the title's length): "Mügeln" puts the page of Mügeln
            # before "Kommunalforum Mügeln", the survey before news that mention it.
            rank=SearchRank(vector, search_query, normalization=Value(RANK_NORMALIZATION))
            + SearchRank(title, search_query, normalization=Value(TITLE_NORMALIZATION)),
            snippet=SearchHeadline(
                column(snippet_field),
                search_query,
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by("-rank", "pk")
    )


def _sqlite_search(queryset, parsed, *, fields, snippet_field):
    def folded(*names):
        parts = []
        for name in names:
            parts += [Coalesce(Cast(F(name), output_field=TextField()), Value("")), Value(" ")]
        text = Concat(*parts, output_field=TextField()) if len(parts) > 2 else parts[0]
        return Func(text, function="portal_fold", output_field=TextField())

    def matches(name: str) -> Q:
        condition = Q()
        for group in parsed.groups:
            either = Q()
            for term in group:
                either |= Q(**{f"{name}__contains": fold(term.text)})
            condition &= either
        for term in parsed.excluded:
            condition &= ~Q(**{f"{name}__contains": fold(term.text)})
        return condition

    title = _title_field(fields)
    return (
        queryset.annotate(search_text=folded(*fields), search_title=folded(title))
        .filter(matches("search_text"))
        .annotate(
            # Title matches first, the shortest title first ("Mügeln" before
            # "Kommunalforum Mügeln"); then every other match.
            rank=Case(
                When(
                    matches("search_title"),
                    then=Value(1.0) + Value(1.0) / (Length(title) + Value(1.0)),
                ),
                default=Value(0.1),
                output_field=FloatField(),
            ),
            snippet=F(snippet_field),
        )
        .order_by("-rank", "pk")
    )


def result_snippet(row, query: str) -> SafeString:
    """The highlighted snippet of a row that ``fulltext_search`` returned."""
    if uses_postgres():
        return highlight(row.snippet or "")
    return highlight(row.snippet or "", terms=highlight_terms(query), length=240)


def search_results(
    rows, query: str, *, kind: str, title: str = "title", date: str | None = None
) -> list[SearchResult]:
    """``SearchResult`` objects for the rows ``fulltext_search`` returned, under their
    ``title`` attribute, linked to ``get_absolute_url()``, dated by ``date`` if given."""
    return [
        SearchResult(
            title=getattr(row, title),
            url=row.get_absolute_url(),
            snippet=result_snippet(row, query),
            kind=kind,
            rank=float(row.rank),
            date=getattr(row, date) if date else None,
        )
        for row in rows
    ]


def search(query: str, *, limit: int = 50) -> list[SearchResult]:
    """All providers' results for the query, best first (one query per provider)."""
    query = normalize_query(query)
    if not parse_query(query):
        return []
    results: list[SearchResult] = []
    for provider in _providers.values():
        results.extend(provider(query, limit=limit))
    results.sort(key=lambda result: (-result.rank, result.title))
    return results[:limit]


# --- "Meinten Sie …" ------------------------------------------------------------------------


def suggest(query: str) -> str | None:
    """The query with each unknown word replaced by the closest word of a title, or None.

    The vocabulary is the words of what the providers make findable (titles, names,
    districts), so a suggestion never reveals a draft. Words that are in the vocabulary
    (in either umlaut spelling) stay as typed; one database query in all.
    """
    query = normalize_query(query)
    words = list(SUGGESTION_WORD.finditer(query))[:MAX_TERMS]
    if not words or not _vocabularies:
        return None
    keys = [fold(word.group()) for word in words]
    closest = _closest_words_postgres(keys) if uses_postgres() else _closest_words_python(keys)
    pieces, position, changed = [], 0, False
    for word, key in zip(words, keys, strict=True):
        replacement = closest.get(key)
        pieces.append(query[position : word.start()])
        if replacement and fold(replacement) != key:
            pieces.append(replacement)
            changed = True
        else:
            pieces.append(word.group())
        position = word.end()
    pieces.append(query[position:])
    return "".join(pieces) if changed else None


def search_url(query: str) -> str:
    """The address of the search page for ``query`` (the link of a suggestion)."""
    return f"{reverse('portal:search')}?{urlencode({'q': query})}"


def _vocabulary_union() -> QuerySet:
    parts = [vocabulary().order_by() for vocabulary in _vocabularies.values()]
    return parts[0].union(*parts[1:], all=True)


def _closest_words_postgres(keys: list[str]) -> dict[str, str]:
    """pg_trgm similarity of each folded word to the folded title words (migration 0006)."""
    source_sql, source_params = _vocabulary_union().query.sql_with_params()
    sql = f"""
        WITH source(text) AS ({source_sql}),
        words AS (
            SELECT DISTINCT word
            FROM source CROSS JOIN LATERAL regexp_split_to_table(source.text, %s) AS word
            WHERE char_length(word) >= 3
        ),
        vocabulary AS (
            SELECT word, replace(replace(replace(replace(
                lower(word), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss') AS key
            FROM words
        )
        SELECT term.key, (
            SELECT vocabulary.word FROM vocabulary
            WHERE similarity(vocabulary.key, term.key) >= %s
            ORDER BY similarity(vocabulary.key, term.key) DESC, vocabulary.word
            LIMIT 1
        )
        FROM unnest(%s::text[]) AS term(key)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, (*source_params, WORD_SEPARATORS, SUGGESTION_SIMILARITY, keys))
        return {key: word for key, word in cursor.fetchall() if word}


def _closest_words_python(keys: list[str]) -> dict[str, str]:
    """The same with difflib, for the SQLite demo (no pg_trgm there)."""
    vocabulary: dict[str, str] = {}
    for (text,) in _vocabulary_union():
        for word in re.findall(r"[^\W\d_]{3,}", text or ""):
            vocabulary.setdefault(fold(word), word)
    closest = {}
    for key in keys:
        if key in vocabulary:
            closest[key] = vocabulary[key]
            continue
        found = difflib.get_close_matches(key, vocabulary, n=1, cutoff=SUGGESTION_RATIO)
        if found:
            closest[key] = vocabulary[found[0]]
    return closest


# --- The portal's providers -----------------------------------------------------------------


def _news_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import NewsArticle

    rows = fulltext_search(
        NewsArticle.objects.published(),
        query,
        fields={"title": "A", "teaser": "B", "body": "C"},
        snippet_field="body",
        html_fields=("body",),
        limit=limit,
    )
    return [
        SearchResult(
            title=row.title,
            url=row.get_absolute_url(),
            snippet=result_snippet(row, query)
            if (row.snippet or "").strip()
            else highlight(row.teaser),
            kind=str(_("News")),
            rank=float(row.rank) + 0.01,  # news slightly ahead of equal-ranked pages
            date=row.published_at,
        )
        for row in rows
    ]


def _news_vocabulary() -> QuerySet:
    from portal.models import NewsArticle

    return NewsArticle.objects.published().values_list("title")


def _page_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import Page

    rows = fulltext_search(
        Page.objects.published(),
        query,
        fields={"title": "A", "description": "B", "body": "C"},
        snippet_field="body",
        html_fields=("body",),
        limit=limit,
    )
    return search_results(rows, query, kind=str(_("Page")))


def _page_vocabulary() -> QuerySet:
    from portal.models import Page

    return Page.objects.published().values_list("title")


def _municipality_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import Municipality

    # The page lists the districts under "n Ortsteile", so that word finds them too.
    label = Value(f"{_('districts (Ortsteile)')} ")
    rows = fulltext_search(
        Municipality.objects.annotate(
            district_text=Concat(label, "districts", output_field=TextField())
        ),
        query,
        fields={"name": "A", "district_text": "B", "portrait": "C", "head_name": "C"},
        snippet_field="portrait",
        limit=limit,
    )
    return search_results(rows, query, kind=str(_("Municipality")), title="name")


def _municipality_vocabulary() -> QuerySet:
    from portal.models import Municipality

    return Municipality.objects.annotate(
        words=Concat("name", Value(" "), "districts", output_field=TextField())
    ).values_list("words")


def _topic_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import Topic

    rows = fulltext_search(
        Topic.objects.all(),
        query,
        fields={"name": "A", "description": "B"},
        snippet_field="description",
        limit=limit,
    )
    return search_results(rows, query, kind=str(_("Topic")), title="name")


def _topic_vocabulary() -> QuerySet:
    from portal.models import Topic

    return Topic.objects.values_list("name")


def _shown_ideas() -> QuerySet:
    """The approved ideas the idea page shows (its link target must exist on the page).

    Only title, text and the cooperation's reply are searched: never the sender's name or
    e-mail address, and never an idea that is not approved.
    """
    from portal import selectors
    from portal.models import Idea

    shown = selectors.ideas_approved().values("pk")[: selectors.IDEAS_ON_PAGE]
    return Idea.objects.approved().filter(pk__in=shown).only("title", "text", "reply")


def _idea_provider(query: str, *, limit: int) -> list[SearchResult]:
    rows = fulltext_search(
        _shown_ideas(),
        query,
        fields={"title": "A", "text": "B", "reply": "C"},
        snippet_field="text",
        limit=limit,
    )
    return search_results(rows, query, kind=str(_("Idea")))


def _idea_vocabulary() -> QuerySet:
    return _shown_ideas().values_list("title")


def register_portal_providers() -> None:
    register_search_provider("portal.news", _news_provider, vocabulary=_news_vocabulary)
    register_search_provider("portal.pages", _page_provider, vocabulary=_page_vocabulary)
    register_search_provider(
        "portal.municipalities", _municipality_provider, vocabulary=_municipality_vocabulary
    )
    register_search_provider("portal.topics", _topic_provider, vocabulary=_topic_vocabulary)
    register_search_provider("portal.ideas", _idea_provider, vocabulary=_idea_vocabulary)
