"""Site search: a registry of search providers and the portal's own providers.

The portal imports no other app, so every app contributes its results through a provider
registered in its ``AppConfig.ready``::

    from portal.search import SearchResult, register_search_provider, fulltext_search

    def search_events(query: str, *, limit: int) -> list[SearchResult]: ...

    register_search_provider("events", search_events)

A provider takes the (already trimmed, non-empty) query and a limit and returns
``SearchResult`` objects; ``fulltext_search`` does the PostgreSQL work (German stemming,
ranking, highlighted snippet) for any queryset, with an ``icontains`` fallback on SQLite.
``snippet`` must be safe HTML: ``highlight()`` escapes first and only then marks the terms.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import unescape

from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = "german"
# Markers PostgreSQL puts around matches; never present in staff text, survive escaping.
START, STOP = "\u0002", "\u0003"


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: SafeString
    kind: str
    rank: float
    date: datetime | None = None


SearchProvider = Callable[..., list[SearchResult]]
_providers: dict[str, SearchProvider] = {}


def register_search_provider(name: str, provider: SearchProvider) -> None:
    """Add (or replace) the provider for ``name``; call it from ``AppConfig.ready``."""
    _providers[name] = provider


def search_providers() -> dict[str, SearchProvider]:
    return dict(_providers)


def normalize_query(raw: str | None) -> str:
    """Whitespace collapsed, control characters dropped, cut to a sane length."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def search(query: str, *, limit: int = 50) -> list[SearchResult]:
    """All providers' results for the query, best first."""
    query = normalize_query(query)
    if not query:
        return []
    results: list[SearchResult] = []
    for provider in _providers.values():
        results.extend(provider(query, limit=limit))
    results.sort(key=lambda result: (-result.rank, result.title))
    return results[:limit]


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


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


def fulltext_search(
    queryset: QuerySet,
    query: str,
    *,
    fields: dict[str, str],
    snippet_field: str,
    html_fields: tuple[str, ...] = (),
    limit: int = 50,
) -> QuerySet:
    """Rank ``queryset`` against ``query``; rows get ``rank`` and ``snippet`` (marked text).

    ``fields`` maps field names to weights ("A" title … "D" body); ``html_fields`` are
    stripped of tags before indexing. On SQLite every word must occur (icontains) and the
    snippet is the plain field; call ``highlight`` on ``snippet`` either way.
    """
    if uses_postgres():
        from django.contrib.postgres.search import (
            SearchHeadline,
            SearchQuery,
            SearchRank,
            SearchVector,
        )

        def column(name):
            if name in html_fields:
                return _plain(F(name))
            return Cast(F(name), output_field=TextField())

        vector = None
        for name, weight in fields.items():
            part = SearchVector(column(name), weight=weight, config=SEARCH_CONFIG)
            vector = part if vector is None else vector + part
        search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return (
            queryset.annotate(rank=SearchRank(vector, search_query))
            .filter(rank__gt=0)
            .annotate(
                snippet=SearchHeadline(
                    column(snippet_field),
                    search_query,
                    config=SEARCH_CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=35,
                    min_words=15,
                )
            )
            .order_by("-rank")[:limit]
        )
    condition = Q()
    for word in query.split()[:10]:
        word_condition = Q()
        for name in fields:
            word_condition |= Q(**{f"{name}__icontains": word})
        condition &= word_condition
    return (
        queryset.filter(condition)
        .annotate(rank=Value(0.1), snippet=F(snippet_field))
        .order_by("pk")[:limit]
    )


def result_snippet(row, query: str) -> SafeString:
    """The highlighted snippet of a row that ``fulltext_search`` returned."""
    if uses_postgres():
        return highlight(row.snippet or "")
    return highlight(row.snippet or "", terms=query.split()[:10], length=240)


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
    return [
        SearchResult(
            title=row.title,
            url=row.get_absolute_url(),
            snippet=result_snippet(row, query),
            kind=str(_("Page")),
            rank=float(row.rank),
        )
        for row in rows
    ]


def _municipality_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import Municipality

    rows = fulltext_search(
        Municipality.objects.all(),
        query,
        fields={"name": "A", "districts": "B", "portrait": "C", "head_name": "C"},
        snippet_field="portrait",
        limit=limit,
    )
    return [
        SearchResult(
            title=row.name,
            url=row.get_absolute_url(),
            snippet=result_snippet(row, query),
            kind=str(_("Municipality")),
            rank=float(row.rank),
        )
        for row in rows
    ]


def register_portal_providers() -> None:
    register_search_provider("portal.news", _news_provider)
    register_search_provider("portal.pages", _page_provider)
    register_search_provider("portal.municipalities", _municipality_provider)
