"""Two people taking the last place at the same moment: real threads, real PostgreSQL
transactions, each thread with its own database connection."""

import re
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from events import services
from events.models import Registration, RegistrationStatus
from portal.spam import make_form_token
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _run_at_once(count, work):
    """Start `count` threads that call work(i) at the same moment; return their results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_count(monkeypatch):
    """Widen the race window between counting places and inserting: without the row lock
    every thread would see the same free place and all would be confirmed."""
    original = services.event_places_taken

    def slow(*, event, **kwargs):
        taken = original(event=event, **kwargs)
        time.sleep(0.2)
        return taken

    monkeypatch.setattr(services, "event_places_taken", slow)


@pytest.fixture
def slow_closed_check(monkeypatch):
    """Widen the window between registration_create's checks (open request? registered?)
    and its insert or mark: without the address lock every thread would pass them."""
    original = services.registration_closed_reason

    def slow(**kwargs):
        reason = original(**kwargs)
        time.sleep(0.2)
        return reason

    monkeypatch.setattr(services, "registration_closed_reason", slow)


def test_concurrent_confirmations_for_the_last_place_do_not_overbook(slow_count):
    event = EventFactory(slug="letzter-platz", takes_registrations=True, capacity=3)
    RegistrationFactory(event=event, persons=2)
    for i in range(6):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post(
            "/termine/letzter-platz/anmeldung/",
            {
                "name": f"Person {i}",
                "email": f"p{i}@example.org",
                "persons": "1",
                "consent": "on",
                "started": make_form_token(started=time.time() - 30),
            },
        )
    links = [
        re.search(r"https?://[^/\s]+(/termine/\S+/bestaetigung/\S+/)", m.body).group(1)
        for m in mail.outbox
    ]
    assert len(links) == 6

    # Six people click the link in their mail at the same moment.
    statuses = _run_at_once(6, lambda i: Client().post(links[i]).status_code)

    assert statuses == [302] * 6
    registrations = Registration.objects.filter(event=event)
    confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED)
    assert sum(r.persons for r in confirmed) == 3
    assert confirmed.count() == 2  # the one before plus exactly one of the six
    assert registrations.filter(status=RegistrationStatus.WAITING).count() == 5


def test_concurrent_registrations_with_one_email_create_one(slow_closed_check):
    event = EventFactory(slug="doppelt", takes_registrations=True, capacity=10)

    def register(i):
        return services.registration_create(
            event=event,
            name="Eva",
            email="EVA@example.org" if i % 2 else "eva@example.org",
            persons=1,
        ).outcome

    outcomes = _run_at_once(4, register)

    assert sorted(outcomes) == ["created", "pending", "pending", "pending"]
    assert Registration.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1


def test_registered_address_sent_at_once_gets_one_already_registered_mail(slow_closed_check):
    """A script firing the address of a registered person many times at the same moment:
    no second row, no extra place, one "already registered" mail."""
    event = EventFactory(slug="schon-da", takes_registrations=True, capacity=10)
    RegistrationFactory(event=event, email="eva@example.org", persons=2)

    outcomes = _run_at_once(
        5,
        lambda i: (
            services.registration_create(
                event=event, name="Bot", email="eva@example.org", persons=3
            ).outcome
        ),
    )

    assert outcomes == ["already_registered"] * 5
    assert Registration.objects.get(event=event).persons == 2
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Sie sind bereits angemeldet"]


def test_one_address_sent_to_many_events_at_once_gets_one_confirmation_request(
    slow_closed_check,
):
    """The event row lock serialises one event only: a script posting a stranger's address
    to six events at the same moment must still reach the mailbox once."""
    events = [
        EventFactory(slug=f"termin-{i}", takes_registrations=True, capacity=10) for i in range(6)
    ]

    def register(i):
        return services.registration_create(
            event=events[i], name="Bot", email="opfer@example.org", persons=1
        ).outcome

    outcomes = _run_at_once(6, register)

    assert sorted(outcomes) == ["created"] + ["pending"] * 5
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 1


def test_one_confirmation_link_clicked_five_times_at_once_confirms_once(slow_count):
    event = EventFactory(slug="fuenfmal", takes_registrations=True, capacity=10)
    registration = services.registration_create(
        event=event, name="Eva", email="eva@example.org", persons=2
    ).registration
    link = registration.get_confirm_url()

    statuses = _run_at_once(5, lambda i: Client().post(link).status_code)

    assert sorted(statuses) == [200] * 4 + [302]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert [m.subject.split(":")[0] for m in mail.outbox].count("Anmeldung bestätigt") == 1
