"""Site search: a registry of search providers, the search over all of them, suggestions.

The parts: ``query`` (what a query asks for, highlighting), ``fulltext`` (matching on
PostgreSQL and SQLite), ``suggestions`` ("Meinten Sie …"), ``providers`` (the portal's own).

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

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language

from portal.memo import VersionedMemo
from portal.search.fulltext import (
    SearchResult,
    fulltext_search,
    register_sqlite_functions,
    result_snippet,
    search_results,
    uses_postgres,
)
from portal.search.query import (
    MAX_TERMS,
    fold,
    highlight,
    normalize_query,
    parse_query,
)
from portal.search.sources import SearchSource, search_sources
from portal.search.suggestions import closest_words_postgres, closest_words_python

__all__ = [
    "SearchResult",
    "SearchSource",
    "fulltext_search",
    "highlight",
    "normalize_query",
    "register_search_provider",
    "register_sqlite_functions",
    "result_snippet",
    "search",
    "search_page",
    "search_providers",
    "search_results",
    "search_url",
    "suggest",
]

SUGGESTION_WORD = re.compile(r"[^\W\d_]{4,}")

SearchProvider = Callable[..., list[SearchResult]]
Vocabulary = Callable[[], QuerySet]
_providers: dict[str, SearchProvider | SearchSource] = {}
_vocabularies: dict[str, Vocabulary] = {}


def register_search_provider(
    name: str, provider: SearchProvider | SearchSource, *, vocabulary: Vocabulary | None = None
) -> None:
    """Add (or replace) the provider for ``name``; call it from ``AppConfig.ready``.

    A ``SearchSource`` (declared: queryset, fields, row → result) is searched together with
    every other source in one SQL statement on PostgreSQL; a function is called on its own.
    """
    _providers[name] = provider
    if vocabulary is None:
        _vocabularies.pop(name, None)
    else:
        _vocabularies[name] = vocabulary


def search_providers() -> dict[str, SearchProvider]:
    return dict(_providers)


def search(query: str, *, limit: int = 50) -> list[SearchResult]:
    """All providers' results for the query, best first: one SQL statement for all sources
    on PostgreSQL (one query per source on SQLite), one query per provider function."""
    query = normalize_query(query)
    if not parse_query(query):
        return []
    providers = list(_providers.values())
    sources = [provider for provider in providers if isinstance(provider, SearchSource)]
    found = iter(search_sources(sources, query, limit=limit))
    results: list[SearchResult] = []
    for provider in providers:  # in the order of registration, as ties are kept in it
        if isinstance(provider, SearchSource):
            results.extend(next(found))
        else:
            results.extend(provider(query, limit=limit))
    results.sort(key=lambda result: (-result.rank, result.title))
    return results[:limit]


# --- What the search page shows, kept per worker ------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    """What the search page shows for a query: the results and, when there are none, a
    suggestion. Nothing personal and no markup of the page (no CSRF token): the page is
    rendered from it for every request."""

    results: tuple[SearchResult, ...]
    suggestion: str | None = None
    # The result list as HTML, per template and time zone ({% search_result_list %}).
    rendered: dict = field(default_factory=dict, compare=False, repr=False)


# Per worker: the last searches, under the query as normalised, the language (result kinds
# and survey titles are translated) and the content version read from the database on
# every request (``content_version_one_query``: every save of public content and every due
# moment of a scheduled article or event changes it, on every worker and app server).
# The same for every visitor: the providers search public content only, whoever asks, so
# staff and the public share entries (tests/portal/test_search_memo.py). Bounded in entries
# and in characters, so random terms cannot fill a worker's memory.
_page_memo = VersionedMemo(
    "search",
    max_entries=settings.SEARCH_MEMO_ENTRIES,
    seconds=settings.SEARCH_MEMO_SECONDS,
    max_size=settings.SEARCH_MEMO_CHARACTERS,
)


def _size(page: SearchPage) -> int:
    """About the characters a page's results hold (the memo's second bound)."""
    return (
        200
        + sum(100 + len(r.title) + len(r.url) + len(r.snippet) + len(r.kind) for r in page.results)
        + len(page.suggestion or "")
    )


def search_page(query: str, *, version: str) -> SearchPage:
    """The results (and the suggestion) for ``query`` under the content ``version``.

    ``version`` must be read from the database for this request
    (``portal.cache_versions.content_version_one_query``); the results are kept per worker
    under it and computed anew when it changes.
    """
    query = normalize_query(query)
    if not query:
        return SearchPage(results=())
    key = (query, get_language(), connection.alias, version)
    page = _page_memo.get(key)
    if page is None:
        results = tuple(search(query))
        # Only when nothing was found: one more query, over title words (pg_trgm).
        page = SearchPage(results=results, suggestion=None if results else suggest(query))
        _page_memo.set(key, page, size=_size(page))
    return page


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
    closest_words = closest_words_postgres if uses_postgres() else closest_words_python
    closest = closest_words(keys, source=_vocabulary_union())
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
