"""When an event takes place is rendered once per process for each start and end
(``events_tags.event_when``): the same text as the template, and a moved event shows its
new time with the next request."""

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from events.templatetags.events_tags import event_when
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def when(start, end):
    return SimpleNamespace(starts_at=start, ends_at=end)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2027, 3, 2, 18, 0, tzinfo=BERLIN), datetime(2027, 3, 2, 20, 0, tzinfo=BERLIN)),
        (datetime(2027, 3, 2, 22, 0, tzinfo=BERLIN), datetime(2027, 3, 3, 1, 30, tzinfo=BERLIN)),
        # 23:45 UTC is the next day in Berlin: the local day decides.
        (datetime(2027, 7, 1, 21, 30, tzinfo=UTC), datetime(2027, 7, 1, 23, 45, tzinfo=UTC)),
    ],
)
def test_the_same_text_as_the_template(start, end):
    expected = render_to_string("events/includes/event_when.html", {"event": when(start, end)})
    assert event_when(when(start, end)) == expected
    assert event_when(when(start, end)) == expected  # remembered: still the same


def test_language_and_time_zone_are_part_of_the_key():
    start = datetime(2027, 3, 2, 18, 0, tzinfo=BERLIN)
    end = datetime(2027, 3, 2, 20, 0, tzinfo=BERLIN)
    german = event_when(when(start, end))
    assert "Dienstag, 2. März 2027" in german
    with timezone.override(ZoneInfo("America/New_York")):
        assert "12:00" in event_when(when(start, end))
    with translation.override("en"):
        assert "Tuesday" in event_when(when(start, end))
    assert event_when(when(start, end)) == german


def test_a_moved_event_shows_its_new_time_at_once(client):
    """Attack: staff move an event and the list keeps the remembered old time."""
    start = timezone.now().replace(microsecond=0) + timezone.timedelta(days=10)
    event = EventFactory(
        slug="verlegt",
        publication="published",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=2),
    )
    old = timezone.localtime(start).strftime("%H:%M")
    assert old in client.get("/termine/").content.decode()

    event.starts_at = start + timezone.timedelta(hours=5)
    event.ends_at = start + timezone.timedelta(hours=6)
    event.save()

    new = timezone.localtime(event.starts_at).strftime("%H:%M")
    for path in ("/termine/", event.get_absolute_url()):
        body = client.get(path).content.decode()
        assert f"{new} bis" in body
        assert f"{old} bis" not in body
