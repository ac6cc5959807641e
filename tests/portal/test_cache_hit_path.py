"""What a page-cache hit costs: no middleware below the cache, no second round trip to
PostgreSQL for the health check, one Redis client per process."""

import os

import pytest
from django.db import connection, connections

from portal.cache_backend import RedisCache

# The operations tests' Redis (OPS_REDIS_URL moves it, e.g. when several checkouts test).
REDIS_URL = os.environ.get("OPS_REDIS_URL", "redis://127.0.0.1:6379/4")


def new_request() -> None:
    """What gunicorn's request_started signal does to a persistent connection (Django's test
    client leaves that signal out): its health check is due again."""
    connection.close_if_unusable_or_obsolete()
    connection.ensure_connection()  # a new one if the old one outlived CONN_MAX_AGE
    connection.health_check_done = False  # a persistent connection: checked before use


@pytest.mark.django_db(transaction=True)
def test_a_hit_sends_no_separate_health_check(client, monkeypatch):
    """The content version's query is the connection's health check: Django's own
    ``SELECT 1`` would be a second round trip to PostgreSQL for every hit."""
    client.get("/kommunen/")
    checks = []
    wrapper = type(connections["default"])
    original = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda self: checks.append(1) or original(self))
    assert connection.health_check_enabled
    for _ in range(3):
        new_request()
        assert client.get("/kommunen/").status_code == 200
    assert checks == []


@pytest.mark.django_db(transaction=True)
def test_a_hit_replaces_a_broken_connection_like_the_health_check(client):
    """PostgreSQL restarted between two requests: the persistent connection is dead. The
    version is read again on a new connection, so the hit is served with the current
    version, not as during an outage."""
    client.get("/kommunen/")
    connection.connection.close()  # what a restart of the database leaves behind
    new_request()
    response = client.get("/kommunen/")
    assert response.status_code == 200
    assert "Liebschützberg" in response.content.decode()
    assert not connection.connection.closed


def test_a_hit_runs_no_middleware_below_the_page_cache(client, settings, db, monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware

    client.get("/kommunen/")
    calls = []
    original = SessionMiddleware.process_request
    monkeypatch.setattr(
        SessionMiddleware,
        "process_request",
        lambda self, request: calls.append(request.path) or original(self, request),
    )
    response = client.get("/kommunen/")
    assert response.status_code == 200
    assert calls == []
    # Its headers come from the stored response (SecurityMiddleware sits below the cache).
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_lookup_for_plain_http_when_https_is_enforced(client, settings, db):
    """SecurityMiddleware redirects plain HTTP below the page cache: a hit must not skip
    that redirect."""
    from django.test import Client

    client.get("/kommunen/")
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/kommunen/")  # middleware built anew with the setting
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_the_redis_cache_keeps_one_client_per_pool():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at " + REDIS_URL)
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-hit-path"})
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("seite", (1, b"Inhalt"), 30)
    assert cache.get("seite") == (1, b"Inhalt")
    assert cache.get_many(["seite", "fehlt"]) == {"seite": (1, b"Inhalt")}
    cache.delete("seite")
    assert cache.get("seite") is None
