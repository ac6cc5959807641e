"""Full-text matching for any queryset, on PostgreSQL and on SQLite.

On PostgreSQL the match is the full-text operator ``@@`` over a weighted
``to_tsvector('german', …)``, ranked with ``ts_rank``; on SQLite (the zero-setup demo) a
substring match over the text folded in Python (lower case for every alphabet, umlauts
spelled out, tags removed), titles first. ``snippet`` must be safe HTML: ``result_snippet``
highlights with ``portal.search.query.highlight``, which escapes first.
"""

import operator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

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
from django.utils.safestring import SafeString

from portal.search.query import (
    START,
    STOP,
    ParsedQuery,
    Term,
    fold,
    fold_document,
    highlight,
    highlight_terms,
    parse_query,
    spellings,
)

SEARCH_CONFIG = "german"
# ts_rank normalization: 1 divides by 1 + log(length), so long texts that repeat a word do
# not outrank the page about it; 2 divides by the length (for the title bonus).
RANK_NORMALIZATION = 1
TITLE_NORMALIZATION = 2


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: SafeString
    kind: str
    rank: float
    date: datetime | None = None


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
