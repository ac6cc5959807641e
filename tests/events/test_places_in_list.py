"""The event list says how many places are free, or that the event is fully booked (with
or without a waiting list), for all events in one query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _event(slug, capacity=10, **kwargs):
    start = timezone.now() + timedelta(days=7)
    fields = {
        "slug": slug,
        "title": f"Forum {slug}",
        "takes_registrations": True,
        "capacity": capacity,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    return EventFactory(**{**fields, **kwargs})


def _item(body, slug):
    start = body.index(f'href="/termine/{slug}/"')
    return body[start : body.index("</li>", start)]


def test_list_shows_free_places_full_and_waiting_list(client, django_assert_num_queries):
    free = _event("frei", capacity=10)
    RegistrationFactory(event=free, persons=3)
    RegistrationFactory(event=free, persons=2, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=free, persons=4, status=RegistrationStatus.UNCONFIRMED)
    one = _event("einer", capacity=2)
    RegistrationFactory(event=one, persons=1)
    full = _event("voll", capacity=2)
    RegistrationFactory(event=full, persons=2)
    RegistrationFactory(event=full, persons=1, status=RegistrationStatus.WAITING)
    closed = _event("zu", capacity=2, registration_deadline=timezone.now() - timedelta(hours=1))
    RegistrationFactory(event=closed, persons=2)
    _event("ohne", takes_registrations=False, capacity=None)
    for number in range(5):  # more events, no more queries
        RegistrationFactory(event=_event(f"mehr-{number}"), persons=1)

    body = client.get("/termine/").content.decode()
    # Content version, the upcoming events with their places (no page query: the archive is
    # empty, its count kept from the first render for the same filter): the same for 5
    # events or 50. The filter's municipalities come from the worker's memory since the
    # first render (portal.forms.share_choices).
    with django_assert_num_queries(2):
        body = client.get("/termine/?art=").content.decode()

    assert "noch 7 Plätze frei" in _item(body, "frei")
    assert "noch 1 Platz frei" in _item(body, "einer")
    assert "ausgebucht – Anmeldung auf die Warteliste möglich" in _item(body, "voll")
    assert "Warteliste" not in _item(body, "zu")
    assert "ausgebucht" in _item(body, "zu")
    assert "frei" not in _item(body, "ohne")
    assert "ausgebucht" not in _item(body, "ohne")


def test_cancelled_event_says_nothing_about_places(client):
    _event("abgesagt", status="cancelled")
    body = client.get("/termine/").content.decode()
    assert "Plätze frei" not in _item(body, "abgesagt")
