"""Per-process memory for values computed from versioned data.

A page that is not served from the page cache (a visitor with a session cookie, staff, the
first visitor after a change, every search) still needs parts that change far less often
than it is requested: a survey's results summary, the menus. ``VersionedMemo`` keeps such a
value in the worker's memory under a key that contains the version of the data it was
computed from. The version is read from the database on each request (one trivial query,
``portal.cache_versions``), never from the memo itself, so a change by staff shows on the
next request on every worker and app server, with or without a shared cache, and also with
``DJANGO_CACHE_URL=dummy://``.

Bounded (least recently used entries go first) and with a time limit like the cache entries
it sits in front of, so memory stays small whatever is requested.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

_MEMOS: list[VersionedMemo] = []


class VersionedMemo:
    def __init__(self, name: str, *, max_entries: int, seconds: float, max_size: int | None = None):
        self.name = name
        self.max_entries = max_entries
        self.seconds = seconds
        # Optional second bound: the sum of the sizes given to ``set`` (e.g. characters).
        self.max_size = max_size
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[float, Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        _MEMOS.append(self)

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                self.size -= entry[2]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key: Hashable, value: Any, *, size: int = 0) -> None:
        """Keep ``value``; ``size`` counts against ``max_size`` (a bigger value is not kept)."""
        if self.max_entries <= 0 or (self.max_size is not None and size > self.max_size):
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[2]
            self._entries[key] = (time.monotonic() + self.seconds, value, size)
            self.size += size
            while len(self._entries) > self.max_entries or (
                self.max_size is not None and self.size > self.max_size
            ):
                self.size -= self._entries.popitem(last=False)[1][2]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = compute()
            self.set(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


def forget_memos() -> None:
    """For tests: a rolled-back test leaves the versions where they were, with other data."""
    for memo in _MEMOS:
        memo.clear()


# --- Parts of public pages under the content version ------------------------------------
# What several pages show and what is costly to build (the next events, the latest news,
# the municipality tiles, a news card), kept per worker under the content version the page
# cache middleware read for this request (``request._content_version``, from the database:
# ``portal.cache_versions``), the language and the part's own key. Only public data and
# HTML that is the same for every visitor go in here: never a CSRF token, a user, messages,
# staff links or the survey test mode. A request without a version read (not a cacheable
# page, or the database did not answer) computes the part and keeps nothing, so no query
# is added; so does a signed-in user (staff). Bounded: a few hundred parts of a few KB each.
# The size bound counts the characters of kept HTML: a results page's body is 60–80 KB.
_content_parts = VersionedMemo("content-parts", max_entries=512, seconds=3600, max_size=8_000_000)


def _signed_in(request) -> bool:
    # Staff always get what is in the database now (also after a change that raised no
    # version), and nothing rendered for them is kept for others: as the page cache does
    # (portal.caching._personal_session), a login in the session counts, valid or not.
    from django.contrib.auth import SESSION_KEY

    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def remember_part(request, key: tuple, compute: Callable[[], Any]) -> Any:
    """The value of ``compute()`` for ``key`` under this request's content version and
    language, computed once per worker and version (``None`` is a value like any other)."""
    from django.db import connection
    from django.utils import timezone
    from django.utils.translation import get_language

    version = getattr(request, "_content_version", None)
    if version is None or _signed_in(request):
        return compute()
    full_key = (
        connection.alias,
        version,
        get_language(),
        timezone.get_current_timezone_name(),
        *key,
    )
    entry = _content_parts.get(full_key)
    if entry is None:
        value = compute()
        _content_parts.set(full_key, (value,), size=len(value) if isinstance(value, str) else 0)
        return value
    return entry[0]


def read_content_version(request) -> None:
    """Read the content version for a page the page cache does not look up (a page with a
    form: one query; the menus then use it instead of their own, so the page's query count
    stays the same) and keep it on the request for ``remember_part``. Not for signed-in
    users: nothing is kept for them."""
    from portal.cache_versions import content_version_one_query

    if getattr(request, "_content_version", None) is None and not _signed_in(request):
        request._content_version = content_version_one_query()
