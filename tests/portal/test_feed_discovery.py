"""Feeds and calendars where people look for them: municipality and topic pages and the
filtered lists announce theirs in <head> (autodiscovery) and link them, the calendar as
webcal:// with the https address as fallback; the calendar filters by topic too."""

import re

import icalendar
import pytest
from django.test import override_settings

from portal.models import Municipality, Topic
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

SITE = "https://oschatzerland.example"


def _alternates(body: str) -> dict[str, str]:
    head = body[: body.index("</head>")]
    return dict(
        re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]+" href="([^"]+)">', head)
    )


@override_settings(SITE_URL=SITE)
@pytest.mark.parametrize(
    ("path", "rss", "calendar"),
    [
        (
            "/kommunen/oschatz/",
            "/aktuelles/feed/kommune/oschatz/",
            "/termine/kalender.ics?kommune=oschatz",
        ),
        (
            "/themen/radverkehr/",
            "/aktuelles/feed/thema/radverkehr/",
            "/termine/kalender.ics?thema=radverkehr",
        ),
        (
            "/aktuelles/?kommune=dahlen",
            "/aktuelles/feed/kommune/dahlen/",
            "/termine/kalender.ics?kommune=dahlen",
        ),
        (
            "/aktuelles/?thema=oepnv",
            "/aktuelles/feed/thema/oepnv/",
            "/termine/kalender.ics?thema=oepnv",
        ),
        (
            "/termine/?kommune=muegeln",
            "/aktuelles/feed/kommune/muegeln/",
            "/termine/kalender.ics?kommune=muegeln",
        ),
        ("/aktuelles/", "/aktuelles/feed/", "/termine/kalender.ics"),
        ("/termine/", "/aktuelles/feed/", "/termine/kalender.ics"),
    ],
)
def test_pages_announce_and_link_their_feeds(client, path, rss, calendar):
    # Not "page": that name is pytest-playwright's fixture and would make this a browser
    # test, run between the transactional ones (tests/test_collection.py).
    body = client.get(path).content.decode()

    alternates = _alternates(body)
    assert alternates["application/rss+xml"] == SITE + rss
    assert alternates["application/atom+xml"] == SITE + rss + "atom/"
    assert alternates["text/calendar"] == SITE + calendar
    # Visible too: webcal:// for calendar apps, the https address as fallback.
    assert f'href="webcal://oschatzerland.example{calendar}"' in body
    assert f'href="{SITE}{calendar}"' in body
    assert f'href="{SITE}{rss}"' in body
    # Every announced feed answers.
    for href in alternates.values():
        assert client.get(href.removeprefix(SITE)).status_code == 200


def test_topic_calendar_has_only_that_topics_events(client):
    radverkehr = Topic.objects.get(slug="radverkehr")
    oschatz = Municipality.objects.get(slug="oschatz")
    on_topic = EventFactory(slug="rad", title="Radtour")
    on_topic.topics.add(radverkehr)
    EventFactory(slug="anderes", title="Feuerwehrfest", municipality=oschatz)

    content = client.get("/termine/kalender.ics?thema=radverkehr").content
    calendar = icalendar.Calendar.from_ical(content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Radtour"]
    assert "Radverkehr" in str(calendar["X-WR-CALNAME"])


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("thema=gibt-es-nicht", 404),
        ("thema=" + "x" * 5000, 404),
        ("thema=a%20b", 404),
        ("thema=%00", 400),  # the NUL guard answers before the view
    ],
)
def test_bad_topic_in_calendar_is_refused(client, query, status):
    assert client.get("/termine/kalender.ics?" + query).status_code == status
