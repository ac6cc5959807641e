"""The public event pages as residents see them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from events.models import EventDocument, EventKind, EventStatus
from tests.factories import (
    EventFactory,
    MunicipalityFactory,
    RegistrationFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _days(n: int) -> datetime:
    return (timezone.localtime() + timedelta(days=n)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )


def _event(slug, days, **kwargs):
    kwargs.setdefault("title", slug)
    return EventFactory(
        slug=slug, starts_at=_days(days), ends_at=_days(days) + timedelta(hours=2), **kwargs
    )


def test_list_shows_upcoming_soonest_first_then_past_latest_first(client):
    _event("later", 30)
    _event("soon", 3)
    _event("long-ago", -400)
    _event("last-month", -30)

    body = client.get("/termine/").content.decode()

    order = [
        body.index(f'href="/termine/{slug}/"')
        for slug in ["soon", "later", "last-month", "long-ago"]
    ]
    assert order == sorted(order)
    assert body.index("Kommende Termine") < body.index("soon") < body.index("Vergangene Termine")
    assert "<title>Termine – Oschatzer Land – Collmregion</title>" in body


def test_event_running_now_is_still_upcoming(client):
    EventFactory(
        slug="running",
        title="Läuft gerade",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    body = client.get("/termine/").content.decode()
    assert body.index("Läuft gerade") < body.index("Vergangene Termine")


def test_list_filters_by_municipality_and_kind(client):
    muegeln = MunicipalityFactory(slug="muegeln-test", name="Mügeln Test")
    _event("forum-muegeln", 5, municipality=muegeln)
    _event("workshop-muegeln", 6, municipality=muegeln, kind=EventKind.WORKSHOP)
    _event("forum-elsewhere", 7)
    _event("past-muegeln", -7, municipality=muegeln)

    by_place = client.get("/termine/?kommune=muegeln-test").content.decode()
    by_both = client.get("/termine/?kommune=muegeln-test&art=workshop").content.decode()

    assert "forum-muegeln" in by_place
    assert "past-muegeln" in by_place
    assert "forum-elsewhere" not in by_place
    assert "workshop-muegeln" in by_both
    assert "forum-muegeln" not in by_both
    assert "past-muegeln" not in by_both
    assert '<option value="muegeln-test" selected>Mügeln Test</option>' in by_place
    # The municipality's calendar, absolute (PORTAL_SITE_URL) and as webcal:// to subscribe.
    assert f'href="{settings.SITE_URL}/termine/kalender.ics?kommune=muegeln-test"' in by_place
    assert '/termine/kalender.ics?kommune=muegeln-test"' in by_place.split("webcal://")[1]
    assert "Alle Termine anzeigen" in by_place


def test_unknown_filter_value_shows_an_error_and_all_events(client):
    _event("forum", 5)
    response = client.get("/termine/?kommune=atlantis&art=party")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith("<!DOCTYPE html>")
    assert "<title>Fehler: Termine" in body
    assert "forum" in body


def test_archive_is_paginated_and_keeps_the_filter(client):
    place = MunicipalityFactory(slug="dahlen-test", name="Dahlen Test")
    for n in range(12):
        _event(f"past-{n:02d}", -1 - n, municipality=place)

    first = client.get("/termine/?kommune=dahlen-test").content.decode()
    second = client.get("/termine/?kommune=dahlen-test&seite=2").content.decode()

    assert "past-00" in first
    assert "past-11" not in first
    assert "past-11" in second
    assert "past-00" not in second
    assert "Seite 1 von 2" in first
    assert 'href="?kommune=dahlen-test&amp;seite=2#archiv"' in first
    assert client.get("/termine/?seite=abc").status_code == 200


def test_list_query_count_is_constant(client, django_assert_num_queries):
    # 7 queries: the content version of the page cache (its counter and, as content
    # changed, the next due moment), municipalities for the filter,
    # upcoming events (with municipality), count of past events, one page of past events
    # (with municipality), the footer's pages.
    _event("up-0", 3)
    _event("past-0", -3)
    with django_assert_num_queries(7):
        client.get("/termine/")
    for n in range(1, 15):
        _event(f"up-{n}", 3 + n, status=EventStatus.CANCELLED if n % 3 else "planned")
        _event(f"past-{n}", -3 - n, municipality=MunicipalityFactory())
    # The content changed, so the menus are read again under the new content version.
    with django_assert_num_queries(7):
        client.get("/termine/")


def test_detail_shows_everything_about_the_event(client):
    topic = TopicFactory(name="Radverkehr Test", slug="radverkehr-test")
    event = EventFactory(
        slug="forum",
        title="1. Regionalforum",
        venue_name="Stadthalle Oschatz",
        address="04758 Oschatz",
        venue_accessibility="Stufenlos erreichbar",
        description="<p>Marktstände<script>alert(1)</script></p>",
        results="<p>Rund 80 Teilnehmende.</p>",
    )
    event.topics.add(topic)
    document = EventDocument(event=event, title="Protokoll")
    document.file.save("protokoll.pdf", ContentFile(b"%PDF-1.4 test"), save=True)

    body = client.get("/termine/forum/").content.decode()

    assert "<h1>1. Regionalforum</h1>" in body
    assert "Stadthalle Oschatz" in body
    assert "Stufenlos erreichbar" in body
    assert 'href="/termine/forum.ics"' in body
    assert "Zum Kalender hinzufügen" in body
    assert "Marktstände" in body
    assert "<script>alert" not in body
    assert "Dokumentation" in body
    assert "Rund 80 Teilnehmende." in body
    assert ">Protokoll</a>" in body
    assert "(PDF, " in body
    assert 'href="/themen/radverkehr-test/"' in body
    document.file.delete(save=False)


def test_cancelled_event_says_so_in_words(client):
    EventFactory(
        slug="abgesagt",
        title="Forum",
        status=EventStatus.CANCELLED,
        status_note="Wegen Krankheit.",
        takes_registrations=True,
        capacity=10,
    )
    body = client.get("/termine/abgesagt/").content.decode()
    assert "<title>Abgesagt: Forum – Oschatzer Land – Collmregion</title>" in body
    assert "<strong>Abgesagt</strong> – Wegen Krankheit." in body
    assert "Diese Veranstaltung findet nicht statt." in body
    assert "Anmeldung geschlossen." in body
    assert "Jetzt anmelden" not in body


def test_detail_shows_places_left_and_deadline(client):
    event = EventFactory(
        slug="forum",
        takes_registrations=True,
        capacity=10,
        registration_deadline=datetime(2099, 1, 13, 23, 59, tzinfo=BERLIN),
        starts_at=datetime(2099, 1, 20, 18, tzinfo=BERLIN),
        ends_at=datetime(2099, 1, 20, 20, tzinfo=BERLIN),
    )
    RegistrationFactory(event=event, persons=7)

    body = client.get("/termine/forum/").content.decode()

    assert "<strong>Noch 3 Plätze frei</strong> von 10." in body
    assert "Anmeldung bis Dienstag, 13. Januar 2099, 23:59 Uhr möglich." in body
    assert 'href="/termine/forum/anmeldung/"' in body


def test_full_event_offers_the_waiting_list(client):
    event = EventFactory(slug="voll", takes_registrations=True, capacity=2)
    RegistrationFactory(event=event, persons=2)
    RegistrationFactory(event=event, status="waiting")

    body = client.get("/termine/voll/").content.decode()

    assert "Ausgebucht." in body
    assert "1 Anmeldung steht auf der Warteliste." in body
    assert "Auf die Warteliste setzen" in body


def test_detail_query_count(client, django_assert_num_queries):
    event = EventFactory(slug="forum", takes_registrations=True, capacity=10)
    # 7 queries: the content version of the page cache (its counter and, as content
    # changed, the next due moment), the event with its municipality,
    # its topics, its documents, the registration counts (one aggregate), the footer's
    # pages.
    with django_assert_num_queries(7):
        client.get("/termine/forum/")
    for _ in range(5):
        RegistrationFactory(event=event)
        event.topics.add(TopicFactory())
    # The content changed, so the menus are read again under the new content version.
    with django_assert_num_queries(7):
        client.get("/termine/forum/")


def test_unknown_event_is_404(client):
    assert client.get("/termine/gibt-es-nicht/").status_code == 404
    assert client.get("/termine/gibt-es-nicht.ics").status_code == 404


def test_home_municipality_and_topic_pages_show_next_events(client, django_assert_num_queries):
    oschatz = MunicipalityFactory(slug="oschatz")  # from the data migration
    topic = TopicFactory(slug="radverkehr")
    forum = _event("forum-oschatz", 5, municipality=oschatz, title="Kommunalforum Oschatz")
    forum.topics.add(topic)
    _event("forum-elsewhere", 6, title="Kommunalforum Anderswo")
    _event("past-oschatz", -5, municipality=oschatz, title="Vorbei in Oschatz")

    home = client.get("/").content.decode()
    place = client.get("/kommunen/oschatz/").content.decode()
    theme = client.get("/themen/radverkehr/").content.decode()

    assert "Nächste Termine" in home
    assert "Kommunalforum Oschatz" in home
    assert "Kommunalforum Anderswo" in home
    assert "Nächste Termine in Oschatz" in place
    assert "Kommunalforum Oschatz" in place
    assert "Kommunalforum Anderswo" not in place
    assert "Vorbei in Oschatz" not in place
    assert "Kommunalforum Oschatz" in theme
    assert "Kommunalforum Anderswo" not in theme


def test_upcoming_events_cost_one_query_and_their_tag_none(django_assert_num_queries):
    from django.template import Context, Template

    from events.selectors import event_list_next

    for n in range(5):
        _event(f"e{n}", n + 1)
    with django_assert_num_queries(1):
        events = event_list_next(limit=3)
    template = Template("{% load events_tags %}{% upcoming_events upcoming_events %}")
    with django_assert_num_queries(0):
        html = template.render(Context({"upcoming_events": events}))
    assert html.count('<li class="event-item') == 3
