"""Impressum (§ 5 DDG, § 18 MStV) and Datenschutzerklärung (Art. 13 DSGVO) as seeded: every
required item, and every retention period the code enforces, read from the settings so the
text cannot drift from what the code does."""

import re

import pytest
from django.conf import settings

from portal.models import Municipality, Page

pytestmark = pytest.mark.django_db


def _text(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _duration(seconds: int) -> str:
    """A period as the privacy notice writes it: "1 Stunde", "3 Tagen" (dative)."""
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} Tag" if days == 1 else f"{days} Tagen"
    assert seconds % 3600 == 0, "write the period in the privacy notice by hand"
    hours = seconds // 3600
    return f"{hours} Stunde" if hours == 1 else f"{hours} Stunden"


def test_privacy_notice_names_every_retention_period_the_code_enforces(client):
    body = _text(client, "/datenschutz/")
    enforced = [
        # events.retention.registrations_purge (purge_registrations, daily)
        f"{settings.EVENTS_REGISTRATION_RETENTION_DAYS} Tage nach dem Ende der Veranstaltung",
        f"{settings.EVENTS_REGISTRATION_RETENTION_DAYS} Tage nach der Veranstaltung",
        # unconfirmed registrations (double opt-in) and the "already registered" mail
        f"innerhalb von {settings.EVENTS_REGISTRATION_CONFIRM_MINUTES} Minuten",
        f"in {settings.EVENTS_REGISTRATION_CONFIRM_MINUTES} Minuten höchstens eine Nachricht",
        # the survey's session cookie
        f"verfallen nach {_duration(settings.SESSION_COOKIE_AGE)}",
        # form rate-limit counters (portal.spam)
        f"Ein Zähler gilt {_duration(settings.SPAM_RATE_WINDOW)}",
        # admin login lock (django-axes)
        f"nach {settings.AXES_FAILURE_LIMIT} Fehlversuchen ist die Anmeldung "
        f"{_duration(settings.AXES_COOLOFF_TIME * 3600)} gesperrt",
        # disclosure control of the results
        f"weniger als {settings.SURVEY_MIN_GROUP_SIZE} Antworten",
    ]
    missing = [phrase for phrase in enforced if phrase not in body]
    assert not missing, missing


def test_privacy_notice_covers_every_processing_per_article_13(client):
    body = _text(client, "/datenschutz/")
    for processing in [
        "Server-Protokolle",
        "Cookies",
        "Bürgerbefragungen",
        "Ideen",
        "Kontaktformular",
        "Anmeldungen zu Veranstaltungen",
        "E-Mails des Portals",
        "Anmeldung der Redaktion",
    ]:
        assert re.search(rf"<h2[^>]*>[^<]*{processing}[^<]*</h2>", body), processing
    # Purpose, legal basis and retention for each of the six processings with sections.
    assert body.count("<strong>Zweck:</strong>") >= 5
    assert body.count("<strong>Rechtsgrundlage:</strong>") >= 5
    assert body.count("<strong>Speicherdauer:</strong>") >= 5
    for item in [
        "Große Kreisstadt Oschatz",  # the controller
        "Neumarkt 1, 04758 Oschatz",
        "Datenschutzbeauftragte",
        "Art. 28 DSGVO",  # processors
        "Auskunft (Art. 15 DSGVO)",
        "Widerspruch",
        "Sächsische Datenschutz- und Transparenzbeauftragte",
        "Devrientstraße 5, 01067 Dresden",
        settings.CONTACT_EMAIL,
    ]:
        assert item in body, item


def test_impressum_has_every_item_ddg_and_mstv_require(client):
    body = _text(client, "/impressum/")
    head = Municipality.objects.get(slug="oschatz")
    for item in [
        "§ 5 Digitale-Dienste-Gesetz",
        "Große Kreisstadt Oschatz",
        "Neumarkt 1<br>04758 Oschatz",  # address
        "Gebietskörperschaft des öffentlichen Rechts",  # legal form
        f"vertreten durch den {head.head_title} {head.head_name}",  # representative
        "Telefon:",
        f'href="mailto:{settings.CONTACT_EMAIL}"',
        "Aufsichtsbehörde",
        "Landesdirektion Sachsen",
        "Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV",
        f"{head.head_name}, {head.head_title} der Großen Kreisstadt Oschatz, Neumarkt 1",
        "© GeoBasis-DE / BKG 2021",  # the maps' attribution
    ]:
        assert item in body, item


def test_unverified_facts_are_marked_as_sample_data():
    """What the project could not verify is marked for staff, never passed off as fact."""
    for slug in ["impressum", "datenschutz"]:
        body = Page.objects.get(slug=slug).body
        assert "Beispieldaten" in body
