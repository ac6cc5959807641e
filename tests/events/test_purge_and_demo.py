"""Deleting personal data after the event, checked uploads, and the demo content."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, EventDocument, Registration
from events.validators import validate_document
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _ended(days_ago: int, slug: str) -> Event:
    ends_at = timezone.now() - timedelta(days=days_ago)
    return EventFactory(
        slug=slug,
        starts_at=ends_at - timedelta(hours=2),
        ends_at=ends_at,
        takes_registrations=True,
        capacity=50,
    )


def test_purge_deletes_personal_data_after_retention_and_keeps_counts(settings, caplog):
    settings.EVENTS_REGISTRATION_RETENTION_DAYS = 30
    old = _ended(31, "old")
    recent = _ended(29, "recent")
    for n in range(3):
        RegistrationFactory(
            event=old,
            name=f"Jörg {n}",
            email=f"old{n}@example.org",
            persons=2,
            accessibility_needs="Rampe",
        )
    RegistrationFactory(event=recent, name="Keep Me", email="keep@example.org")
    out = io.StringIO()

    with caplog.at_level(logging.INFO, logger="events"):
        call_command("purge_registrations", stdout=out)

    purged = Registration.objects.filter(event=old)
    assert purged.count() == 3
    assert sum(r.persons for r in purged) == 6  # the numbers stay
    assert set(purged.values_list("name", "email", "accessibility_needs", "cancel_token")) == {
        ("", "", "", None)
    }
    assert all(r.anonymised_at for r in purged)
    assert Registration.objects.get(event=recent).email == "keep@example.org"
    assert "3 Anmeldung(en) zu 1 Termin(en)" in out.getvalue()
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "registrations purged" in logged
    assert "Jörg" not in logged
    assert "example.org" not in logged


def test_purge_is_idempotent_and_honours_days_option():
    event = _ended(10, "ten-days")
    RegistrationFactory(event=event)

    call_command("purge_registrations", stdout=io.StringIO())  # default 30 days: kept
    assert Registration.objects.get().anonymised_at is None
    call_command("purge_registrations", "--days", "7", stdout=io.StringIO())
    out = io.StringIO()
    call_command("purge_registrations", "--days", "7", stdout=out)

    assert Registration.objects.get().anonymised_at is not None
    assert "0 Anmeldung(en)" in out.getvalue()


def test_purged_registration_cancel_link_is_dead_and_not_exported(client, admin_client):
    event = _ended(40, "old")
    registration = RegistrationFactory(event=event)
    link = registration.get_cancel_url()
    call_command("purge_registrations", stdout=io.StringIO())

    assert client.get(link).status_code == 404
    response = admin_client.post(
        "/admin/events/registration/",
        {"action": "export_csv", "_selected_action": [registration.pk]},
    )
    assert len(response.content.decode().splitlines()) == 1  # header only


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("protokoll.pdf", b"%PDF-1.7 ...", True),
        ("folien.pptx", b"PK\x03\x04 ...", True),
        ("foto.png", b"\x89PNG\r\n\x1a\n...", True),
        ("protokoll.pdf", b"<html><script>", False),
        ("virus.exe", b"MZ....", False),
        ("seite.html", b"<html>", False),
    ],
)
def test_uploaded_documents_are_checked(name, content, ok):
    upload = SimpleUploadedFile(name, content)
    upload._committed = False
    if ok:
        validate_document(upload)
    else:
        with pytest.raises(ValidationError):
            validate_document(upload)


def test_too_big_upload_is_refused(settings):
    settings.MAX_UPLOAD_SIZE = 10
    upload = SimpleUploadedFile("gross.pdf", b"%PDF-" + b"x" * 20)
    with pytest.raises(ValidationError, match="zu groß"):
        validate_document(upload)


def test_reserved_slug_is_refused():
    event = EventFactory.build(slug="kalender", municipality=None)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "slug" in error.value.message_dict


def test_demo_seed_is_idempotent_and_realistic(settings, tmp_path):
    from events import demo

    settings.MEDIA_ROOT = tmp_path
    demo.seed(stdout=io.StringIO())
    counts = (Event.objects.count(), Registration.objects.count(), EventDocument.objects.count())
    demo.seed(stdout=io.StringIO())

    assert counts == (
        Event.objects.count(),
        Registration.objects.count(),
        EventDocument.objects.count(),
    )
    forum = Event.objects.get(slug="1-regionalforum-2019")
    assert timezone.localtime(forum.starts_at).strftime("%A %d.%m.%Y %H:%M") == (
        "Monday 04.11.2019 18:00"
    )
    assert "Marktständen" in forum.results
    assert "Logo" in forum.results
    assert forum.documents.get().file.read().startswith(b"%PDF-")
    assert Event.objects.get(slug="buergerforum-collm-2020").status == "cancelled"
    oschatz = Event.objects.get(slug="kommunalforum-oschatz-2027")
    taken = sum(r.persons for r in oschatz.registrations.all())
    assert oschatz.capacity - taken == 3  # nearly full
    statuses = set(Event.objects.filter(kind="kommunalforum").values_list("status", flat=True))
    assert statuses == {"planned", "cancelled", "postponed"}
    assert Event.objects.filter(kind="workshop").exists()
    assert Event.objects.filter(kind="online", municipality=None).exists()
