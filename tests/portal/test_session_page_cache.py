"""Visitors holding a session cookie (a citizen in the middle of the survey) get public pages
from the page cache; logged-in users and pending messages never do."""

import datetime
import io
import os
import uuid

import pytest
from auditlog.context import disable_auditlog
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.core.cache import caches
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from portal.models import NewsArticle
from survey.demo import seed_mobility
from tests.factories import NewsArticleFactory
from tests.survey.conftest import Filler

pytestmark = pytest.mark.django_db

CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def article():
    return NewsArticleFactory(title="Vorher")


def change_quietly(article, title="Nachher") -> None:
    """A change the page cache does not hear of: a page that still shows the old title came
    from the cache, one with the new title was rendered."""
    NewsArticle.objects.filter(pk=article.pk).update(title=title)


def session_cookie(client, data: dict, store=DbStore) -> str:
    session = store()
    session.update(data)
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def count_cache_reads(monkeypatch) -> list:
    """The cache reads the page cache asks for (one round trip each with Redis); locmem's
    ``get_many`` calling ``get`` for each key is not counted again."""
    reads = []
    inside = []
    backend = caches["default"]
    for name in ("get", "get_many"):
        original = getattr(backend, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            if not inside:
                reads.append(_name)
            inside.append(1)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, counted)
    return reads


def test_a_survey_participant_gets_news_and_events_from_the_cache(client, article):
    """A real survey start: the session cookie no longer costs the cache, while the
    questionnaire itself stays a fresh page with its form and CSRF token."""
    now = timezone.now()
    with disable_auditlog():
        survey = seed_mobility(
            io.StringIO(),
            opens_at=now - datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=30),
        )
    for url in ("/aktuelles/", "/termine/", "/"):
        assert client.get(url).status_code == 200  # stored (no session yet)
    filler = Filler(survey)
    response = client.post(filler.url, filler.page1())
    assert response.status_code in (200, 302)
    assert settings.SESSION_COOKIE_NAME in client.cookies
    change_quietly(article)
    assert "Vorher" in client.get("/aktuelles/").content.decode()
    for url in ("/termine/", "/"):
        assert client.get(url).status_code == 200
    questionnaire = client.get(filler.url)
    assert questionnaire.status_code == 200
    assert "csrfmiddlewaretoken" in questionnaire.content.decode()
    assert "csrfmiddlewaretoken" in client.get(filler.url).content.decode()  # not cached


def test_a_hit_with_a_session_cookie_costs_one_query_more(
    client, article, django_assert_num_queries, monkeypatch
):
    """Sessions in the database (no Redis): the content version and the session row."""
    client.get("/aktuelles/")
    session_cookie(client, {"survey:mobilitaet": {"section": 2}})
    reads = count_cache_reads(monkeypatch)
    with django_assert_num_queries(2):
        response = client.get("/aktuelles/")
    assert response.status_code == 200
    assert reads == ["get"]


def test_with_cached_sessions_the_session_comes_in_the_pages_round_trip(
    client, article, settings, django_assert_num_queries, monkeypatch
):
    """Production (Redis, ``cached_db``): one query (the content version) and one cache
    round trip for page and session together."""
    settings.SESSION_ENGINE = CACHED_DB
    client.get("/aktuelles/")
    session_cookie(client, {"survey:mobilitaet": {"section": 2}}, store=CachedDbStore)
    change_quietly(article)
    reads = count_cache_reads(monkeypatch)
    with django_assert_num_queries(1):
        response = client.get("/aktuelles/")
    assert "Vorher" in response.content.decode()
    assert reads == ["get_many"]
    assert not hasattr(response.wsgi_request, "session")  # answered above the middleware


def test_a_cached_session_evicted_from_the_cache_is_read_from_the_database(
    client, article, settings
):
    settings.SESSION_ENGINE = CACHED_DB
    client.get("/aktuelles/")
    key = session_cookie(client, {"_auth_user_id": "1"}, store=CachedDbStore)
    caches["default"].delete(CachedDbStore.cache_key_prefix + key)
    change_quietly(article)
    assert "Nachher" in client.get("/aktuelles/").content.decode()


@pytest.mark.parametrize("engine", [CACHED_DB, "django.contrib.sessions.backends.db"])
def test_logged_in_staff_never_get_a_cached_page(
    client, article, django_user_model, settings, engine
):
    settings.SESSION_ENGINE = engine
    client.get("/aktuelles/")
    change_quietly(article)
    assert "Vorher" in client.get("/aktuelles/").content.decode()
    client.force_login(django_user_model.objects.create_user("redakteurin", is_staff=True))
    response = client.get("/aktuelles/")
    assert "Nachher" in response.content.decode()
    assert response.wsgi_request.user.is_authenticated


def test_a_page_rendered_for_staff_or_a_session_holder_is_never_stored(
    client, article, django_user_model, settings
):
    settings.SESSION_ENGINE = CACHED_DB
    client.force_login(django_user_model.objects.create_user("redakteurin", is_staff=True))
    assert "Vorher" in client.get("/aktuelles/").content.decode()
    participant = type(client)()
    session_cookie(participant, {"survey:mobilitaet": {}}, store=CachedDbStore)
    assert participant.get("/termine/").status_code == 200
    change_quietly(article)
    anonymous = type(client)()
    assert "Nachher" in anonymous.get("/aktuelles/").content.decode()
    assert "Nachher" in participant.get("/aktuelles/").content.decode()


def test_a_staff_session_whose_user_is_gone_still_renders(client, article, settings):
    """Conservative: a login in the session renders, whether it is still valid or not."""
    settings.SESSION_ENGINE = CACHED_DB
    client.get("/aktuelles/")
    session_cookie(client, {"_auth_user_id": "999999", "_auth_user_hash": "x"}, CachedDbStore)
    change_quietly(article)
    response = client.get("/aktuelles/")
    assert response.status_code == 200
    assert "Nachher" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_pending_message_in_a_cookie_is_shown_on_a_cached_page(client, article):
    client.get("/aktuelles/")
    session_cookie(client, {"survey:mobilitaet": {}})
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Vielen Dank für Ihre Nachricht.")
    response = HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "Vielen Dank für Ihre Nachricht." in client.get("/aktuelles/").content.decode()
    assert "Vielen Dank" not in client.get("/aktuelles/").content.decode()  # shown once


@pytest.mark.parametrize("engine", [CACHED_DB, "django.contrib.sessions.backends.db"])
def test_a_pending_message_in_the_session_is_shown_on_a_cached_page(
    client, article, settings, engine
):
    settings.SESSION_ENGINE = engine
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    client.get("/aktuelles/")
    store = CachedDbStore if engine == CACHED_DB else DbStore
    session = store()
    request = RequestFactory().get("/")
    request.session = session
    storage = SessionStorage(request)
    storage.add(constants.SUCCESS, "Ihre Antworten sind gespeichert.")
    storage.update(HttpResponse())
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert "Ihre Antworten sind gespeichert." in client.get("/aktuelles/").content.decode()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x",
        "0123456789abcdef0123456789abcdef",  # well formed, no such session
        "../../etc/passwd",
        "ABC' OR 1=1 --",
        "ä" * 40,
        "a" * 4000,
    ],
)
@pytest.mark.parametrize("engine", [CACHED_DB, "django.contrib.sessions.backends.db"])
def test_a_forged_session_cookie_gets_the_cached_page(client, article, settings, value, engine):
    settings.SESSION_ENGINE = engine
    client.get("/aktuelles/")
    change_quietly(article)
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    response = client.get("/aktuelles/")
    assert response.status_code == 200
    assert "Vorher" in response.content.decode()


def test_with_redis_a_session_holders_hit_is_one_redis_command(
    client, article, settings, django_assert_num_queries, monkeypatch, django_user_model
):
    """The production cache: page and session in one ``MGET``, one query for the version."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("OPS_REDIS_URL", "redis://127.0.0.1:6379/4")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at " + url)
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache_backend.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-session-cache-{uuid.uuid4().hex}",
        }
    }
    settings.SESSION_ENGINE = CACHED_DB
    client.get("/aktuelles/")
    session_cookie(client, {"survey:mobilitaet": {"section": 2}}, store=CachedDbStore)
    change_quietly(article)
    commands = []
    original = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *args, **kwargs: commands.append(args[0]) or original(self, *args, **kwargs),
    )
    with django_assert_num_queries(1):
        response = client.get("/aktuelles/")
    assert "Vorher" in response.content.decode()
    assert commands == ["MGET"]
    client.force_login(django_user_model.objects.create_user("redakteurin", is_staff=True))
    assert "Nachher" in client.get("/aktuelles/").content.decode()
