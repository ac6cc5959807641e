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
from django.utils.translation import get_language

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


def _tsquery_reference(parsed: ParsedQuery) -> RawSQL:
    """The query as one tsquery: AND of the groups, OR of each term's spellings, written
    out term by term (its SQL differs with every query). The reference for ``_tsquery``,
    which the tests compare it with."""
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


# The same tsquery as ``_tsquery_reference`` from four arrays (each spelling, whether it is
# a phrase, its group, whether the group is excluded), so the SQL text is the same for
# every query and the provider's SQL can be built once (``_compiled``). Each spelling is
# parsed by ``plainto_tsquery``/``phraseto_tsquery`` as before, so nothing the visitor
# types is tsquery syntax; their canonical text is joined with the operators and read
# back: OR within a group, AND between the groups, NOT for each excluded spelling. A
# spelling of stop words only is empty and dropped, as ``||`` and ``&&`` drop it.
TSQUERY_SQL = (
    "(SELECT coalesce(string_agg(g.clause, ' & ' ORDER BY g.grp), '')::tsquery FROM ("
    "SELECT t.grp, CASE WHEN bool_or(t.neg) THEN '!(' ELSE '(' END"
    " || string_agg('(' || t.q || ')', ' | ' ORDER BY t.n) || ')' AS clause"
    " FROM (SELECT u.n, u.grp, u.neg, (CASE WHEN u.phrase"
    " THEN phraseto_tsquery(%s::regconfig, u.form)"
    " ELSE plainto_tsquery(%s::regconfig, u.form) END)::text AS q"
    " FROM unnest(%s::text[], %s::boolean[], %s::integer[], %s::boolean[])"
    " WITH ORDINALITY AS u(form, phrase, grp, neg, n)) AS t"
    " WHERE t.q <> '' GROUP BY t.grp) AS g)"
)


class _Slot:
    """Stands for one of the query's arrays in SQL built once (see ``_compiled``)."""

    def __init__(self, name: str):
        self.name = name


SLOTS = tuple(_Slot(name) for name in ("forms", "phrases", "groups", "excluded"))


def _tsquery_arrays(parsed: ParsedQuery) -> dict[_Slot, list]:
    forms, phrases, groups, excluded = [], [], [], []
    number = 0
    for group in parsed.groups:
        for term in group:
            for form in spellings(term.text):
                forms.append(form)
                phrases.append(term.phrase)
                groups.append(number)
                excluded.append(False)
        number += 1
    for term in parsed.excluded:
        for form in spellings(term.text):  # every spelling excluded on its own
            forms.append(form)
            phrases.append(term.phrase)
            groups.append(number)
            excluded.append(True)
            number += 1
    return dict(zip(SLOTS, (forms, phrases, groups, excluded), strict=True))


def _tsquery() -> RawSQL:
    from django.contrib.postgres.search import SearchQueryField

    return RawSQL(
        TSQUERY_SQL, [SEARCH_CONFIG, SEARCH_CONFIG, *SLOTS], output_field=SearchQueryField()
    )


def fulltext_search(
    queryset: QuerySet,
    query: str,
    *,
    fields: dict[str, str],
    snippet_field: str,
    html_fields: tuple[str, ...] = (),
    limit: int = 50,
    stored_vector: str | None = None,
) -> QuerySet:
    """Rows of ``queryset`` that match ``query``, best first, with ``rank`` and ``snippet``.

    ``fields`` maps field (or annotation) names to weights ("A" title … "D" body); the first
    "A" field is the title. ``html_fields`` are stripped of tags before indexing. On
    PostgreSQL the snippet has the matches marked; call ``result_snippet`` on each row.
    ``stored_vector`` names a column (PostgreSQL) that holds exactly the weighted vector of
    ``fields``, kept by the database (e.g. a generated column: portal migration 0015).
    """
    parsed = parse_query(query)
    if not parsed:
        return queryset.none()
    if uses_postgres():
        return _postgres_search(
            queryset,
            parsed,
            fields=fields,
            snippet_field=snippet_field,
            html_fields=html_fields,
            stored_vector=stored_vector,
        )[:limit]
    return _sqlite_search(queryset, parsed, fields=fields, snippet_field=snippet_field)[:limit]


def _title_field(fields: dict[str, str]) -> str:
    return next((name for name, weight in fields.items() if weight == "A"), next(iter(fields)))


def _postgres_expressions(
    search_query, *, fields, snippet_field, html_fields, stored_vector=None, model=None
):
    """The match, the rank and the snippet of a search, as Django expressions."""
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchRank,
        SearchVector,
        SearchVectorField,
    )

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
    if stored_vector:
        # The same vector, kept by PostgreSQL in a generated column (not a model field).
        quote = connection.ops.quote_name
        vector = RawSQL(
            f"{quote(model._meta.db_table)}.{quote(stored_vector)}",
            [],
            output_field=SearchVectorField(),
        )
    title = SearchVector(column(_title_field(fields)), weight="A", config=SEARCH_CONFIG)
    # Match with @@ (a document without the words is not a result however it ranks;
    # ts_rank gives non-matches a tiny positive rank, so "rank > 0" kept everything).
    matches = Func(
        vector,
        search_query,
        template="%(expressions)s",
        arg_joiner=" @@ ",
        output_field=BooleanField(),
    )
    # How well the whole text matches, plus how much of the title the query is (ts_rank
    # divided by the title's length): "Mügeln" puts the page of Mügeln before
    # "Kommunalforum Mügeln", the survey before news that mention it.
    rank = SearchRank(vector, search_query, normalization=Value(RANK_NORMALIZATION)) + SearchRank(
        title, search_query, normalization=Value(TITLE_NORMALIZATION)
    )
    snippet = SearchHeadline(
        column(snippet_field),
        search_query,
        config=SEARCH_CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=35,
        min_words=15,
    )
    return matches, rank, snippet


def _postgres_search_reference(queryset, parsed, *, fields, snippet_field, html_fields):
    """The search built from Django expressions on every call (what ``_postgres_search``
    did before it kept the SQL; the tests compare the two)."""
    matches, rank, snippet = _postgres_expressions(
        _tsquery_reference(parsed),
        fields=fields,
        snippet_field=snippet_field,
        html_fields=html_fields,
    )
    return queryset.filter(matches).annotate(rank=rank, snippet=snippet).order_by("-rank", "pk")


# Per process: the SQL of match, rank and snippet for one kind of search (model, fields,
# the names of the queryset's annotations, language). Compiling the nested SearchVector
# expressions costs a few milliseconds per provider and search; their SQL is the same
# every time but for the query's arrays (``_Slot``).
_compiled_sql: dict[tuple, tuple[tuple[str, tuple], ...]] = {}


def _compiled(
    queryset, *, fields, snippet_field, html_fields, stored_vector
) -> tuple[tuple[str, tuple], ...]:
    key = (
        queryset.model._meta.label,
        tuple(fields.items()),
        snippet_field,
        tuple(html_fields),
        stored_vector,
        tuple(queryset.query.annotations),
        get_language(),
        connection.alias,
    )
    found = _compiled_sql.get(key)
    if found is None:
        query = queryset.query.chain()
        compiler = query.get_compiler(connection=connection)
        found = tuple(
            (sql, tuple(params))
            for sql, params in (
                compiler.compile(expression.resolve_expression(query, allow_joins=False))
                for expression in _postgres_expressions(
                    _tsquery(),
                    fields=fields,
                    snippet_field=snippet_field,
                    html_fields=html_fields,
                    stored_vector=stored_vector,
                    model=queryset.model,
                )
            )
        )
        _compiled_sql[key] = found
    return found


def _postgres_search(queryset, parsed, *, fields, snippet_field, html_fields, stored_vector):
    """One query: the rows that match, with ``rank`` and ``snippet``, best first.

    The fields may be columns of the model or annotations of ``queryset`` whose SQL depends
    on nothing but the language (the SQL is kept per process, see ``_compiled``).
    """
    arrays = _tsquery_arrays(parsed)
    (match_sql, match_params), (rank_sql, rank_params), (snippet_sql, snippet_params) = _compiled(
        queryset,
        fields=fields,
        snippet_field=snippet_field,
        html_fields=html_fields,
        stored_vector=stored_vector,
    )

    def filled(params):
        return [arrays[p] if isinstance(p, _Slot) else p for p in params]

    return (
        queryset.filter(RawSQL(match_sql, filled(match_params), output_field=BooleanField()))
        .annotate(
            rank=RawSQL(rank_sql, filled(rank_params), output_field=FloatField()),
            snippet=RawSQL(snippet_sql, filled(snippet_params), output_field=TextField()),
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
    return [row_result(row, query, kind=kind, title=title, date=date) for row in rows]


def row_result(
    row, query: str, *, kind: str, title: str = "title", date: str | None = None
) -> SearchResult:
    """The ``SearchResult`` of one row (``search_results``)."""
    return SearchResult(
        title=getattr(row, title),
        url=row.get_absolute_url(),
        snippet=result_snippet(row, query),
        kind=str(kind),
        rank=float(row.rank),
        date=getattr(row, date) if date else None,
    )
