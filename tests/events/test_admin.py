"""Staff: the event admin, the registration list, the CSV export and who may use them."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail

from events.models import Event, Registration, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _staff(*codenames):
    user = User.objects.create_user("redaktion", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def event():
    event = EventFactory(
        slug="forum", title="Kommunalforum Liebschützberg", takes_registrations=True, capacity=3
    )
    RegistrationFactory(
        event=event,
        name="Jörg Müßig",
        email="joerg@example.org",
        persons=2,
        accessibility_needs="Gebärdensprache",
    )
    RegistrationFactory(event=event, name="=HYPERLINK(1)", email="x@example.org", persons=1)
    RegistrationFactory(event=event, name="Wartende Öztürk", status="waiting")
    return event


def _csv_rows(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def _export(client, event):
    return client.post(
        "/admin/events/registration/",
        {
            "action": "export_csv",
            "_selected_action": list(
                Registration.objects.filter(event=event).values_list("pk", flat=True)
            ),
        },
    )


def test_csv_export_has_bom_umlauts_and_every_registration(admin_client, event):
    response = _export(admin_client, event)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="anmeldungen.csv"'
    header, *rows = _csv_rows(response)
    assert header[:6] == [
        "Veranstaltung",
        "Beginn",
        "Name",
        "E-Mail-Adresse",
        "Anzahl der Personen",
        "Status",
    ]
    by_name = {row[2]: row for row in rows}
    assert by_name["Jörg Müßig"][0] == "Kommunalforum Liebschützberg"
    assert by_name["Jörg Müßig"][3:7] == ["joerg@example.org", "2", "Bestätigt", "Gebärdensprache"]
    assert by_name["Wartende Öztürk"][5] == "Warteliste"
    # A name that looks like a spreadsheet formula is defused.
    assert "'=HYPERLINK(1)" in by_name


def test_event_action_exports_its_registrations(admin_client, event):
    EventFactory(slug="other")
    response = admin_client.post(
        "/admin/events/event/",
        {"action": "export_registrations", "_selected_action": [event.pk]},
    )
    assert len(_csv_rows(response)) == 4


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("staff-without-permission", 403),
        ("staff-who-may-view-registrations", "csv"),
        ("superuser", "csv"),
    ],
)
def test_who_may_export_registrations(client, event, who, expected):
    if who == "staff-without-permission":
        client.force_login(_staff("view_event"))
    elif who == "staff-who-may-view-registrations":
        client.force_login(_staff("view_registration"))
    elif who == "superuser":
        client.force_login(User.objects.create_superuser("admin", password="x"))

    response = _export(client, event)

    if expected == "login":
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    elif expected == 403:
        assert response.status_code == 403
    else:
        assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_public_pages_never_show_registrants(client, event):
    body = client.get("/termine/forum/").content.decode()
    assert "Müßig" not in body
    assert "joerg@example.org" not in body


def test_admin_pages_render_with_inline_registrations(admin_client, event):
    change = admin_client.get(f"/admin/events/event/{event.pk}/change/")
    listing = admin_client.get("/admin/events/registration/?status__exact=waiting")
    events = admin_client.get("/admin/events/event/")

    assert "Jörg Müßig" in change.content.decode()
    assert "Wartende Öztürk" in listing.content.decode()
    assert "Jörg Müßig" not in listing.content.decode()
    assert "3/3 (+1 auf der Warteliste)" in events.content.decode()


def test_saving_in_admin_raises_sequence_only_for_calendar_changes(admin_client, event):
    url = f"/admin/events/event/{event.pk}/change/"
    form = {
        "title": event.title,
        "slug": event.slug,
        "kind": event.kind,
        "status": "planned",
        "publication": "published",
        "publish_at_0": "",
        "publish_at_1": "",
        "status_note": "",
        "starts_at_0": "20.01.2099",
        "starts_at_1": "18:00:00",
        "ends_at_0": "20.01.2099",
        "ends_at_1": "20:00:00",
        "venue_name": event.venue_name,
        "address": event.address,
        "municipality": event.municipality_id,
        "venue_accessibility": "",
        "online_url": "",
        "description": event.description,
        "takes_registrations": "on",
        "capacity": "3",
        "registration_deadline_0": "",
        "registration_deadline_1": "",
        "results": "",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }
    assert admin_client.post(url, form).status_code == 302
    first = Event.objects.get(pk=event.pk).sequence

    assert admin_client.post(url, {**form, "results": "<p>Ergebnisse</p>"}).status_code == 302
    unchanged = Event.objects.get(pk=event.pk).sequence
    assert admin_client.post(url, {**form, "starts_at_1": "17:00:00"}).status_code == 302

    assert first == 1  # the date moved from the factory's to 2099
    assert unchanged == 1  # documentation is not in the calendar
    assert Event.objects.get(pk=event.pk).sequence == 2


def test_admin_cancel_action_moves_the_waiting_list_up(admin_client, event):
    joerg = Registration.objects.get(name="Jörg Müßig")
    mail.outbox.clear()

    admin_client.post(
        "/admin/events/registration/",
        {"action": "cancel_registrations", "_selected_action": [joerg.pk]},
    )

    assert Registration.objects.get(name="Wartende Öztürk").status == RegistrationStatus.CONFIRMED
    assert len(mail.outbox) == 2


def test_cancel_event_action_raises_sequence(admin_client, event):
    admin_client.post(
        "/admin/events/event/", {"action": "mark_cancelled", "_selected_action": [event.pk]}
    )
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert event.sequence == 1
