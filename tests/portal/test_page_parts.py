"""Parts of public pages kept in worker memory under the content version (``portal.memo``,
``{% part %}``): without any cache (``DJANGO_CACHE_URL=dummy://``) a change by staff, also
one made on another worker and one by the clock, shows with the very next render; nothing
personal is kept, and staff never get or fill the kept parts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from portal import memo
from portal.models import Municipality, NewsArticle
from survey.models import Survey, SurveyStatus
from tests.factories import EventFactory, NewsArticleFactory, SurveyFactory
from tests.portal.versions import bump_as_another_worker

pytestmark = pytest.mark.django_db


def _body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_parts_are_reused_until_the_version_changes(client, no_cache):
    """The memo is really used (an update without any version bump stays unseen), and a
    bump in the database by another worker shows on the next render."""
    article = NewsArticleFactory(title="Vorher im Speicher")
    assert "Vorher im Speicher" in _body(client, "/")
    NewsArticle.objects.filter(pk=article.pk).update(title="Nachher im Speicher")
    assert "Vorher im Speicher" in _body(client, "/")  # kept: nothing raised the version
    bump_as_another_worker()
    body = _body(client, "/")
    assert "Nachher im Speicher" in body
    assert "Vorher im Speicher" not in body


def test_a_saved_article_shows_on_the_next_uncached_render(client, no_cache):
    article = NewsArticleFactory(title="Erste Fassung")
    for url in ("/", "/aktuelles/"):
        assert "Erste Fassung" in _body(client, url)
    article.title = "Zweite Fassung"
    article.save()
    for url in ("/", "/aktuelles/"):
        body = _body(client, url)
        assert "Zweite Fassung" in body, url
        assert "Erste Fassung" not in body, url


def test_a_saved_event_shows_on_the_next_uncached_render(client, no_cache):
    municipality = Municipality.objects.get(slug="oschatz")
    event = EventFactory(title="Forum alt", municipality=municipality)
    urls = ("/", "/termine/", f"/kommunen/{municipality.slug}/")
    for url in urls:
        assert "Forum alt" in _body(client, url), url
    event.title = "Forum neu"
    event.save()
    for url in urls:
        body = _body(client, url)
        assert "Forum neu" in body, url
        assert "Forum alt" not in body, url


def test_opening_and_closing_a_survey_shows_on_the_home_page(client, no_cache):
    Survey.objects.filter(status=SurveyStatus.OPEN).update(status=SurveyStatus.DRAFT)
    survey = SurveyFactory(title="Teaser-Befragung", status=SurveyStatus.DRAFT)
    assert "Teaser-Befragung" not in _body(client, "/")
    survey.status = SurveyStatus.OPEN
    survey.save()
    assert "Teaser-Befragung" in _body(client, "/")
    survey.status = SurveyStatus.CLOSED
    survey.save()
    assert "Teaser-Befragung" not in _body(client, "/")


def test_an_event_ending_by_the_clock_leaves_the_teaser(client, no_cache, clock):
    start = timezone.now() + timedelta(minutes=10)
    EventFactory(title="Gleich zu Ende", starts_at=start, ends_at=start + timedelta(hours=1))
    assert "Gleich zu Ende" in _body(client, "/")
    clock(timedelta(hours=1, minutes=11))
    assert "Gleich zu Ende" not in _body(client, "/")


def test_staff_get_fresh_parts_and_never_fill_them(client, no_cache, django_user_model):
    article = NewsArticleFactory(title="Für alle")
    assert "Für alle" in _body(client, "/")  # kept for anonymous visitors
    NewsArticle.objects.filter(pk=article.pk).update(title="Nur frisch")  # no bump
    staff = django_user_model.objects.create_user("redaktion-teile", is_staff=True)
    client.force_login(staff)
    assert "Nur frisch" in _body(client, "/")  # staff: what the database says now
    client.logout()
    assert "Für alle" in _body(client, "/")  # the staff render filled nothing


def test_kept_parts_hold_nothing_personal(client, no_cache, django_user_model):
    client.cookies["sessionid"] = "x" * 32  # a visitor holding a (foreign) session cookie
    for url in ("/", "/aktuelles/", "/termine/", "/kommunen/oschatz/", "/kontakt/"):
        client.get(url)
    staff = django_user_model.objects.create_user("redaktion-geheim", is_staff=True)
    client.force_login(staff)
    for url in ("/", "/aktuelles/", "/termine/"):
        client.get(url)
    parts = [entry[1][0] for entry in memo._content_parts._entries.values()]
    assert parts  # something was kept
    text = repr(parts)
    for secret in ("csrfmiddlewaretoken", "redaktion-geheim", "sessionid", "/admin/"):
        assert secret not in text


def test_query_values_never_share_a_part_wrongly(client, no_cache):
    oschatz = Municipality.objects.get(slug="oschatz")
    other = Municipality.objects.exclude(pk=oschatz.pk).order_by("pk").first()
    NewsArticleFactory(title="Nur Oschatz").municipalities.add(oschatz)
    NewsArticleFactory(title="Nur Andere").municipalities.add(other)
    first = _body(client, f"/aktuelles/?kommune={oschatz.slug}")
    second = _body(client, f"/aktuelles/?kommune={other.slug}")
    assert f'<option value="{oschatz.slug}" selected>' in first
    assert f'<option value="{other.slug}" selected>' in second
    assert f'<option value="{oschatz.slug}" selected>' not in second
    assert "Nur Oschatz" in first
    assert "Nur Andere" not in first
    assert "Nur Andere" in second
    assert "Nur Oschatz" not in second
    events = _body(client, f"/termine/?kommune={other.slug}")
    assert f'<option value="{other.slug}" selected>' in events


def test_languages_and_time_zones_never_share_a_part(rf):
    request = rf.get("/")
    request._content_version = "1:"
    with override("de"):
        assert memo.remember_part(request, ("probe",), lambda: "deutsch") == "deutsch"
    with override("en"):
        assert memo.remember_part(request, ("probe",), lambda: "english") == "english"
    with override("de"), timezone.override("UTC"):
        assert memo.remember_part(request, ("probe",), lambda: "utc") == "utc"
    with override("de"):
        assert memo.remember_part(request, ("probe",), lambda: "neu") == "deutsch"
    request._content_version = "2:"
    with override("de"):
        assert memo.remember_part(request, ("probe",), lambda: "neu") == "neu"


def test_the_memory_stays_bounded_with_many_distinct_keys(client, no_cache, rf):
    request = rf.get("/")
    request._content_version = "1:"
    limit = memo._content_parts.max_entries
    for number in range(limit * 3):
        memo.remember_part(request, ("flood", number), lambda: "x" * 100)
    assert len(memo._content_parts) <= limit
    for number in range(60):  # many distinct query strings through the real pages
        client.get(f"/aktuelles/?seite={number}")
        client.get(f"/termine/?seite={number}&kommune=oschatz")
    assert len(memo._content_parts) <= limit


def test_part_keys_refuse_values_that_could_collide(rf):
    from django.template import Context, Template, TemplateSyntaxError

    template = Template('{% load portal_tags %}{% part "probe" value %}{{ value }}{% endpart %}')
    request = rf.get("/")
    request._content_version = "1:"
    with pytest.raises(TemplateSyntaxError):
        template.render(Context({"request": request, "value": object()}))


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # The content version (read by the page cache middleware) and nothing else: the
        # news, events, survey teaser, municipalities, topics and menus come from memory.
        ("/", 1),
        # The version: the list, its page count and the filter's options come from memory.
        ("/aktuelles/", 1),
        # The version: the upcoming events and the archive (its count too) from memory.
        ("/termine/", 1),
        # The version: the article and its related articles from memory.
        ("/aktuelles/artikel-eins/", 1),
        # The version and the results versions of the surveys asking for the municipality
        # (one query for all); the municipality, its news and events from memory.
        ("/kommunen/oschatz/", 2),
    ],
)
def test_a_second_uncached_render_needs_fewer_queries(
    client, no_cache, django_assert_num_queries, url, queries
):
    NewsArticleFactory.create_batch(3)
    NewsArticleFactory(slug="artikel-eins")
    EventFactory.create_batch(2)
    client.get(url)
    with django_assert_num_queries(queries):
        client.get(url)
