"""Rate limits count every submission of a client, whichever worker takes it.

Without DJANGO_CACHE_URL each gunicorn worker has a cache of its own; counted there, a
limit of 5 let a client send 5 per worker. "Another worker" below is a separate
LocMemCache, exactly as another process's would be.
"""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.utils import timezone

from portal.spam import rate_limited

pytestmark = pytest.mark.django_db


def test_a_limit_holds_across_workers(rf):
    request = rf.post("/kontakt/", REMOTE_ADDR="203.0.113.7")
    results = []
    for location in ("worker-1", "worker-2", "worker-3"):  # two submissions on each
        with mock.patch("portal.spam.cache", LocMemCache(location, {}), create=True):
            results += [rate_limited(request, "contact", limit=4, window=3600) for _ in range(2)]
    assert results == [False, False, False, False, True, True]


def test_other_clients_and_scopes_count_apart(rf):
    first = rf.post("/", REMOTE_ADDR="203.0.113.7")
    second = rf.post("/", REMOTE_ADDR="203.0.113.8")
    assert not rate_limited(first, "idea", limit=1, window=60)
    assert rate_limited(first, "idea", limit=1, window=60)
    assert not rate_limited(second, "idea", limit=1, window=60)
    assert not rate_limited(first, "contact", limit=1, window=60)


def test_a_new_window_starts_again_and_old_counts_are_deleted(rf, monkeypatch):
    from portal.models import RateCount

    request = rf.post("/", REMOTE_ADDR="203.0.113.7")
    assert not rate_limited(request, "idea", limit=1, window=60)
    assert rate_limited(request, "idea", limit=1, window=60)
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    other = rf.post("/", REMOTE_ADDR="203.0.113.9")
    assert not rate_limited(other, "idea", limit=1, window=60)  # cleans up the old window
    assert RateCount.objects.count() == 1
    assert not rate_limited(request, "idea", limit=1, window=60)
    assert "203.0.113" not in str(list(RateCount.objects.values_list("key", flat=True)))


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_are_all_counted(rf):
    request = rf.post("/", REMOTE_ADDR="203.0.113.7")
    outcomes = []

    def submit():
        outcomes.append(rate_limited(request, "contact", limit=5, window=3600))
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 5 + [True] * 3
