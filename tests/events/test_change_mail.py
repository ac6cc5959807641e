"""The event as an .ics attachment of the registration mails, and the mail registrants get
when the date, time or place changes (not only when the status changes)."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from events import services
from events.models import Event, RegistrationStatus
from events.retention import registrations_purge
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    return EventFactory(
        slug="forum",
        title="Kommunalforum Mügeln",
        takes_registrations=True,
        capacity=2,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue_name="Ratssaal",
        address="Markt 1, 04769 Mügeln",
    )


def _register(event, email, persons=1):
    registration = services.registration_create(
        event=event, name="Anna Übel", email=email, persons=persons, accessibility_needs=""
    ).registration
    services.registration_confirm(registration=registration)
    registration.refresh_from_db()
    return registration


def _ics(message) -> icalendar.Calendar:
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert (filename, mimetype) == ("forum.ics", "text/calendar")
    return icalendar.Calendar.from_ical(content)


def _vevent(calendar):
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def test_confirmation_carries_the_event_as_ics(event):
    mail.outbox.clear()
    _register(event, "a@example.org")

    request, message = mail.outbox
    assert request.attachments == []  # the request to confirm: maybe a stranger's address
    assert message.subject.startswith("Anmeldung bestätigt")
    assert "Kalenderdatei (.ics)" in message.body
    calendar = _ics(message)
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    vevent = _vevent(calendar)
    assert vevent["UID"] == f"{event.uid}@termine.oschatzerland.de"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert str(vevent.decoded("DTSTART").tzinfo) == "Europe/Berlin"
    assert "Ratssaal, Markt 1, 04769 Mügeln" in str(vevent["LOCATION"])


def test_confirmation_request_and_waiting_list_carry_no_ics(event):
    _register(event, "a@example.org", persons=2)
    mail.outbox.clear()
    services.registration_create(
        event=event, name="B", email="b@example.org", persons=1, accessibility_needs=""
    )
    (request,) = mail.outbox
    assert request.attachments == []  # not confirmed: maybe a stranger's address


def test_new_time_tells_registered_and_waiting_with_updated_ics(event):
    confirmed = _register(event, "a@example.org", persons=2)
    waiting = _register(event, "b@example.org")
    assert waiting.status == RegistrationStatus.WAITING
    gone = _register(event, "c@example.org")
    services.registration_cancel(registration=gone)
    services.registration_create(  # never confirmed: may be a stranger's address
        event=event, name="D", email="d@example.org", persons=1, accessibility_needs=""
    )
    mail.outbox.clear()

    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    services.event_save(event=event, changed_fields=["starts_at", "ends_at"])

    assert sorted(m.to[0] for m in mail.outbox) == [confirmed.email, waiting.email]
    for message in mail.outbox:
        assert message.subject.startswith("Geänderter Termin: Kommunalforum Mügeln")
        assert "Datum, Uhrzeit oder Ort" in message.body
        assert "/termine/forum/abmeldung/" in message.body
        vevent = _vevent(_ics(message))
        assert vevent.decoded("DTSTART") == event.starts_at
        assert vevent["SEQUENCE"] == 1  # the same UID, a later revision: calendars update
    waiting_mail = next(m for m in mail.outbox if m.to == [waiting.email])
    assert "Warteliste" in waiting_mail.body


def test_new_place_tells_registrants(event):
    _register(event, "a@example.org")
    mail.outbox.clear()
    event.address = "Schulstraße 2, 04769 Mügeln"
    services.event_save(event=event, changed_fields=["address"])
    (message,) = mail.outbox
    assert "Schulstraße 2" in message.body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "<p>Neue Tagesordnung</p>"),
        ("title", "Kommunalforum Mügeln 2026"),
        ("venue_accessibility", "Rampe am Seiteneingang"),
        ("capacity", 3),
    ],
)
def test_other_changes_send_nothing(event, field, value):
    _register(event, "a@example.org")
    mail.outbox.clear()
    setattr(event, field, value)
    services.event_save(event=event, changed_fields=[field])
    assert mail.outbox == []


def test_no_change_mail_after_the_event_or_after_the_purge(event):
    _register(event, "a@example.org")
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=40), ends_at=timezone.now() - timedelta(days=40)
    )
    registrations_purge(retention_days=30)
    event.refresh_from_db()
    mail.outbox.clear()
    # Staff correct the documented date months later: nobody hears of it.
    event.address = "Schulstraße 2, 04769 Mügeln"
    services.event_save(event=event, changed_fields=["address"])
    assert mail.outbox == []


def test_cancelling_sends_the_cancelled_ics(event):
    _register(event, "a@example.org")
    mail.outbox.clear()
    services.event_set_status(event=event, status="cancelled")
    (message,) = mail.outbox
    vevent = _vevent(_ics(message))
    assert vevent["STATUS"] == "CANCELLED"


def _admin_form(event, **changes):
    local = timezone.localtime(event.starts_at)
    end = timezone.localtime(event.ends_at)
    form = {
        "title": event.title,
        "slug": event.slug,
        "kind": event.kind,
        "status": "planned",
        "status_note": "",
        "publication": "published",
        "publish_at_0": "",
        "publish_at_1": "",
        "starts_at_0": local.strftime("%d.%m.%Y"),
        "starts_at_1": local.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%d.%m.%Y"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "venue_name": event.venue_name,
        "address": event.address,
        "municipality": event.municipality_id or "",
        "venue_accessibility": "",
        "transit_stop": "",
        "latitude": "",
        "longitude": "",
        "online_url": "",
        "description": event.description,
        "takes_registrations": "on",
        "capacity": str(event.capacity),
        "registration_deadline_0": "",
        "registration_deadline_1": "",
        "results": "",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }
    return {**form, **changes}


def test_admin_save_mails_only_when_date_or_place_changes(admin_client, event):
    _register(event, "a@example.org")
    RegistrationFactory(event=event, email="weg@example.org", status="cancelled")
    url = f"/admin/events/event/{event.pk}/change/"
    mail.outbox.clear()

    # Saving the unchanged form and a new description: nothing.
    assert admin_client.post(url, _admin_form(event)).status_code == 302
    response = admin_client.post(url, _admin_form(event, description="<p>Neu</p>"))
    assert response.status_code == 302
    assert mail.outbox == []

    response = admin_client.post(url, _admin_form(event, venue_name="Turnhalle"))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "Turnhalle" in mail.outbox[0].body
