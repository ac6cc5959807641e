"""Registering, the waiting list, the cancel link and the e-mails."""

import re
import smtplib
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from events import mails, services
from events.models import EventStatus, Registration, RegistrationStatus
from portal.spam import make_form_token
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def valid(**overrides):
    """The form as a person sends it: filled in for half a minute, with its own token."""
    return {
        "name": "Jürgen Schröder",
        "email": "juergen@example.org",
        "persons": "2",
        "accessibility_needs": "Rollstuhlplatz",
        "consent": "on",
        "started": make_form_token(started=time.time() - 30),
        **overrides,
    }


@pytest.fixture
def event():
    return EventFactory(
        slug="forum", title="Kommunalforum Mügeln", takes_registrations=True, capacity=5
    )


def _register(event, email="a@example.org", persons=1, **kwargs):
    """Register and confirm the address, as a person following the link in the mail."""
    registration = services.registration_create(
        event=event, name="Anna Übel", email=email, persons=persons, **kwargs
    ).registration
    services.registration_confirm(registration=registration)
    registration.refresh_from_db()
    return registration


def _confirm_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/termine/\S+/bestaetigung/\S+/)", message.body).group(1)


def _register_by_form(client, data, **kwargs):
    """Send the form, then confirm with the link from the mail (double opt-in)."""
    client.post("/termine/forum/anmeldung/", data)
    return client.post(_confirm_path(mail.outbox[-1]), **kwargs)


def _cancel_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/termine/\S+/abmeldung/\S+/)", message.body).group(1)


# --- The form -----------------------------------------------------------------------------


def test_registration_form_has_autocomplete_and_limits(client, event):
    body = client.get("/termine/forum/anmeldung/").content.decode()
    assert "<title>Anmeldung zu Kommunalforum Mügeln – Oschatzer Land – Collmregion</title>" in body
    assert 'autocomplete="name"' in body
    assert 'autocomplete="email"' in body
    assert 'min="1" max="5"' in body
    assert "Ich bin einverstanden" in body
    assert "Uhr, Rathaus, Ratssaal" in body  # no stray space before the comma


def test_registration_confirms_redirects_and_mails_a_cancel_link(client, event):
    response = _register_by_form(client, valid(), follow=True)

    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.persons == 2
    assert registration.accessibility_needs == "Rollstuhlplatz"
    assert response.redirect_chain == [("/termine/forum/", 302)]
    assert "Vielen Dank, Sie sind angemeldet." in response.content.decode()
    request_mail, message = mail.outbox
    assert request_mail.subject == "Bitte bestätigen Sie Ihre Anmeldung: Kommunalforum Mügeln"
    assert message.to == ["juergen@example.org"]
    assert message.subject == "Anmeldung bestätigt: Kommunalforum Mügeln"
    assert "Guten Tag Jürgen Schröder," in message.body
    assert "(2 Personen)" in message.body
    assert _cancel_path(message) == f"/termine/forum/abmeldung/{registration.cancel_token}/"
    assert len(registration.cancel_token) >= 40


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "kein-at-zeichen"}, "email", "gültige E-Mail-Adresse"),
        ({"persons": "-1"}, "persons", "größer oder gleich 1"),
        ({"persons": "0"}, "persons", "größer oder gleich 1"),
        ({"persons": "6"}, "persons", "kleiner oder gleich 5"),
        ({"persons": "99999999999999999999"}, "persons", "kleiner oder gleich 5"),
        ({"persons": "zwei"}, "persons", "ganze Zahl"),
        ({"name": ""}, "name", "zwingend erforderlich"),
        ({"consent": ""}, "consent", "zwingend erforderlich"),
    ],
)
def test_bad_input_shows_message_at_field_and_changes_nothing(client, event, data, field, message):
    response = client.post("/termine/forum/anmeldung/", valid(**data))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fehler: Anmeldung zu" in body
    assert 'error-summary"' in body
    assert f'href="#id_{field}"' in body
    assert message in body
    assert f'aria-describedby="id_{field}' in body
    assert 'aria-invalid="true"' in body
    assert 'value="Jürgen Schröder"' in body or field == "name"
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_garbage_post_never_fails(client, event):
    response = client.post("/termine/forum/anmeldung/", {"persons": ["1", "2"], "x": "\x00"})
    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_same_email_twice_in_other_case_makes_no_second_registration(client, event):
    client.post("/termine/forum/anmeldung/", valid())

    response = client.post("/termine/forum/anmeldung/", valid(email="JUERGEN@Example.org"))

    # Answered like the first (the form does not tell who is registered), but stored once.
    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 1


def test_database_refuses_a_duplicate_email_whatever_the_case(event):
    RegistrationFactory(event=event, email="eva@example.org")
    with pytest.raises(IntegrityError):
        RegistrationFactory(event=event, email="EVA@example.org")


def test_cancelled_person_may_register_again(event):
    first = _register(event, email="eva@example.org")
    services.registration_cancel(registration=first)

    again = _register(event, email="Eva@example.org")

    assert again.status == RegistrationStatus.CONFIRMED


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"status": EventStatus.CANCELLED}, "wurde abgesagt"),
        ({"status": EventStatus.POSTPONED}, "wurde verschoben"),
        ({"registration_deadline_days": -1}, "Der Anmeldeschluss war am"),
        ({"starts_days": -3}, "bereits stattgefunden"),
    ],
    ids=["cancelled", "postponed", "after-deadline", "past"],
)
def test_closed_registration_says_why_and_changes_nothing(client, event, changes, text):
    now = timezone.now()
    if "status" in changes:
        event.status = changes["status"]
    if "registration_deadline_days" in changes:
        event.registration_deadline = now + timedelta(days=changes["registration_deadline_days"])
    if "starts_days" in changes:
        event.starts_at = now + timedelta(days=changes["starts_days"])
        event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()

    page = client.get("/termine/forum/anmeldung/").content.decode()
    response = client.post("/termine/forum/anmeldung/", valid())

    assert text in page
    assert "Anmeldung geschlossen." in page
    assert '<form method="post"' not in page
    assert text in response.content.decode()
    assert Registration.objects.count() == 0
    with pytest.raises(services.RegistrationError, match=text.split()[0]):
        _register(event)


def test_event_without_registration_has_no_form(client):
    EventFactory(slug="offen", takes_registrations=False)
    assert client.get("/termine/offen/anmeldung/").status_code == 404


def test_service_refuses_more_persons_than_allowed(event):
    with pytest.raises(services.RegistrationError) as error:
        _register(event, persons=6)
    assert error.value.field == "persons"
    assert Registration.objects.count() == 0


# --- Capacity and waiting list ------------------------------------------------------------


def test_registration_beyond_capacity_goes_to_the_waiting_list(client, event):
    _register(event, email="a@example.org", persons=4)

    response = _register_by_form(client, valid(), follow=True)

    registration = Registration.objects.get(email="juergen@example.org")
    assert registration.status == RegistrationStatus.WAITING
    assert "Sie stehen auf der Warteliste" in response.content.decode()
    assert mail.outbox[-1].subject == "Sie stehen auf der Warteliste: Kommunalforum Mügeln"
    assert "/abmeldung/" in mail.outbox[-1].body


def test_cancelling_moves_the_waiting_list_up_in_order_and_mails_them(event):
    confirmed = _register(event, email="a@example.org", persons=4)
    big_group = _register(event, email="b@example.org", persons=5)
    first_small = _register(event, email="c@example.org", persons=2)
    second_small = _register(event, email="d@example.org", persons=2)
    third_small = _register(event, email="e@example.org", persons=2)
    assert {r.status for r in (big_group, first_small, second_small, third_small)} == {"waiting"}
    mail.outbox.clear()

    moved = services.registration_cancel(registration=confirmed)

    statuses = dict(Registration.objects.values_list("email", "status"))
    # 5 places free: the group of 5 is first in line and takes them all.
    assert [r.email for r in moved] == ["b@example.org"]
    assert statuses == {
        "a@example.org": "cancelled",
        "b@example.org": "confirmed",
        "c@example.org": "waiting",
        "d@example.org": "waiting",
        "e@example.org": "waiting",
    }
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        "a@example.org": "Anmeldung storniert: Kommunalforum Mügeln",
        "b@example.org": "Ein Platz ist für Sie frei: Kommunalforum Mügeln",
    }
    moved_mail = next(m for m in mail.outbox if m.to == ["b@example.org"])
    assert "von der Warteliste nachgerückt" in moved_mail.body
    assert big_group.cancel_token in moved_mail.body


def test_a_large_group_does_not_block_smaller_ones_behind_it(event):
    confirmed = _register(event, email="a@example.org", persons=2)
    _register(event, email="b@example.org", persons=3)  # fills up: 5 of 5
    _register(event, email="big@example.org", persons=5)
    _register(event, email="small@example.org", persons=2)

    moved = services.registration_cancel(registration=confirmed)

    assert [r.email for r in moved] == ["small@example.org"]
    assert Registration.objects.get(email="big@example.org").status == "waiting"


def test_more_places_in_the_admin_move_people_up(event):
    _register(event, email="a@example.org", persons=5)
    waiting = _register(event, email="b@example.org", persons=2)
    mail.outbox.clear()

    event.capacity = 8
    services.event_save(event=event, changed_fields=["capacity"])

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert waiting.moved_up_at is not None
    assert [m.to for m in mail.outbox] == [["b@example.org"]]


# --- Cancel link --------------------------------------------------------------------------


def test_cancel_link_asks_first_then_cancels_once(client, event):
    _register_by_form(client, valid())
    path = _cancel_path(mail.outbox[-1])

    page = client.get(path)
    assert page.status_code == 200
    assert "Möchten Sie sich wirklich abmelden?" in page.content.decode()
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED  # GET changes nothing

    done = client.post(path, follow=True)
    assert "Ihre Anmeldung wurde storniert." in done.content.decode()
    assert Registration.objects.get().status == RegistrationStatus.CANCELLED

    again = client.post(path)
    assert again.status_code == 200
    assert "bereits storniert" in again.content.decode()
    assert client.get(path).status_code == 200
    assert mail.outbox[-1].subject == "Anmeldung storniert: Kommunalforum Mügeln"
    assert len(mail.outbox) == 3  # confirmation request, confirmation, cancellation


@pytest.mark.parametrize(
    "path",
    [
        "/termine/forum/abmeldung/falsch/",
        "/termine/forum/abmeldung/" + "x" * 500 + "/",
        "/termine/anderes/abmeldung/{token}/",
    ],
    ids=["wrong-token", "huge-token", "token-of-another-event"],
)
def test_wrong_cancel_link_is_a_friendly_404(client, event, path):
    registration = _register(event)
    EventFactory(slug="anderes")

    for method in (client.get, client.post):
        response = method(path.format(token=registration.cancel_token))
        assert response.status_code == 404
        assert "Link ungültig" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_cancel_after_the_event_started_changes_nothing(client, event):
    registration = _register(event)
    event.starts_at = timezone.now() - timedelta(minutes=5)
    event.save()

    response = client.post(registration.get_cancel_url())

    assert "bereits begonnen" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_service_refuses_cancelling_twice(event):
    registration = _register(event)
    services.registration_cancel(registration=registration)
    with pytest.raises(services.RegistrationError):
        services.registration_cancel(registration=registration)


def test_failing_mail_server_does_not_lose_the_registration(event, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no")})

    monkeypatch.setattr(mails.EmailMessage, "send", broken)
    registration = _register(event)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert "registration mail failed" in caplog.text
    assert "example.org" not in caplog.text


def test_cancelling_the_event_tells_everyone_registered(event):
    _register(event, email="a@example.org", persons=5)
    _register(event, email="b@example.org")  # waiting list
    gone = _register(event, email="c@example.org")
    services.registration_cancel(registration=gone)
    event.status_note = "Der Saal ist gesperrt."
    mail.outbox.clear()

    services.event_set_status(event=event, status=EventStatus.CANCELLED)

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Abgesagt: Kommunalforum Mügeln"
    assert "findet nicht statt" in message.body
    assert "/abmeldung/" not in message.body


def test_postponing_the_event_tells_everyone_and_keeps_the_cancel_link(event):
    registration = _register(event, email="a@example.org")
    mail.outbox.clear()

    services.event_set_status(event=event, status=EventStatus.POSTPONED)

    (message,) = mail.outbox
    assert message.subject == "Verschoben: Kommunalforum Mügeln"
    assert registration.cancel_token in message.body
