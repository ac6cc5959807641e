"""<time datetime> values: valid HTML, and never the exact moment somebody sent something."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EventFactory, IdeaFactory, NewsArticleFactory

pytestmark = pytest.mark.django_db

# HTML "valid date string" or "valid global date and time string" without fractions.
VALID = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2}))?$")


def _odd_moment():
    return (timezone.now() - timedelta(days=2)).replace(microsecond=123456, second=17)


@pytest.fixture
def content():
    moment = _odd_moment()
    article = NewsArticleFactory(slug="zeit", title="Zeitangaben", published_at=moment)
    IdeaFactory(title="Bank am Teich", status="approved", created_at=moment)
    event = EventFactory(
        slug="forum-zeit",
        starts_at=moment + timedelta(days=10),
        ends_at=moment + timedelta(days=10, hours=2),
    )
    return [
        "/",
        "/aktuelles/",
        article.get_absolute_url(),
        "/mitmachen/",
        "/termine/",
        event.get_absolute_url(),
        "/suche/?q=Zeitangaben",
    ]


def test_time_elements_carry_valid_values_without_fractions(client, content):
    found = 0
    for url in content:
        body = client.get(url).content.decode()
        for value in re.findall(r'<time datetime="([^"]*)"', body):
            found += 1
            assert VALID.match(value), f"{url}: datetime={value!r}"
            assert ".123456" not in value
    assert found >= 6


def test_idea_shows_only_the_day_it_was_sent(client, content):
    body = client.get("/mitmachen/").content.decode()
    (value,) = re.findall(r'<time datetime="([^"]*)"', body)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)


def test_time_elements_in_the_admin_history_carry_no_fractions(admin_client):
    # Audit log entries are written at the exact moment of the change: microseconds.
    article = NewsArticleFactory(slug="verlauf", title="Verlauf")
    article.title = "Verlauf geändert"
    article.save()

    url = f"/admin/portal/newsarticle/{article.pk}/history/"
    body = admin_client.get(url).content.decode()
    values = re.findall(r'<time datetime="([^"]*)"', body)

    assert values
    for value in values:
        assert VALID.match(value), f"history: datetime={value!r}"


def test_an_event_over_midnight_names_both_moments_as_time_elements(client):
    """Whatever the time of day the suite runs at: an event that ends on another day than
    it starts gets a machine-readable start and end, not plain text."""
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=22, minute=30, second=0, microsecond=0
    )
    event = EventFactory(slug="nachtwanderung", starts_at=start, ends_at=start + timedelta(hours=3))
    for url in ("/termine/", event.get_absolute_url()):
        values = re.findall(r'<time datetime="([^"]*)"', client.get(url).content.decode())
        assert start.isoformat() in values, url
        assert (start + timedelta(hours=3)).isoformat() in values, url
