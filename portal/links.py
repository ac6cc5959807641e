"""``reverse()`` for the addresses of objects, remembered per process.

A list page links to every item it shows (``get_absolute_url``), often twice (the home
page: the map and the tiles of the seven municipalities); Django's ``reverse()`` builds
each address anew (about 40 µs). The URL configuration does not change while a process
runs, so the address of a view name and its arguments is computed once. The key holds the
URL configuration and the script prefix (an app served below a path), so a different
setting never gets another's address. Bounded: slugs come from the database, not from
requests, but there may be many.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=4096)
def _reverse(prefix: str, urlconf: str, viewname: str, kwargs: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))


def reverse_cached(viewname: str, **kwargs: str | int) -> str:
    """``reverse(viewname, kwargs=kwargs)``; raises ``NoReverseMatch`` like it (nothing is
    remembered then)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(get_script_prefix(), urlconf, viewname, tuple(sorted(kwargs.items())))
