"""Search sources: what an app makes findable, declared, so that the search over all of them
is one SQL statement on PostgreSQL.

A ``SearchSource`` names the public rows (a queryset), the weighted fields, the snippet
field, the model fields the result is made of and a function from a row to a
``SearchResult``. It is also a provider (``source(query, limit=…)``): on SQLite (the
zero-setup demo) and for a source searched alone, it runs ``fulltext_search`` as every
provider did before.

On PostgreSQL ``search_sources`` searches every registered source in one statement::

    WITH search_q(q) AS (SELECT <the query's tsquery, from four arrays>)
    SELECT 0, b.id, b.rank, b.snippet, b.title, … FROM (<news, best 50>) AS b
    UNION ALL SELECT 1, … FROM (<pages, best 50>) AS b
    …

Each branch is the very queryset the source's provider ran before (match, rank, snippet,
order, limit), compiled by Django once per process, language and limit; the query's
tsquery is built once per statement (``TSQUERY_SQL`` in a common table expression) instead
of once per provider and expression. What changes per search are the four arrays of the
query and the current time where a source's queryset holds it (``published_at <= now``):
the positions of the time among the parameters are found by compiling the queryset twice
(``_branch``); a source whose parameters differ otherwise is compiled for every search.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language

from portal.search.fulltext import (
    SEARCH_CONFIG,
    TSQUERY_SQL,
    SearchResult,
    _postgres_expressions,
    _tsquery_arrays,
    fulltext_search,
)
from portal.search.query import parse_query

_TEXT_FIELDS = (models.CharField, models.TextField)  # SlugField, EmailField are CharFields


@dataclass(frozen=True, eq=False)
class SearchSource:
    """What a provider searched, declared (see the module's docstring).

    ``queryset`` returns the public rows (called once per process on PostgreSQL and per
    search on SQLite: whatever it reads must be in its SQL, the time of day included);
    ``read`` are the model fields ``result`` reads of a row besides ``pk``, ``rank`` and
    ``snippet`` (text and date fields); ``result(row, query)`` makes the ``SearchResult``.
    """

    queryset: Callable[[], QuerySet]
    fields: dict[str, str]
    snippet_field: str
    read: tuple[str, ...]
    result: Callable[[Any, str], SearchResult]
    html_fields: tuple[str, ...] = ()
    stored_vector: str | None = None
    default_limit: int = 50
    # Per process: the branch of the statement per language, database and limit.
    _branches: dict = field(default_factory=dict, repr=False)

    def __call__(self, query: str, *, limit: int | None = None) -> list[SearchResult]:
        """This source alone, one query (as a provider: SQLite, tests)."""
        rows = fulltext_search(
            self.queryset(),
            query,
            fields=self.fields,
            snippet_field=self.snippet_field,
            html_fields=self.html_fields,
            limit=self.default_limit if limit is None else limit,
            stored_vector=self.stored_vector,
        )
        return [self.result(row, query) for row in rows]


# The query's tsquery, computed once per statement (a CTE) and read by every branch.
SHARED_TSQUERY = "(SELECT search_q.q FROM search_q)"


@dataclass(frozen=True)
class _Branch:
    model: type
    field_names: tuple[str, ...]  # pk and ``read``, in the model's order (Model.from_db)
    sql: str  # the provider's queryset: pk, the fields read, rank, snippet; best first
    params: tuple
    pk_sql: str
    text_sql: tuple[str, ...]
    date_sql: tuple[str, ...]
    times: tuple[int, ...]  # positions of the current time in ``params``
    texts: tuple[str, ...]
    dates: tuple[str, ...]


def _columns(model, read: tuple[str, ...]) -> tuple[list[str], list[str], tuple[str, ...]]:
    """The text and the date fields of ``read``, and pk + ``read`` in the model's order."""
    texts, dates = [], []
    for name in read:
        model_field = model._meta.get_field(name)
        if isinstance(model_field, models.DateTimeField):
            dates.append(name)
        elif isinstance(model_field, _TEXT_FIELDS):
            texts.append(name)
        else:
            raise ValueError(f"{model.__name__}.{name}: a search source reads text and dates")
    wanted = {model._meta.pk.attname, *read}
    ordered = tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)
    return texts, dates, ordered


def _compile(source: SearchSource, limit: int) -> tuple[str, list, datetime, datetime]:
    from django.contrib.postgres.search import SearchQueryField

    before = timezone.now()
    queryset = source.queryset()
    after = timezone.now()
    matches, rank, snippet = _postgres_expressions(
        RawSQL(SHARED_TSQUERY, [], output_field=SearchQueryField()),
        fields=source.fields,
        snippet_field=source.snippet_field,
        html_fields=source.html_fields,
        stored_vector=source.stored_vector,
        model=queryset.model,
    )
    texts, dates, _ordered = _columns(queryset.model, source.read)
    pk = queryset.model._meta.pk.attname
    inner = (
        queryset.filter(matches)
        .annotate(rank=rank, snippet=snippet)
        .order_by("-rank", "pk")
        .values(pk, *texts, *dates, "rank", "snippet")[:limit]
    )
    sql, params = inner.query.sql_with_params()
    return sql, list(params), before, after


def _branch(source: SearchSource, limit: int) -> tuple[_Branch, bool]:
    """The source's select for the statement, and whether it may be kept per process."""
    model = source.queryset().model
    texts, dates, ordered = _columns(model, source.read)
    quote = connection.ops.quote_name
    first, first_params, before, after = _compile(source, limit)
    second, second_params, later, latest = _compile(source, limit)
    times, keep = [], first == second and len(first_params) == len(second_params)
    if keep:
        for position, (one, two) in enumerate(zip(first_params, second_params, strict=True)):
            if (
                isinstance(one, datetime)
                and isinstance(two, datetime)
                and before <= one <= after
                and later <= two <= latest
            ):
                # The time of day the queryset was built at (also under a frozen clock,
                # where both compilations read the same moment).
                times.append(position)
            elif one != two:
                keep = False  # something else that changes: built for every search
    branch = _Branch(
        model=model,
        field_names=ordered,
        sql=second,
        params=tuple(second_params),
        pk_sql=f"b.{quote(model._meta.pk.column)}",
        text_sql=tuple(f"b.{quote(model._meta.get_field(n).column)}::text" for n in texts),
        date_sql=tuple(f"b.{quote(model._meta.get_field(n).column)}" for n in dates),
        times=tuple(times),
        texts=tuple(texts),
        dates=tuple(dates),
    )
    return branch, keep


def _cached_branch(source: SearchSource, limit: int) -> _Branch:
    key = (get_language(), connection.alias, limit)
    branch = source._branches.get(key)
    if branch is None:
        branch, keep = _branch(source, limit)
        if keep:
            source._branches[key] = branch
    return branch


def search_sources(
    sources: list[SearchSource], query: str, *, limit: int
) -> list[list[SearchResult]]:
    """Each source's results for ``query`` (as its provider returned them), from one SQL
    statement over all of them (PostgreSQL), or one query per source (SQLite)."""
    parsed = parse_query(query)
    if not parsed or not sources:
        return [[] for _ in sources]
    if connection.vendor != "postgresql":
        return [source(query, limit=limit) for source in sources]
    branches = [_cached_branch(source, limit) for source in sources]
    text_slots = max(len(branch.texts) for branch in branches)
    date_slots = max(len(branch.dates) for branch in branches)
    arrays = _tsquery_arrays(parsed)
    now = timezone.now()
    selects = []
    params: list = [SEARCH_CONFIG, SEARCH_CONFIG, *arrays.values()]
    for index, branch in enumerate(branches):
        columns = [
            str(index),
            branch.pk_sql,
            "b.rank",
            "b.snippet",
            *branch.text_sql,
            *["NULL::text"] * (text_slots - len(branch.texts)),
            *branch.date_sql,
            *["NULL::timestamptz"] * (date_slots - len(branch.dates)),
        ]
        selects.append(f"SELECT {', '.join(columns)} FROM ({branch.sql}) AS b")
        branch_params = list(branch.params)
        for position in branch.times:
            branch_params[position] = now
        params.extend(branch_params)
    sql = (
        f"WITH search_q(q) AS (SELECT {TSQUERY_SQL}) "
        + " UNION ALL ".join(selects)
        + " ORDER BY 1, 3 DESC, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: list[list[SearchResult]] = [[] for _ in sources]
    for source_index, pk, rank, snippet, *values in rows:
        source, branch = sources[source_index], branches[source_index]
        # The row as the provider's queryset made it: the model's fields read, in order.
        by_name = dict(zip(branch.texts, values, strict=False))
        by_name.update(zip(branch.dates, values[text_slots:], strict=False))
        by_name[branch.model._meta.pk.attname] = pk
        row = branch.model.from_db(
            connection.alias, branch.field_names, [by_name[name] for name in branch.field_names]
        )
        row.rank, row.snippet = rank, snippet
        found[source_index].append(source.result(row, query))
    return found
