"""A resident registers for a forum on a phone and cancels through the link in the e-mail."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Registration
from portal.models import Municipality
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _forum():
    starts_at = (timezone.localtime() + timedelta(days=20)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    return EventFactory(
        slug="kommunalforum-muegeln",
        title="Kommunalforum Mügeln",
        municipality=Municipality.objects.get(slug="muegeln"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue_accessibility="Aufzug vorhanden.",
        takes_registrations=True,
        capacity=30,
    )


def test_register_on_a_phone_and_cancel_via_the_mail_link(
    page, live_server, check_accessible, foreign_requests, settings
):
    settings.SPAM_MIN_FILL_SECONDS = 0  # a browser script fills the form faster than a person
    _forum()
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/termine/")
    check_accessible(page)
    page.get_by_role("link", name="Kommunalforum Mügeln").click()
    assert page.locator("h1").inner_text() == "Kommunalforum Mügeln"
    assert "Noch 30 Plätze frei" in page.locator(".registration-box").inner_text()
    check_accessible(page)

    page.get_by_role("link", name=re.compile("Jetzt anmelden")).click()
    check_accessible(page)
    # First try without consent: the error summary and the field message appear.
    page.get_by_label("Name").fill("Jörg Schütze")
    page.get_by_label("E-Mail-Adresse").fill("joerg@example.org")
    page.get_by_label("Anzahl der Personen").fill("2")
    with page.expect_navigation():  # the form goes to the server: wait for its answer
        page.get_by_role("button", name="Anmelden").click()
    assert page.title().startswith("Fehler: ")
    assert page.locator(".error-summary").is_visible()
    assert page.get_by_label("Name").input_value() == "Jörg Schütze"
    check_accessible(page)

    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Anmelden").click()
    assert "bitte bestätigen Sie Ihre Anmeldung" in page.locator(".messages").inner_text()
    # Not counted before the address is confirmed (double opt-in).
    assert "Noch 30 Plätze frei" in page.locator(".registration-box").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_accessible(page)

    # Double opt-in: the link in the mail asks, the button confirms.
    (request_mail,) = mail.outbox
    path = re.search(r"https?://[^/\s]+(/termine/\S+/bestaetigung/\S+/)", request_mail.body)
    page.goto(live_server.url + path.group(1))
    assert page.locator("h1").inner_text() == "Anmeldung bestätigen"
    check_accessible(page)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    assert "Vielen Dank, Sie sind angemeldet." in page.locator(".messages").inner_text()
    assert "Noch 28 Plätze frei" in page.locator(".registration-box").inner_text()
    check_accessible(page)

    message = mail.outbox[-1]
    path = re.search(r"https?://[^/\s]+(/termine/\S+/abmeldung/\S+/)", message.body).group(1)
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == "Anmeldung stornieren"
    check_accessible(page)
    page.get_by_role("button", name="Ja, meine Anmeldung stornieren").click()
    assert "Ihre Anmeldung wurde storniert." in page.locator(".messages").inner_text()
    assert "Noch 30 Plätze frei" in page.locator(".registration-box").inner_text()
    check_accessible(page)

    # The link used a second time is harmless.
    page.goto(live_server.url + path)
    assert "bereits storniert" in page.locator("main").inner_text()
    check_accessible(page)

    assert Registration.objects.get().status == "cancelled"
    assert foreign_requests == []


def test_event_pages_are_accessible_on_the_desktop(page, live_server, check_accessible):
    _forum()
    page.set_viewport_size(DESKTOP)
    for path in [
        "/termine/?kommune=muegeln",
        "/termine/kommunalforum-muegeln/",
        "/termine/kommunalforum-muegeln/anmeldung/",
        "/termine/x/abmeldung/falsch/",
    ]:
        page.goto(live_server.url + path)
        check_accessible(page)
