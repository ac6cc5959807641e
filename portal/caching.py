"""Cache for public pages that look the same to every anonymous visitor.

Use ``@cache_public_page`` on a view (function view, or ``method_decorator`` on
``dispatch``; ``cache_public_page(params=("seite",))`` for pages with query parameters).
The decorator only marks the page as shareable; ``PublicPageCacheMiddleware``, near the top
of ``MIDDLEWARE``, stores the finished response (with the security headers of the middleware
below it) and serves it to the next anonymous visitor before sessions, CSRF, authentication
and the view run. A page is stored only from a request without session cookie; it is
served also to a visitor whose session carries nothing a public page shows (a citizen in
the middle of the survey), but never to a logged-in user nor with a message pending
(``_personal_session``). A page is stored under its path and query string together with the global
*content version* (``portal.cache_versions``), and served only while the content version is
still the same.

Without the middleware (a project that leaves it out) the decorator caches in the view.
A cache that does not answer (Redis away) only costs speed: pages are rendered as usual.
When the database does not answer, a page already in the cache is served as it is.
"""

import hashlib
import logging
import pickle
import re
from functools import lru_cache, wraps
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import connection
from django.db import utils as db_utils
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response

from portal import compression

# The versions are used by the apps under this module's name, too.
from portal.cache_versions import (
    bump_content_version,
    bump_named_version,
    connect_invalidation,
    content_version,
    forget_due_memo,
    named_version,
    register_content_time,
)

__all__ = [
    "PublicPageCacheMiddleware",
    "bump_content_version",
    "bump_named_version",
    "cache_public_page",
    "connect_invalidation",
    "content_version",
    "forget_due_memo",
    "named_version",
    "not_shareable",
    "register_content_time",
]

logger = logging.getLogger(__name__)

MAX_PATH_LENGTH = 300

# What Django's session engines write as a session key (32 of [a-z0-9]); any other cookie
# value names no session, and the session middleware starts an empty one for it.
SESSION_KEY_FORMAT = re.compile(r"[a-z0-9]{8,64}")
# Session entries that change what a public page shows: the login (name, staff links,
# previews) and messages kept in the session (``SessionStorage``) that the next page shows.
PERSONAL_SESSION_KEYS = (AUTH_SESSION_KEY, "_messages")


def _servable_get(request) -> bool:
    """A GET or HEAD without message cookie (a pending message is shown on the next page):
    one the cache may answer, once the session (if any) turned out to be not personal."""
    if request.method not in ("GET", "HEAD") or "messages" in request.COOKIES:
        return False
    return len(request.get_full_path()) <= MAX_PATH_LENGTH


def _anonymous_get(request) -> bool:
    """A GET or HEAD without session or message cookie: the same page as everyone gets,
    the only kind whose rendered page is stored.

    Decided from the cookies alone, so the middleware can answer before the session and the
    user are loaded (no session cookie, no login).
    """
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and _servable_get(request)


@lru_cache(maxsize=8)
def _session_store_class(engine: str):
    return import_module(engine).SessionStore


def _session_cache_key(session_key: str) -> str | None:
    """The key under which the session engine keeps this session in the page cache's cache
    (``cached_db`` or ``cache`` with ``SESSION_CACHE_ALIAS`` = default), so it is read in the
    same round trip as the page; None for other engines."""
    store = _session_store_class(settings.SESSION_ENGINE)
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix is None or settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:
        return None
    return prefix + session_key


def _personal_session(session_key: str, fetched: dict, cache_key: str | None) -> bool:
    """Whether the session behind this cookie may change a public page (a login or a
    message), so the page must be rendered.

    The session comes from the cache round trip that fetched the page when the engine keeps
    it there; otherwise (or when it is not in the cache) it is loaded as the session
    middleware would (``cached_db``: one query, and the cache is filled again). A cookie
    value no engine ever writes names no session (``_cached_page`` treats the visitor as
    anonymous without asking the engine). Anything that
    goes wrong counts as personal: the page is then rendered as usual.
    """
    data = fetched.get(cache_key) if cache_key is not None else None
    if data is None:
        try:
            data = _session_store_class(settings.SESSION_ENGINE)(session_key).load()
        except Exception:
            logger.warning("session unavailable", exc_info=True)
            return True
    if not isinstance(data, dict):
        return True
    return any(key in data for key in PERSONAL_SESSION_KEYS)


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


def _page_key(request, encoding: str = "") -> str:
    """One entry per scheme, path with query and content coding ("", "br", "gzip").

    The scheme is part of it because SecurityMiddleware adds HSTS to HTTPS answers only."""
    digest = hashlib.sha256(
        f"{request.scheme}:{request.get_full_path()}".encode(), usedforsecurity=False
    ).hexdigest()
    return f"portal:page:{digest}:{encoding}"


def _checked_content_version() -> str:
    """``content_version()``, its query doubling as the connection's health check.

    With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every
    request on a persistent connection: a second round trip to PostgreSQL for each cache
    hit. Here the version's own query is that check: when the connection turns out to be
    broken it is closed and the query is sent once more on a new one, which is what the
    health check would have done.
    """
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
    ):
        return content_version()
    connection.health_check_done = True
    try:
        return content_version()
    except db_utils.Error:
        connection.close()
        return content_version()


def _cached_page(request, encoding: str = "", session_key: str | None = None):
    """The stored response for this request (in this content coding) if it is of the
    current content version, and the content version a page rendered now belongs to (None
    when it cannot be stored).

    With ``session_key`` (the visitor holds a session cookie) the stored page is returned
    only when the session is not personal (``_personal_session``); the session is fetched
    in the same cache round trip as the page where its engine keeps it there.

    The version is read before the page is rendered, so a change by staff during rendering
    leaves the page stored under the old version, where nobody asks for it. When the
    database does not answer, a stored page is served whatever its version: during an
    outage the last known page is better than the error page.
    """
    key = _page_key(request, encoding)
    try:
        version = _checked_content_version()
    except db_utils.Error:
        logger.warning("content version unavailable", exc_info=True)
        version = None
    if session_key is not None and not SESSION_KEY_FORMAT.fullmatch(session_key):
        session_key = None  # names no session: the session middleware starts an empty one
    session_cache_key = _session_cache_key(session_key) if session_key is not None else None
    try:
        if session_cache_key is None:
            fetched = {key: cache.get(key)}
        else:
            fetched = cache.get_many([key, session_cache_key])
    except Exception:  # the cache is away: render the page
        logger.warning("page cache unavailable", exc_info=True)
        return None, None
    entry = fetched.get(key)
    if entry is None or (version is not None and entry[0] != version):
        return None, version
    if session_key is not None and _personal_session(session_key, fetched, session_cache_key):
        return None, version
    return entry[1], version


def _store_page(request, response, version) -> None:
    if version is None:
        return
    try:
        cache.set(_page_key(request), (version, response), timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


def _encoded_copies(request, response) -> dict[str, HttpResponse]:
    """The response in every content coding, each complete with its headers: compressed
    here once, so a hit only picks the stored bytes (``portal.compression``).

    All carry the same weak ETag (the same content) and ``Vary: Accept-Encoding``."""
    body = response.content
    etag = 'W/"' + hashlib.sha256(body, usedforsecurity=False).hexdigest()[:32] + '"'
    copies = {}
    encodings = compression.ENCODINGS if compression.compressible(request, response) else ()
    for encoding in ("", *encodings):
        copy = pickle.loads(pickle.dumps(response, pickle.HIGHEST_PROTOCOL))
        copy["ETag"] = etag
        compression.set_encoded(
            copy, encoding, compression.compress(body, encoding, stored=True) if encoding else body
        )
        copies[encoding] = copy
    if not encodings:  # too short or not text: the same bytes for every coding
        copies.update(dict.fromkeys(compression.ENCODINGS, copies[""]))
    return copies


def _store_encoded(request, copies: dict[str, HttpResponse], version) -> None:
    if version is None:
        return
    try:
        cache.set_many(
            {_page_key(request, encoding): (version, copy) for encoding, copy in copies.items()},
            timeout=settings.PAGE_CACHE_SECONDS,
        )
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


def _conditional(request, response):
    """304 for a conditional GET whose ETag still matches, else the response itself."""
    if "HTTP_IF_NONE_MATCH" not in request.META:
        return response
    return get_conditional_response(request, etag=response.get("ETag"), response=response)


def _needs_redirect(request) -> bool:
    # SecurityMiddleware (below) redirects plain HTTP to HTTPS; a hit must not skip that.
    return settings.SECURE_SSL_REDIRECT and not request.is_secure()


class PublicPageCacheMiddleware:
    """Answer anonymous GETs of pages marked with ``cache_public_page`` from the cache.

    Place it right after the request log and the compression, above everything else: a hit
    costs the content version (one query) and one cache round trip for the page in the
    content coding the browser accepts, stored compressed, with every header (with a
    session cookie the session is read in the same round trip; a login or a message in it
    renders the page). Pages are stored only from requests without session cookie. The SSL
    redirect is left to SecurityMiddleware (no lookup for plain HTTP when it redirects);
    static files never resolve to a marked view. The response is stored as it leaves this
    middleware, so the headers set below it (security headers, CSP, Permissions-Policy,
    X-Frame-Options) are stored with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = None
        if _servable_get(request) and not _needs_redirect(request):
            params = _cacheable_view(
                getattr(request, "urlconf", None) or settings.ROOT_URLCONF, request.path_info
            )
        candidate = params is not None and (
            not request.META.get("QUERY_STRING") or _known_params(request, params)
        )
        version = None
        if candidate:
            encoding = compression.request_encoding(request)
            session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            cached, version = _cached_page(request, encoding, session_key)
            if cached is not None:
                return _conditional(request, cached)
            # Read already: the menus are kept under it, too (portal.selectors.site_menus).
            request._content_version = version
        request._page_cache_middleware = True
        response = self.get_response(request)
        if (
            candidate
            and _anonymous_get(request)  # never a page rendered for a session holder
            and getattr(request, "_page_cache_shareable", False)
            and _shareable(request, response)
            and not isinstance(caches[DEFAULT_CACHE_ALIAS], DummyCache)  # stores nothing
        ):
            copies = _encoded_copies(request, response)
            _store_encoded(request, copies, version)
            return _conditional(request, copies[encoding])
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
