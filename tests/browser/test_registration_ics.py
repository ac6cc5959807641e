"""A resident on a phone sees the free places in the list, registers, confirms and gets the
event as an .ics attachment that a calendar imports; the event page shows how to get there."""

import re
from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from portal.models import Municipality
from tests.browser.conftest import PHONE
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_and_receive_the_ics_attachment(
    page, live_server, check_accessible, foreign_requests, settings
):
    settings.SPAM_MIN_FILL_SECONDS = 0  # a browser script fills the form faster than a person
    starts_at = (timezone.localtime() + timedelta(days=20)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    event = EventFactory(
        slug="kommunalforum-muegeln",
        title="Kommunalforum Mügeln",
        municipality=Municipality.objects.get(slug="muegeln"),
        venue_name="Rathaus Mügeln, Ratssaal",
        address="Markt 1, 04769 Mügeln",
        transit_stop="Bushaltestelle Mügeln, Markt",
        latitude=Decimal("51.23610"),
        longitude=Decimal("13.04690"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        takes_registrations=True,
        capacity=30,
    )
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/termine/")
    assert "noch 30 Plätze frei" in page.locator(".event-item").first.inner_text()
    page.get_by_role("link", name="Kommunalforum Mügeln").click()
    directions = page.locator(".event-directions")
    assert "Mit Bus und Bahn: Bushaltestelle Mügeln, Markt." in directions.inner_text()
    assert directions.locator("svg[role=img] .region-map__marker").count() == 1
    check_accessible(page)

    page.get_by_role("link", name=re.compile("Jetzt anmelden")).click()
    page.get_by_label("Name").fill("Jörg Schütze")
    page.get_by_label("E-Mail-Adresse").fill("joerg@example.org")
    page.get_by_label("Anzahl der Personen").fill("2")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Anmelden").click()
    (request_mail,) = mail.outbox
    assert request_mail.attachments == []  # not confirmed yet: maybe a stranger's address
    path = re.search(r"https?://[^/\s]+(/termine/\S+/bestaetigung/\S+/)", request_mail.body)
    page.goto(live_server.url + path.group(1))
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    assert "Vielen Dank, Sie sind angemeldet." in page.locator(".messages").inner_text()

    confirmation = mail.outbox[-1]
    assert confirmation.to == ["joerg@example.org"]
    assert "Kalenderdatei (.ics)" in confirmation.body
    ((filename, content, mimetype),) = confirmation.attachments
    assert (filename, mimetype) == ("kommunalforum-muegeln.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["METHOD"] == "PUBLISH"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == f"{event.uid}@termine.oschatzerland.de"
    assert vevent.decoded("DTSTART") == starts_at
    assert str(vevent.decoded("DTSTART").tzinfo) == "Europe/Berlin"
    assert str(vevent["LOCATION"]) == "Rathaus Mügeln, Ratssaal, Markt 1, 04769 Mügeln"
    # The attachment is the same event the page offers for download (same UID, same data).
    download = icalendar.Calendar.from_ical(
        page.request.get(live_server.url + event.get_ics_url()).body()
    )
    (offered,) = download.walk("VEVENT")
    assert offered["UID"] == vevent["UID"]
    assert offered.decoded("DTSTART") == vevent.decoded("DTSTART")

    page.goto(live_server.url + "/termine/")
    assert "noch 28 Plätze frei" in page.locator(".event-item").first.inner_text()
    assert foreign_requests == []
