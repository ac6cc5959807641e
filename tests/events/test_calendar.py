"""Calendar files (.ics): parsed back with the icalendar library, across DST changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events import services
from events.models import EventStatus
from tests.factories import EventFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _vevents(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, calendar.walk("VEVENT")


def test_event_ics_has_uid_status_timezone_location_and_url(client, settings):
    settings.SITE_URL = "https://oschatzerland.example"
    event = EventFactory(
        title="Kommunalforum Mügeln",
        slug="kommunalforum-muegeln",
        venue_name="Rathaus Mügeln",
        address="Markt 1, 04769 Mügeln",
        starts_at=datetime(2026, 12, 3, 18, 30, tzinfo=BERLIN),
        ends_at=datetime(2026, 12, 3, 20, 30, tzinfo=BERLIN),
    )

    response = client.get("/termine/kommunalforum-muegeln.ics")

    calendar, (vevent,) = _vevents(response)
    assert response["Content-Disposition"] == 'attachment; filename="kommunalforum-muegeln.ics"'
    assert str(calendar["version"]) == "2.0"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(vevent["uid"]) == f"{event.uid}@termine.oschatzerland.de"
    assert vevent["sequence"] == 0
    assert str(vevent["status"]) == "CONFIRMED"
    assert str(vevent["summary"]) == "Kommunalforum Mügeln"
    assert str(vevent["location"]) == "Rathaus Mügeln, Markt 1, 04769 Mügeln"
    assert str(vevent["url"]) == "https://oschatzerland.example/termine/kommunalforum-muegeln/"
    assert vevent["dtstart"].params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("dtstart") == datetime(2026, 12, 3, 18, 30, tzinfo=BERLIN)
    assert vevent["dtstamp"].dt.tzinfo is not None
    assert b"DTSTART;TZID=Europe/Berlin:20261203T183000" in response.content


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        # Last Sunday of October 2026: clocks go back at 03:00 CEST -> 02:00 CET.
        (datetime(2026, 10, 25, 10, 0, tzinfo=BERLIN), datetime(2026, 10, 25, 9, 0, tzinfo=UTC)),
        # The night of the change itself: 01:30 is still summer time (UTC+2).
        (datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN), datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
        # Summer: UTC+2.
        (datetime(2026, 7, 15, 10, 0, tzinfo=BERLIN), datetime(2026, 7, 15, 8, 0, tzinfo=UTC)),
    ],
    ids=["october-dst-end", "night-of-change", "summer"],
)
def test_ics_times_are_correct_in_utc_across_daylight_saving(client, local, utc):
    starts_at = local
    EventFactory(slug="forum", starts_at=starts_at, ends_at=starts_at.replace(hour=local.hour + 2))

    _, (vevent,) = _vevents(client.get("/termine/forum.ics"))

    assert vevent["dtstart"].dt.astimezone(UTC) == utc
    assert vevent["dtstart"].dt.strftime("%H:%M") == local.strftime("%H:%M")


def test_event_page_shows_local_times_in_summer_and_after_dst_end(client):
    EventFactory(
        slug="herbst",
        starts_at=datetime(2026, 10, 25, 10, 0, tzinfo=BERLIN),
        ends_at=datetime(2026, 10, 25, 12, 30, tzinfo=BERLIN),
    )
    EventFactory(
        slug="sommer",
        starts_at=datetime(2026, 7, 15, 10, 0, tzinfo=BERLIN),
        ends_at=datetime(2026, 7, 15, 12, 0, tzinfo=BERLIN),
    )

    autumn = client.get("/termine/herbst/").content.decode()
    summer = client.get("/termine/sommer/").content.decode()

    assert "Sonntag, 25. Oktober 2026" in autumn
    assert "10:00 bis 12:30 Uhr" in autumn
    assert 'datetime="2026-10-25T10:00:00+01:00"' in autumn
    assert "Mittwoch, 15. Juli 2026" in summer
    assert "10:00 bis 12:00 Uhr" in summer
    assert 'datetime="2026-07-15T10:00:00+02:00"' in summer


def test_uid_stays_and_sequence_rises_when_calendar_fields_change(client):
    event = EventFactory(slug="forum")
    uid = str(_vevents(client.get("/termine/forum.ics"))[1][0]["uid"])

    event.venue_name = "Stadthalle"
    services.event_save(event=event, changed_fields=["venue_name"])
    services.event_set_status(event=event, status=EventStatus.CANCELLED)

    _, (vevent,) = _vevents(client.get("/termine/forum.ics"))
    assert str(vevent["uid"]) == uid
    assert vevent["sequence"] == 2
    assert str(vevent["status"]) == "CANCELLED"
    assert str(vevent["summary"]).startswith("ABGESAGT: ")


def test_sequence_stays_when_only_registration_settings_change():
    event = EventFactory()
    event.capacity = 50
    event.takes_registrations = True

    services.event_save(event=event, changed_fields=["capacity", "takes_registrations"])

    event.refresh_from_db()
    assert event.sequence == 0


def test_postponed_event_is_tentative_in_the_calendar(client):
    EventFactory(slug="forum", status=EventStatus.POSTPONED, title="Forum")

    _, (vevent,) = _vevents(client.get("/termine/forum.ics"))

    assert str(vevent["status"]) == "TENTATIVE"
    assert str(vevent["summary"]) == "VERSCHOBEN: Forum"


def test_feed_lists_all_events_or_one_municipality(client):
    oschatz = MunicipalityFactory(slug="oschatz-test", name="Oschatz Test")
    EventFactory(slug="in-oschatz", municipality=oschatz)
    EventFactory(slug="elsewhere")
    EventFactory(slug="cancelled", status=EventStatus.CANCELLED)

    calendar, everything = _vevents(client.get("/termine/kalender.ics"))
    _, only_oschatz = _vevents(client.get("/termine/kalender.ics?kommune=oschatz-test"))

    assert len(everything) == 3
    assert {str(v["status"]) for v in everything} == {"CONFIRMED", "CANCELLED"}
    assert str(calendar["x-wr-calname"]) == "Termine – Oschatzer Land"
    assert [str(v["url"]).rsplit("/", 2)[-2] for v in only_oschatz] == ["in-oschatz"]
    assert client.get("/termine/kalender.ics?kommune=nirgendwo").status_code == 404


def test_empty_feed_is_still_a_valid_calendar(client):
    calendar, vevents = _vevents(client.get("/termine/kalender.ics"))
    assert vevents == []
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_feed_query_count_is_constant(client, django_assert_num_queries):
    EventFactory()
    # 3 queries: the content version of the page cache (its counter and, as content
    # changed, the next due moment), the events with their municipality.
    with django_assert_num_queries(3):
        client.get("/termine/kalender.ics")
    for _ in range(5):
        EventFactory()
    with django_assert_num_queries(3):
        client.get("/termine/kalender.ics")
