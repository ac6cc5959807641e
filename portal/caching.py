"""Cache for public pages that look the same to every anonymous visitor.

Use ``@cache_public_page`` on a view (function view, or ``method_decorator`` on
``dispatch``; ``cache_public_page(params=("seite",))`` for pages with query parameters).
The decorator only marks the page as shareable; ``PublicPageCacheMiddleware``, near the top
of ``MIDDLEWARE``, stores the finished response (with the security headers of the middleware
below it) and serves it to the next anonymous visitor before sessions, CSRF, authentication
and the view run. A page is stored under its path and query string together with the global
*content version* (``portal.cache_versions``), and served only while the content version is
still the same.

Without the middleware (a project that leaves it out) the decorator caches in the view.
A cache that does not answer (Redis away) only costs speed: pages are rendered as usual.
When the database does not answer, a page already in the cache is served as it is.
"""

import hashlib
import logging
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import utils as db_utils
from django.urls import Resolver404, resolve

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
            # Read already: the menus are kept under it, too (portal.selectors.site_menus).
            request._content_version = version
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
