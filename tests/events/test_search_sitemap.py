import pytest

from events.search import search_events
from events.sitemaps import EventSitemap
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_search_finds_events_by_german_word_forms():
    EventFactory(slug="forum", title="Workshop Radwege", description="<p>Über Radwege</p>")
    EventFactory(slug="other", title="Bürgerforum", description="<p>Kinderbetreuung</p>")

    assert [result.url for result in search_events("Radweg")] == ["/termine/forum/"]
    assert list(search_events("")) == []


def test_event_search_needs_every_word_and_reads_umlauts_spelled_out():
    EventFactory(slug="mue", title="Kommunalforum Mügeln", venue_name="Rathaus Mügeln")
    EventFactory(slug="dah", title="Kommunalforum Dahlen", venue_name="Schloss Dahlen")

    assert [result.url for result in search_events("Kommunalforum Muegeln")] == ["/termine/mue/"]
    assert [result.url for result in search_events("Schloss Mügeln")] == []
    assert [result.url for result in search_events('"Schloss Dahlen"')] == ["/termine/dah/"]


def test_event_search_never_finds_registrations():
    from tests.factories import RegistrationFactory

    RegistrationFactory(
        name="Jana Richter", email="jana@example.org", accessibility_needs="Rollstuhl"
    )
    assert search_events("Richter") == []
    assert search_events("jana@example.org") == []
    assert search_events("Rollstuhl") == []


def test_sitemap_lists_every_event():
    EventFactory(slug="forum")
    assert [item.get_absolute_url() for item in EventSitemap().items()] == ["/termine/forum/"]


def test_site_search_and_sitemap_include_events(client):
    EventFactory(slug="forum", title="Workshop Radwege", description="<p>Über Radwege</p>")

    search_page = client.get("/suche/?q=Radweg").content.decode()
    sitemap = client.get("/sitemap.xml").content.decode()

    assert "Workshop Radwege" in search_page
    assert "/termine/forum/</loc>" in sitemap


def test_editors_group_may_manage_events():
    from django.contrib.auth.models import Group

    codenames = set(
        Group.objects.get(name="Redaktion").permissions.values_list("codename", flat=True)
    )
    assert {"add_event", "change_event", "view_registration", "change_eventdocument"} <= codenames


def test_event_page_links_its_related_survey(client):
    from tests.factories import SurveyFactory

    survey = SurveyFactory(title="Bürgerbefragung 2019", status="closed")
    EventFactory(slug="forum", related_survey=survey)

    body = client.get("/termine/forum/").content.decode()

    assert f'<a href="{survey.get_absolute_url()}">Bürgerbefragung 2019</a>' in body
