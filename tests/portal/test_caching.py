"""Public pages are cached and a change by staff shows at once."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client

from portal.caching import bump_content_version, cache_public_page, content_version
from portal.models import NewsArticle
from tests.factories import NewsArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_cached_page_is_served_with_one_query(client, django_assert_num_queries):
    client.get("/aktuelles/")
    with django_assert_num_queries(1):  # the content version, so every worker agrees
        response = client.get("/aktuelles/")
    assert response.status_code == 200


def test_saving_an_article_invalidates_the_cache(client):
    article = NewsArticleFactory(title="Alter Titel", slug="titel")
    assert "Alter Titel" in client.get("/aktuelles/").content.decode()
    article.title = "Neuer Titel"
    article.save()
    body = client.get("/aktuelles/").content.decode()
    assert "Neuer Titel" in body
    assert "Alter Titel" not in body


def test_deleting_and_m2m_changes_invalidate(client):
    article = NewsArticleFactory(title="Verschwindet")
    topic = TopicFactory(slug="thema-x")
    client.get("/themen/thema-x/")
    article.topics.add(topic)
    assert "Verschwindet" in client.get("/themen/thema-x/").content.decode()
    article.delete()
    assert "Verschwindet" not in client.get("/aktuelles/").content.decode()


def test_an_m2m_change_raises_the_version_once_and_after_the_change(client, monkeypatch):
    """Django sends pre_* and post_* signals for every add, remove and clear; only the
    finished change raises the version (a pre_* raise is work for nothing)."""
    from portal import cache_versions as caching

    article = NewsArticleFactory(title="Zugeordnet")
    topic = TopicFactory(slug="thema-y")
    raised = []
    monkeypatch.setattr(caching, "_raise_counter", lambda: raised.append(1))
    article.topics.add(topic)
    assert len(raised) == 1
    article.topics.clear()
    assert len(raised) == 2
    monkeypatch.undo()
    client.get("/themen/thema-y/")
    article.topics.set([topic])
    assert "Zugeordnet" in client.get("/themen/thema-y/").content.decode()
    article.topics.remove(topic)
    assert "Zugeordnet" not in client.get("/themen/thema-y/").content.decode()


def test_queryset_update_needs_an_explicit_bump(client):
    article = NewsArticleFactory(title="Vorher")
    client.get("/aktuelles/")
    NewsArticle.objects.filter(pk=article.pk).update(title="Nachher")
    version = content_version()
    bump_content_version()
    assert content_version() != version
    assert "Nachher" in client.get("/aktuelles/").content.decode()


def test_logged_in_users_and_posts_are_never_cached(client, django_user_model, rf):
    calls = []

    @cache_public_page
    def view(request):
        calls.append(1)
        return HttpResponse("ok")

    user = django_user_model.objects.create_user("staff", is_staff=True)
    request = rf.get("/x/")
    request.user = user
    view(request)
    view(request)
    request = rf.post("/x/")
    view(request)
    assert len(calls) == 3


def test_pages_with_forms_are_not_cached(client, django_assert_num_queries):
    first = client.get("/mitmachen/").content.decode()
    # Counted: the content version, under which the menus, the blank form's fields and the
    # approved ideas are kept per worker (issue 18; before: 4 queries). Rendered anew, with
    # the visitor's own tokens: never a stored page.
    with django_assert_num_queries(1):
        other = Client().get("/mitmachen/").content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first)[1] != token.search(other)[1]


def test_unknown_query_parameters_are_not_cached(client, django_assert_num_queries):
    NewsArticleFactory()
    client.get("/aktuelles/?utm_source=x")
    # Built again, nothing stored; +1: the menus' version (the news list's topic prefetch,
    # unused by the page, went in issue 18: one query less).
    with django_assert_num_queries(5):
        client.get("/aktuelles/?utm_source=x")
    client.get("/aktuelles/?seite=1")
    with django_assert_num_queries(1):  # from the cache: only the content version
        client.get("/aktuelles/?seite=1")


def test_a_page_with_a_csrf_token_is_never_shared(rf):
    calls = []

    @cache_public_page
    def view(request):
        calls.append(1)
        return HttpResponse(get_token(request))

    for _ in range(2):
        request = rf.get("/form/")
        request.user = AnonymousUser()
        request.COOKIES["csrftoken"] = "x" * 32
        request.META["CSRF_COOKIE"] = "x" * 32
        view(request)
    assert len(calls) == 2


def test_a_cached_page_keeps_its_security_headers(client):
    first = client.get("/aktuelles/")
    second = client.get("/aktuelles/")
    assert second.content == first.content
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert second[header] == first[header]
    assert "unsafe-inline" not in second["Content-Security-Policy"]


def test_staff_with_a_session_get_a_fresh_page(client, django_user_model):
    article = NewsArticleFactory(title="Vorher")
    client.get("/aktuelles/")
    NewsArticle.objects.filter(pk=article.pk).update(title="Nachher")  # no signal, no bump
    assert "Vorher" in client.get("/aktuelles/").content.decode()  # anonymous: cached
    client.force_login(django_user_model.objects.create_user("redakteurin", is_staff=True))
    assert "Nachher" in client.get("/aktuelles/").content.decode()


def test_pages_render_when_the_cache_is_away(client, monkeypatch):
    from django.core.cache import cache

    def unavailable(*args, **kwargs):
        raise ConnectionError("cache away")

    NewsArticleFactory(title="Trotzdem da")
    monkeypatch.setattr(cache, "get", unavailable)
    monkeypatch.setattr(cache, "set", unavailable)
    response = client.get("/aktuelles/")
    assert response.status_code == 200
    assert "Trotzdem da" in response.content.decode()


def test_only_pages_marked_for_the_cache_are_looked_up(client, monkeypatch):
    from django.core.cache import cache

    lookups = []
    original = cache.get
    monkeypatch.setattr(cache, "get", lambda key: lookups.append(key) or original(key))
    client.get("/suche/?q=Radweg")
    client.get("/mitmachen/")
    pages = [key for key in lookups if key.startswith("portal:page:")]  # not the footer's
    assert pages == []
    client.get("/aktuelles/")
    pages = [key for key in lookups if key.startswith("portal:page:")]
    assert len(pages) == 1


def test_a_change_while_a_page_renders_is_not_hidden_by_the_cache(client, monkeypatch):
    """The version is read before rendering: a page rendered from data older than a save by
    staff is stored under the old version and never served after the save."""
    from portal import views

    article = NewsArticleFactory(title="Vorher")
    original = views.HomeView.get_context_data

    def render_then_staff_saves(self, **kwargs):
        context = original(self, **kwargs)  # the page reads "Vorher" ...
        article.title = "Nachher"
        article.save()  # ... and staff save while it renders
        return context

    monkeypatch.setattr(views.HomeView, "get_context_data", render_then_staff_saves)
    assert "Vorher" in client.get("/").content.decode()
    monkeypatch.setattr(views.HomeView, "get_context_data", original)
    assert "Nachher" in client.get("/").content.decode()


def _served_from_cache(client, url: str) -> bool:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.memo import forget_memos

    client.get(url)
    # A render from the parts kept in worker memory needs one query, too: forget them, so
    # only a page cache hit stays at one.
    forget_memos()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries) == 1  # only the content version


@pytest.mark.parametrize(
    ("url", "cached"),
    [
        ("/aktuelles/?seite=1", True),
        ("/aktuelles/?thema=&kommune=", True),  # the filter sent with nothing chosen
        ("/aktuelles/?seite=99999", False),  # shows the last page: not a URL of its own
        ("/aktuelles/?seite=abc", False),
        ("/aktuelles/?seite=1&seite=1", False),
        ("/aktuelles/?thema=unbekannt", False),
        ("/termine/?art=workshop", True),
        ("/termine/?kommune=atlantis", False),
        ("/termine/?seite=5000", False),
    ],
)
def test_only_canonical_query_values_fill_the_cache(client, url, cached):
    """Every cached URL is one the site links to, so random values cannot fill the cache."""
    NewsArticleFactory()
    assert _served_from_cache(client, url) is cached


# --- Content that changes with the clock ------------------------------------------------


def test_a_scheduled_article_appears_everywhere_at_its_time(client, clock):
    """Nobody saves anything when a scheduled article falls due, so no signal empties the
    cache: every list must still show it from its publication time on, not minutes later."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import Municipality, Topic

    municipality = Municipality.objects.get(slug="oschatz")
    topic = Topic.objects.order_by("pk").first()
    article = NewsArticleFactory(
        title="Planmäßig erschienen",
        slug="planmaessig",
        published_at=timezone.now() + timedelta(hours=1),
    )
    article.municipalities.add(municipality)
    article.topics.add(topic)
    pages = [
        "/",
        "/aktuelles/",
        f"/kommunen/{municipality.slug}/",
        f"/themen/{topic.slug}/",
        "/aktuelles/feed/",
        "/aktuelles/feed/atom/",
        f"/aktuelles/feed/kommune/{municipality.slug}/",
        f"/aktuelles/feed/thema/{topic.slug}/",
        "/sitemap.xml",
    ]
    for url in pages:
        assert "planmaessig" not in client.get(url).content.decode(), url  # now cached
    clock(timedelta(minutes=59, seconds=59))
    for url in pages:
        assert "planmaessig" not in client.get(url).content.decode(), url
    clock(timedelta(seconds=1))
    missing = [url for url in pages if "planmaessig" not in client.get(url).content.decode()]
    assert missing == []


def test_an_event_moves_to_the_archive_when_it_ends(client, clock):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import EventFactory

    start = timezone.now() + timedelta(minutes=10)
    EventFactory(title="Gleich vorbei", starts_at=start, ends_at=start + timedelta(hours=1))
    body = client.get("/termine/").content.decode()
    assert "Gleich vorbei" in body.split('id="archiv"')[0]
    clock(timedelta(hours=1, minutes=11))
    body = client.get("/termine/").content.decode()
    assert "Gleich vorbei" in body.split('id="archiv"')[1]


def test_a_survey_opens_on_the_list_at_its_time(client, clock):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import SurveyFactory

    SurveyFactory(
        title="Bald offen",
        slug="bald-offen",
        opens_at=timezone.now() + timedelta(minutes=5),
        closes_at=timezone.now() + timedelta(days=5),
    )
    before = client.get("/befragungen/bald-offen/").content.decode()
    clock(timedelta(minutes=5, seconds=1))
    after = client.get("/befragungen/bald-offen/").content.decode()
    assert after != before  # the page now invites visitors to take part


def test_a_cached_page_is_served_while_the_database_is_away(client, monkeypatch):
    from django.db import OperationalError

    from portal import caching

    client.get("/kommunen/")

    def database_away():
        raise OperationalError("connection refused")

    monkeypatch.setattr(caching, "content_version", database_away)
    response = client.get("/kommunen/")
    assert response.status_code == 200
    assert "Liebschützberg" in response.content.decode()


def test_a_save_raises_the_version_again_after_the_commit(
    client, django_capture_on_commit_callbacks
):
    """A visitor whose page was rendered from the old data between the save and the commit
    stored it under the version of the save; the commit must leave that version behind."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        NewsArticleFactory(title="Neu")
        during_transaction = content_version()
    assert len(callbacks) == 1  # one raise after the commit, however many rows were saved
    callbacks[0]()
    assert content_version() != during_transaction
