import pytest

from events.search import search_events
from events.sitemaps import EventSitemap
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_search_finds_events_by_german_word_forms():
    EventFactory(slug="forum", title="Workshop Radwege", description="<p>Über Radwege</p>")
    EventFactory(slug="other", title="Bürgerforum", description="<p>Kinderbetreuung</p>")

    assert [e.slug for e in search_events("Radweg")] == ["forum"]
    assert list(search_events("")) == []


def test_sitemap_lists_every_event():
    EventFactory(slug="forum")
    assert [item.get_absolute_url() for item in EventSitemap().items()] == ["/termine/forum/"]
