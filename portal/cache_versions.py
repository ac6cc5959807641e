"""The content version of the public page cache (see ``portal.caching``) and named versions.

The content version lives in the database, not in the cache: without Redis every gunicorn
worker has a cache of its own, and a version kept there would reach one worker only. It has
two parts:

- a counter, which every save or delete of a model listed in
  ``settings.PUBLIC_CONTENT_MODELS`` raises (signals connected in ``PortalConfig.ready``),
  once at the save and once more after the commit, so a page rendered from the old data
  meanwhile is never stored under the new version. Other apps only add their models to that
  setting; code that changes public content without a model save (``QuerySet.update``)
  calls ``bump_content_version()``;
- the next moment at which public content changes by the clock alone (a scheduled article
  appears, an event ends, a survey opens), from the fields apps register with
  ``register_content_time()``. When that moment passes the version changes, so a cached
  page expires exactly then, on every worker, without anyone saving anything. It is
  queried again only when the counter has changed or the moment has passed, so a cached
  hit costs one trivial query (the counter).

``named_version``/``bump_named_version`` keep a version of one cached thing (e.g. the
results of one survey) in the database in the same way.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# The counter of the content version: a PostgreSQL sequence (portal migration 0006), which
# is raised without taking a lock, or a CacheVersion row on other databases (SQLite).
SEQUENCE = "portal_content_version"
CONTENT = "content"
_connected: set[str] = set()
_content_times: list[tuple[str, str, timedelta]] = []
_DATETIME = DateTimeField()


def register_content_time(label: str, field: str, *, after: timedelta = timedelta(0)) -> None:
    """Public pages change when ``field`` (plus ``after``) of any row of the model passes,
    e.g. ``register_content_time("portal.NewsArticle", "published_at")``. Call it in
    ``AppConfig.ready``; every cached page then expires at the next such moment."""
    entry = (label, field, after)
    if entry not in _content_times:
        _content_times.append(entry)
        _due_query.cache_clear()
        _due_memo.clear()


@lru_cache(maxsize=8)
def _counter_query(vendor: str) -> str:
    if vendor == "postgresql":
        return f"SELECT last_value + is_called::int FROM {SEQUENCE}"
    from portal.models import CacheVersion

    table = connection.ops.quote_name(CacheVersion._meta.db_table)
    return f"SELECT (SELECT counter FROM {table} WHERE name = '{CONTENT}')"


@lru_cache(maxsize=8)
def _due_query(vendor: str) -> tuple[str, tuple[timedelta, ...]]:
    """One SELECT of the next future time of every registered field.

    Built once per process; each subquery has one parameter, the moment after which to
    look (now minus ``after``), so it is an index lookup on the field.
    """
    columns, shifts = [], []
    for label, field, after in _content_times:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app that is not installed
        query = (
            model._base_manager.filter(**{f"{field}__gt": timezone.now()})
            .order_by(field)
            .values(field)[:1]
        )
        sql, params = query.query.sql_with_params()
        assert len(params) == 1, (label, field, params)
        columns.append(f"({sql})")
        shifts.append(after)
    return "SELECT " + (", ".join(columns) or "NULL"), tuple(shifts)


def _next_due(now: datetime) -> datetime | None:
    """The next moment after ``now`` at which public content changes by the clock alone."""
    sql, shifts = _due_query(connection.vendor)
    if not shifts:
        return None
    params = [_DATETIME.get_db_prep_value(now - after, connection) for after in shifts]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _earliest(row, shifts)


def _earliest(row, shifts) -> datetime | None:
    moments = []
    for value, after in zip(row, shifts, strict=True):
        if isinstance(value, str):  # SQLite may answer with text
            value = parse_datetime(value)
        if value is None:
            continue
        if timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        moments.append(value + after)
    return min(moments, default=None)


# Per process and database: the next due moment computed for one value of the counter.
# Every change of public content raises the counter (after the commit, too), so while the
# counter stays the same and that moment has not come, the answer is still the same: a
# cached hit then costs one trivial query, the counter.
_due_memo: dict[str, tuple[int, datetime | None]] = {}


def content_version() -> str:
    """The version every cached public page is stored under (see the module).

    One query (two when the counter has changed or a due moment has passed). Raises the
    database's error when the database does not answer.
    """
    with connection.cursor() as cursor:
        cursor.execute(_counter_query(connection.vendor))
        counter = cursor.fetchone()[0] or 0
    now = timezone.now()
    memo = _due_memo.get(connection.alias)
    if memo is None or memo[0] != counter or (memo[1] is not None and now >= memo[1]):
        memo = (counter, _next_due(now))
        _due_memo[connection.alias] = memo
    due = memo[1]
    # The same on every worker until the counter changes or that moment passes.
    return f"{counter}:{due.isoformat() if due else ''}"


def content_version_one_query() -> str:
    """``content_version()`` in exactly one query: the counter and the next due moment read
    together (a few index lookups more than the counter alone). For a page that keeps a
    computed value under the version and must not spend a second query after each change
    (the search, ``portal.search.search_page``). Also refreshes the due memo."""
    due_sql, shifts = _due_query(connection.vendor)
    now = timezone.now()
    params = [_DATETIME.get_db_prep_value(now - after, connection) for after in shifts]
    columns = f"({_counter_query(connection.vendor)})"
    if shifts:
        columns += ", " + due_sql.removeprefix("SELECT ")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", params)
        row = cursor.fetchone()
    counter = row[0] or 0
    due = _earliest(row[1:], shifts)
    _due_memo[connection.alias] = (counter, due)
    return f"{counter}:{due.isoformat() if due else ''}"


def forget_due_memo() -> None:
    """For tests: the next content_version() computes the due moment anew."""
    _due_memo.clear()


def _raise_counter() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])
        return
    bump_named_version(CONTENT)


def bump_content_version(**kwargs) -> None:
    """Invalidate every cached public page (signal receiver, also callable directly).

    Raised at once and, inside a transaction, once more after the commit: a visitor whose
    page was rendered from the old data between the two would otherwise have stored it
    under the new version.
    """
    _raise_counter()
    if connection.in_atomic_block and not any(
        func is _raise_counter for _, func, _ in connection.run_on_commit
    ):
        transaction.on_commit(_raise_counter)


def named_version(name: str) -> int:
    """A version of one cached thing (e.g. the results of one survey), read from the
    database so every app server agrees; 0 before the first bump."""
    with connection.cursor() as cursor:
        cursor.execute(_named_version_query(connection.vendor), [name])
        row = cursor.fetchone()
    return (row[0] if row else 0) or 0


@lru_cache(maxsize=8)
def _named_version_query(vendor: str) -> str:
    """The SQL of ``named_version``, built once per process: the municipality, topic and
    results pages ask it once per survey on every render, and building the same ORM query
    each time cost more than running it."""
    from portal.models import CacheVersion

    query = CacheVersion.objects.filter(name="").order_by("pk").values_list("counter")[:1]
    sql, params = query.query.sql_with_params()
    assert params == ("",), params
    return sql


def bump_named_version(name: str) -> None:
    """Raise ``named_version(name)``; part of the transaction, so it becomes visible
    together with the change that made it necessary."""
    from portal.models import CacheVersion

    if CacheVersion.objects.filter(name=name).update(counter=F("counter") + 1):
        return
    _, created = CacheVersion.objects.get_or_create(name=name, defaults={"counter": 1})
    if not created:  # created by someone else meanwhile: still count this change
        CacheVersion.objects.filter(name=name).update(counter=F("counter") + 1)


def _bump_after_m2m_change(*, action: str, **kwargs) -> None:
    # m2m_changed fires before and after each add, remove and clear; a relation saved by
    # the admin (``set()``) sends up to six signals. Only a finished change needs a bump.
    if action.startswith("post_"):
        bump_content_version()


def connect_invalidation() -> None:
    """Connect bump_content_version to saves and deletes of PUBLIC_CONTENT_MODELS."""
    for label in getattr(settings, "PUBLIC_CONTENT_MODELS", []):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app that is not installed
        if label in _connected:
            continue
        _connected.add(label)
        uid = f"portal-cache-{label}"
        post_save.connect(bump_content_version, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=uid + "-delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _bump_after_m2m_change,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-m2m-{field.name}",
            )
