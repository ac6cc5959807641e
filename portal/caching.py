"""Cache for public pages that look the same to every anonymous visitor.

Use ``@cache_public_page`` on a view (function view, or ``method_decorator`` on
``dispatch``; ``cache_public_page(params=("seite",))`` for pages with query parameters).
The decorator only marks the page as shareable; ``PublicPageCacheMiddleware``, near the top
of ``MIDDLEWARE``, stores the finished response (with the security headers of the middleware
below it) and serves it to the next anonymous visitor before sessions, CSRF, authentication
and the view run. A page is stored under its path and query string together with the global
*content version*, and served only while the content version is still the same.

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

Without the middleware (a project that leaves it out) the decorator caches in the view.
A cache that does not answer (Redis away) only costs speed: pages are rendered as usual.
When the database does not answer, a page already in the cache is served as it is.
"""

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from functools import lru_cache, wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db import utils as db_utils
from django.db.models import DateTimeField, F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime

logger = logging.getLogger(__name__)

# The counter of the content version: a PostgreSQL sequence (portal migration 0006), which
# is raised without taking a lock, or a CacheVersion row on other databases (SQLite).
SEQUENCE = "portal_content_version"
CONTENT = "content"
MAX_PATH_LENGTH = 300
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
    from portal.models import CacheVersion

    return CacheVersion.objects.filter(name=name).values_list("counter", flat=True).first() or 0


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


def _anonymous_get(request) -> bool:
    """A GET or HEAD without session or message cookie: the same page as everyone gets.

    Decided from the cookies alone, so the middleware can answer before the session and the
    user are loaded (no session cookie, no login).
    """
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return len(request.get_full_path()) <= MAX_PATH_LENGTH


@lru_cache(maxsize=4096)
def _cacheable_view(urlconf: str, path_info: str) -> tuple[str, ...] | None:
    """The query parameters of this path's view if it is marked with ``cache_public_page``,
    None when it is not.

    Only those paths are looked up in the cache, so no other request pays for a round trip.
    Bounded, because any path may be requested; the URL configuration is part of the key.
    """
    try:
        func = resolve(path_info, urlconf).func
    except Resolver404:
        return None
    marked = func
    view_class = getattr(func, "view_class", None)
    if view_class is not None:
        marked = view_class if getattr(view_class, "public_page_cache", False) else None
        if marked is None and getattr(view_class.dispatch, "public_page_cache", False):
            marked = view_class.dispatch
    if marked is None or not getattr(marked, "public_page_cache", False):
        return None
    return tuple(getattr(marked, "public_page_params", ()))


def _known_params(request, params: tuple[str, ...]) -> bool:
    # Only known query parameters, each at most once, so random URLs cannot flood the cache
    # (views refuse values that are not canonical with ``not_shareable``).
    return not any(key not in params or len(request.GET.getlist(key)) > 1 for key in request.GET)


def _cacheable_request(request, params: tuple[str, ...]) -> bool:
    if not _anonymous_get(request) or not _known_params(request, params):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _shareable(request, response) -> bool:
    """True when the response is the same for everyone and sets no cookie.

    Cookies for CSRF, session and messages are added by middleware after the view, so the
    request's flags are checked too: a page with a CSRF token must never be shared.
    """
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and getattr(storage, "added_new", False))


def not_shareable(request) -> None:
    """Keep this response out of the page cache, e.g. for a query parameter whose value is
    not one the page offers (``?seite=99999`` shows the last page; ``?thema=unbekannt`` the
    unfiltered list with an error): every such URL would be a cache entry of its own."""
    request._page_cache_shareable = False
    request._page_cache_refused = True


def _page_key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"portal:page:{digest}"


def _cached_page(request):
    """The stored response for this request if it is of the current content version, and
    the content version a page rendered now belongs to (None when it cannot be stored).

    The version is read before the page is rendered, so a change by staff during rendering
    leaves the page stored under the old version, where nobody asks for it. When the
    database does not answer, a stored page is served whatever its version: during an
    outage the last known page is better than the error page.
    """
    key = _page_key(request)
    try:
        version = content_version()
    except db_utils.Error:
        logger.warning("content version unavailable", exc_info=True)
        version = None
    try:
        entry = cache.get(key)
    except Exception:  # the cache is away: render the page
        logger.warning("page cache unavailable", exc_info=True)
        return None, None
    if entry is not None and (version is None or entry[0] == version):
        return entry[1], version
    return None, version


def _store_page(request, response, version) -> None:
    if version is None:
        return
    try:
        cache.set(_page_key(request), (version, response), timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


class PublicPageCacheMiddleware:
    """Answer anonymous GETs of pages marked with ``cache_public_page`` from the cache.

    Place it below SecurityMiddleware and WhiteNoise (the SSL redirect and static files come
    first) and above everything that reads the session, the CSRF cookie or the user. The
    response is stored as it leaves this middleware, so the headers set below it (CSP,
    Permissions-Policy, X-Frame-Options) are stored with it; those set above it are added
    to every answer anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = None
        if _anonymous_get(request):
            params = _cacheable_view(
                getattr(request, "urlconf", None) or settings.ROOT_URLCONF, request.path_info
            )
        candidate = params is not None and _known_params(request, params)
        version = None
        if candidate:
            cached, version = _cached_page(request)
            if cached is not None:
                return cached
        request._page_cache_middleware = True
        response = self.get_response(request)
        if (
            candidate
            and getattr(request, "_page_cache_shareable", False)
            and _shareable(request, response)
        ):
            _store_page(request, response, version)
        return response


def cache_public_page(view=None, *, params: tuple[str, ...] = ()):
    """Mark the view's page as the same for every anonymous visitor (see the module).

    ``@cache_public_page`` caches only URLs without a query string;
    ``@cache_public_page(params=("seite",))`` also those whose query uses only these names.
    """
    if view is None:
        return lambda view: cache_public_page(view, params=params)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request, params):
            return view(request, *args, **kwargs)
        if getattr(request, "_page_cache_middleware", False):
            request._page_cache_shareable = True
            return view(request, *args, **kwargs)
        cached, version = _cached_page(request)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _shareable(request, response) and not getattr(request, "_page_cache_refused", False):
            _store_page(request, response, version)
        return response

    wrapped.public_page_cache = True
    wrapped.public_page_params = params
    return wrapped
