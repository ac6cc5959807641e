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
