"""A script attacking the registration form: it must neither book out an event nor use the
site to send mail to strangers. Every test drives the real HTTP flow (Django test client,
real PostgreSQL); the figures in the closing report come from the first three tests."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from events.models import Registration, RegistrationStatus
from events.selectors import event_registration_state
from portal.spam import make_form_token
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

URL = "/termine/workshop/anmeldung/"
ATTEMPTS = 40


@pytest.fixture
def workshop():
    return EventFactory(
        slug="workshop", title="Workshop Radwege", takes_registrations=True, capacity=25
    )


def aged_token(seconds=30):
    """A token as a script gets it from the form and then waits `seconds` before sending."""
    return make_form_token(started=time.time() - seconds)


def form_data(i, *, started, persons=1, **extra):
    return {
        "name": f"Bot {i} Besuchen Sie https://spam.example/",
        "email": f"opfer{i}@example.net",
        "persons": str(persons),
        "accessibility_needs": "",
        "consent": "on",
        "started": started,
        **extra,
    }


def places_taken(event) -> int:
    return event_registration_state(event=event).places_taken


def confirmed_places(event) -> int:
    """Places that count as booked: confirmed by the owner of the address."""
    return sum(
        r.persons
        for r in Registration.objects.filter(
            event=event, status=RegistrationStatus.CONFIRMED, confirm_by__isnull=True
        )
    )


def _link(message, kind) -> str:
    return re.search(rf"https?://[^/\s]+(/termine/\S+/{kind}/\S+/)", message.body).group(1)


# --- The script ---------------------------------------------------------------------------


def test_script_reusing_one_token_gets_one_hold_and_one_mail(client, workshop):
    token = aged_token()  # fetched once, waited once, sent 40 times

    statuses = [
        client.post(URL, form_data(i, started=token, persons=10)).status_code
        for i in range(ATTEMPTS)
    ]

    assert Registration.objects.count() == 1
    assert confirmed_places(workshop) == 0
    assert places_taken(workshop) == 10  # one unconfirmed hold, for a short time only
    assert len(mail.outbox) == 1
    assert 500 not in statuses


def test_script_sending_fast_gets_nothing(client, workshop):
    for i in range(ATTEMPTS):
        client.post(URL, form_data(i, started=make_form_token()))

    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_script_with_fresh_paced_tokens_is_stopped_by_the_rate_limit(client, settings, workshop):
    settings.SPAM_RATE_LIMIT = 5

    responses = [
        client.post(URL, form_data(i, started=aged_token(), persons=1)) for i in range(ATTEMPTS)
    ]

    assert Registration.objects.count() == 5
    assert confirmed_places(workshop) == 0
    assert len(mail.outbox) == 5
    assert "mehrere Anmeldungen" in responses[-1].content.decode()
    # None of the mails carries the text the script typed into the name field.
    assert all("spam.example" not in m.body and "Bot" not in m.body for m in mail.outbox)


def test_script_filling_the_honeypot_stores_and_sends_nothing(client, workshop):
    response = client.post(URL, form_data(1, started=aged_token(), website="http://x"))

    assert response.status_code == 302  # pretends success, the script learns nothing
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_one_address_gets_one_confirmation_request_while_it_is_open(client, workshop):
    other = EventFactory(slug="forum", takes_registrations=True, capacity=25)
    data = form_data(1, started=aged_token())
    client.post(URL, data)

    response = Client().post(
        "/termine/forum/anmeldung/", form_data(1, started=aged_token()) | {"email": data["email"]}
    )

    assert response.status_code == 200
    assert "bereits eine Bestätigungsanfrage" in response.content.decode()
    assert Registration.objects.filter(event=other).count() == 0
    assert len(mail.outbox) == 1


def test_unconfirmed_holds_expire_and_free_their_places(client, settings, workshop):
    settings.EVENTS_REGISTRATION_HOLD_MINUTES = 30
    client.post(URL, form_data(1, started=aged_token(), persons=10))
    assert places_taken(workshop) == 10

    later = timezone.now() + timedelta(minutes=31)
    assert event_registration_state(event=workshop, now=later).places_taken == 0

    # The hold ran out: the link no longer confirms anything.
    confirm = _link(mail.outbox[0], "bestaetigung")
    Registration.objects.update(confirm_by=timezone.now() - timedelta(minutes=1))
    response = client.post(confirm)
    assert response.status_code == 404
    assert Registration.objects.count() == 0  # removed lazily, nothing personal kept


def test_purge_command_deletes_expired_holds_and_moves_up_the_waiting_list(workshop):
    RegistrationFactory(event=workshop, persons=10, status="confirmed")
    RegistrationFactory(event=workshop, persons=10, status="confirmed")
    hold = RegistrationFactory(
        event=workshop, persons=5, status="confirmed", confirm_by=timezone.now() - timedelta(1)
    )
    waiting = RegistrationFactory(event=workshop, persons=3, status="waiting")

    call_command("purge_registrations", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed at exit)

    assert not Registration.objects.filter(pk=hold.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    (message,) = mail.outbox
    assert message.to == [waiting.email]


# --- A real person ------------------------------------------------------------------------


def test_person_registers_confirms_and_cancels(client, workshop):
    data = form_data(1, started=aged_token(), persons=2) | {
        "name": "Jürgen Schröder",
        "email": "juergen@example.org",
    }
    response = client.post(URL, data, follow=True)
    assert "Bitte bestätigen Sie" in response.content.decode()
    (request_mail,) = mail.outbox
    assert request_mail.to == ["juergen@example.org"]
    assert "Jürgen" not in request_mail.body
    registration = Registration.objects.get()
    assert registration.confirm_by is not None
    assert confirmed_places(workshop) == 0

    confirm = _link(request_mail, "bestaetigung")
    # Mail scanners follow links with GET: that must not confirm.
    page = client.get(confirm)
    assert page.status_code == 200
    assert "Anmeldung bestätigen" in page.content.decode()
    registration.refresh_from_db()
    assert registration.confirm_by is not None

    response = client.post(confirm, follow=True)
    assert "Vielen Dank, Sie sind angemeldet." in response.content.decode()
    registration.refresh_from_db()
    assert registration.confirm_by is None
    assert registration.status == RegistrationStatus.CONFIRMED
    assert confirmed_places(workshop) == 2
    confirmed_mail = mail.outbox[1]
    assert confirmed_mail.subject == "Anmeldung bestätigt: Workshop Radwege"
    assert "Guten Tag Jürgen Schröder," in confirmed_mail.body

    # The link used again does no harm.
    again = client.post(confirm, follow=True)
    assert "bereits bestätigt" in again.content.decode()
    assert len(mail.outbox) == 2

    cancel = _link(confirmed_mail, "abmeldung")
    client.post(cancel)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_person_on_the_waiting_list_confirms_and_moves_up(client, workshop):
    first = RegistrationFactory(event=workshop, persons=10)
    RegistrationFactory(event=workshop, persons=10)
    RegistrationFactory(event=workshop, persons=5)
    client.post(URL, form_data(1, started=aged_token(), persons=2) | {"email": "eva@example.org"})
    client.post(_link(mail.outbox[0], "bestaetigung"))
    registration = Registration.objects.get(email="eva@example.org")
    assert registration.status == RegistrationStatus.WAITING
    assert registration.confirm_by is None
    assert mail.outbox[1].subject.startswith("Sie stehen auf der Warteliste")

    Client().post(f"/termine/workshop/abmeldung/{first.cancel_token}/")

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert mail.outbox[-1].subject.startswith("Ein Platz ist für Sie frei")


def test_unconfirmed_waiting_entry_does_not_move_up(client, workshop):
    first = RegistrationFactory(event=workshop, persons=10)
    RegistrationFactory(event=workshop, persons=10)
    RegistrationFactory(event=workshop, persons=5)
    client.post(URL, form_data(1, started=aged_token(), persons=2))
    assert Registration.objects.get(email="opfer1@example.net").status == "waiting"

    Client().post(f"/termine/workshop/abmeldung/{first.cancel_token}/")

    # A stranger's address that never confirmed gets no "a place is free" mail.
    assert Registration.objects.get(email="opfer1@example.net").status == "waiting"
    assert [m.to for m in mail.outbox].count(["opfer1@example.net"]) == 1
