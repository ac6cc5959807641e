"""Cache for public pages that look the same to every anonymous visitor.

Use ``@cache_public_page`` on a view (function view, or ``method_decorator`` on
``dispatch``; ``cache_public_page(params=("seite",))`` for pages with query parameters).
A response is cached under the request's path and query string plus a global
*content version*. Saving or deleting any model listed in ``settings.PUBLIC_CONTENT_MODELS``
bumps that version (signals connected in ``PortalConfig.ready``), so every cached page is
stale at once and a change by staff shows immediately. Other apps only add their models to
that setting; code that changes public content without a model save (e.g. ``QuerySet.update``)
calls ``bump_content_version()``.
"""

import hashlib
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "portal:content-version"
_connected: set[str] = set()


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump_content_version(**kwargs) -> None:
    """Invalidate every cached public page (signal receiver, also callable directly)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


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
                bump_content_version,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-m2m-{field.name}",
            )


def _cacheable_request(request, params: tuple[str, ...]) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    # Only known query parameters with short values, so random URLs cannot flood the cache.
    if any(key not in params for key in request.GET) or len(request.get_full_path()) > 300:
        return False
    # Staff (preview, admin links) and visitors with a pending message get a fresh page.
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
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


def _cache_key(request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"portal:page:{content_version()}:{digest}"


def cache_public_page(view=None, *, params: tuple[str, ...] = ()):
    """Serve the view from the cache for anonymous GETs; store 200s that set no cookie.

    ``@cache_public_page`` caches only URLs without a query string;
    ``@cache_public_page(params=("seite",))`` also those whose query uses only these names.
    """
    if view is None:
        return lambda view: cache_public_page(view, params=params)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request, params):
            return view(request, *args, **kwargs)
        key = _cache_key(request)
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _shareable(request, response):
            cache.set(key, response, timeout=settings.PAGE_CACHE_SECONDS)
        return response

    return wrapped
