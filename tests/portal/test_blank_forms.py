"""Blank public forms kept per worker (``portal.form_html``, ``{% form_fields %}``): the idea
and contact forms, an event registration and a survey's access code. What one visitor typed,
their CSRF token and their spam-protection token never reach another visitor; a change of
the choices, the event or the language shows on the next request; the HTML is exactly what
crispy-forms renders; memory stays bounded; no page costs more queries than before."""

import re
import time
from datetime import timedelta

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from events.forms import RegistrationForm
from events.models import Event, Registration, RegistrationStatus
from portal import memo
from portal.cache_versions import content_version_one_query
from portal.form_html import form_fields_html
from portal.forms import ContactForm, IdeaForm
from portal.models import Idea, Municipality
from portal.spam import make_form_token
from survey.forms import AccessCodeForm
from tests.factories import (
    EventFactory,
    MunicipalityFactory,
    SurveyFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STARTED = re.compile(r'name="started" value="([^"]+)"')


def body(response) -> str:
    return response.content.decode()


def kept_forms() -> list[str]:
    """The form HTML kept in this worker's memory."""
    return [
        entry[1][0] for key, entry in memo._content_parts._entries.items() if "form-fields" in key
    ]


def without_tokens(page: str) -> str:
    page = CSRF.sub('name="csrfmiddlewaretoken" value=""', page)
    return STARTED.sub('name="started" value=""', page)


def idea_data(**overrides):
    return {
        "title": "Bank am Teich",
        "text": "Eine Bank zum Ausruhen am Dorfteich.",
        "municipality": "",
        "topic": "",
        "name": "Karl",
        "email": "karl@example.org",
        "consent": "on",
        "website": "",
        "started": make_form_token(started=time.time() - 30),
        **overrides,
    }


@pytest.fixture
def event():
    return EventFactory(
        slug="forum", title="Kommunalforum Mügeln", takes_registrations=True, capacity=5
    )


@pytest.fixture
def code_survey():
    now = timezone.now()
    return SurveyFactory(
        slug="codes",
        access_mode="codes",
        status="open",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
    )


# --- The same HTML as crispy-forms renders ---------------------------------------------


def _request():
    request = RequestFactory().get("/mitmachen/")
    request._content_version = content_version_one_query()
    return request


@pytest.mark.parametrize("kind", ["idea", "contact", "registration", "code"])
def test_kept_html_is_exactly_what_crispy_renders(kind, event):
    MunicipalityFactory(name="Mügeln & Umland")
    TopicFactory(name="Radwege <neu>")

    def make():
        if kind == "idea":
            return IdeaForm()
        if kind == "contact":
            return ContactForm()
        if kind == "registration":
            return RegistrationForm(event=event)
        return AccessCodeForm(survey=SurveyFactory())

    request = _request()
    first, second = make(), make()
    missed = form_fields_html(request, first)  # rendered and kept
    hit = form_fields_html(request, second)  # from memory

    assert len(kept_forms()) == 1
    assert missed == as_crispy_form(first)
    assert hit == as_crispy_form(second)
    if kind in ("idea", "contact", "registration"):
        # Each form carries its own spam-protection token, not the one kept first.
        assert first.initial["started"] != second.initial["started"]
        assert STARTED.search(hit)[1] == second.initial["started"]
        assert first.initial["started"] not in hit
        assert "fresh:" not in hit
        assert "\x02" not in hit


# --- CSRF and the spam protection's token ------------------------------------------------


@pytest.mark.parametrize("path", ["/mitmachen/", "/kontakt/", "/termine/forum/anmeldung/"])
def test_each_visitor_gets_their_own_tokens_and_only_theirs_work(path, event, settings):
    settings.SPAM_MIN_FILL_SECONDS = 0
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    page_a = body(first.get(path))
    page_b = body(second.get(path))
    assert len(kept_forms()) == 1  # B's fields came from memory
    csrf_a, csrf_b = CSRF.search(page_a)[1], CSRF.search(page_b)[1]
    started_a, started_b = STARTED.search(page_a)[1], STARTED.search(page_b)[1]
    assert csrf_a != csrf_b
    assert started_a != started_b
    assert without_tokens(page_a) == without_tokens(page_b)

    data = {
        "/mitmachen/": idea_data(),
        "/kontakt/": {
            "name": "Erika Muster",
            "email": "erika@example.org",
            "subject": "Frage",
            "message": "Wann ist das nächste Forum?",
            "website": "",
        },
        "/termine/forum/anmeldung/": {
            "name": "Jürgen Schröder",
            "email": "juergen@example.org",
            "persons": "1",
            "consent": "on",
        },
    }[path]
    # A's CSRF token is no good with B's cookie; B's own is.
    refused = second.post(path, {**data, "started": started_b, "csrfmiddlewaretoken": csrf_a})
    accepted = second.post(path, {**data, "started": started_b, "csrfmiddlewaretoken": csrf_b})
    assert refused.status_code == 403
    assert accepted.status_code == 302
    # B's spam token carried B's submission and is spent; A's is still good for A.
    again = second.post(path, {**data, "started": started_b, "csrfmiddlewaretoken": csrf_b})
    assert again.status_code == 200
    assert "bereits abgeschickt" in body(again)
    for_a = first.post(path, {**data, "started": started_a, "csrfmiddlewaretoken": csrf_a})
    assert for_a.status_code == 302


def test_the_access_code_form_carries_each_visitors_own_csrf_token(code_survey):
    first, second = Client(), Client()
    page_a = body(first.get("/befragungen/codes/"))
    page_b = body(second.get("/befragungen/codes/"))

    assert len(kept_forms()) == 1  # B's fields came from memory
    assert 'name="code"' in page_b
    assert CSRF.search(page_a)[1] != CSRF.search(page_b)[1]
    assert without_tokens(page_a) == without_tokens(page_b)


def test_a_form_sent_too_fast_is_still_refused(client, settings):
    settings.SPAM_MIN_FILL_SECONDS = 30
    client.get("/mitmachen/")
    started = STARTED.search(body(client.get("/mitmachen/")))[1]  # from memory

    response = client.post("/mitmachen/", idea_data(started=started))

    assert response.status_code == 200
    assert "zu schnell abgeschickt" in body(response)
    assert not Idea.objects.exists()


def test_the_honeypot_still_catches_a_bot(client):
    client.get("/mitmachen/")
    page = body(client.get("/mitmachen/"))
    assert 'name="website"' in page

    response = client.post("/mitmachen/", idea_data(website="http://spam.example"))

    assert response.status_code == 302  # pretends success
    assert not Idea.objects.exists()


# --- What a visitor typed stays theirs ---------------------------------------------------


def test_an_invalid_post_shows_the_visitors_own_data_and_errors_only(event):
    first, second = Client(), Client()
    blank = body(second.get("/mitmachen/"))
    typed = idea_data(title="Geheimer Vorschlag von A", email="kein-mail")

    errors = body(first.post("/mitmachen/", typed))

    assert 'error-summary" role="alert"' in errors
    assert 'value="Geheimer Vorschlag von A"' in errors
    assert "is-invalid" in errors
    page_of_b = body(second.get("/mitmachen/"))
    assert "Geheimer Vorschlag von A" not in page_of_b
    assert "kein-mail" not in page_of_b
    assert "error-summary" not in page_of_b
    assert "is-invalid" not in page_of_b
    assert without_tokens(page_of_b) == without_tokens(blank)
    assert not any("Geheimer Vorschlag" in html for html in kept_forms())


def test_a_registration_with_errors_is_rendered_for_its_visitor_only(event):
    first, second = Client(), Client()
    second.get("/termine/forum/anmeldung/")
    data = {"name": "Anna Privat", "email": "anna@", "persons": "3", "consent": ""}

    errors = body(first.post("/termine/forum/anmeldung/", data))

    assert 'value="Anna Privat"' in errors
    assert "error-summary" in errors
    page_of_b = body(second.get("/termine/forum/anmeldung/"))
    assert "Anna Privat" not in page_of_b
    assert 'value="3"' not in page_of_b
    assert "error-summary" not in page_of_b
    assert not any("Anna Privat" in html for html in kept_forms())


def test_a_prefilled_form_is_never_kept(rf):
    request = _request()
    form = ContactForm(initial={"name": "Vorbelegt von A"})

    html = form_fields_html(request, form)

    assert 'value="Vorbelegt von A"' in html
    assert kept_forms() == []
    assert "Vorbelegt von A" not in form_fields_html(request, ContactForm())


def test_a_bound_form_is_never_kept_nor_shown_to_another():
    request = _request()
    data = {"name": "Absender A", "email": "a@", "subject": "", "message": ""}

    sent = form_fields_html(request, ContactForm(data))
    blank = form_fields_html(request, ContactForm())

    assert 'value="Absender A"' in sent
    assert "is-invalid" in sent
    assert "Absender A" not in blank
    assert "is-invalid" not in blank
    assert not any("Absender A" in html for html in kept_forms())


def test_two_events_never_share_their_forms(event):
    small = EventFactory(slug="klein", takes_registrations=True, capacity=2)
    request = _request()  # one content version for both

    first = form_fields_html(request, RegistrationForm(event=event))
    second = form_fields_html(request, RegistrationForm(event=small))

    assert 'max="5"' in first
    assert 'max="2"' in second
    assert 'max="5"' not in second


def test_nothing_is_kept_for_staff():
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    staff.get("/kontakt/")
    assert kept_forms() == []


# --- Changes show at once ----------------------------------------------------------------


def test_a_new_municipality_and_topic_show_on_the_next_request(client):
    client.get("/mitmachen/")  # kept
    MunicipalityFactory(name="Neudorf am Collm")
    TopicFactory(name="Dorfladen")

    page = body(Client().get("/mitmachen/"))

    assert "Neudorf am Collm" in page
    assert "Dorfladen" in page


def test_a_change_by_another_worker_shows_on_the_next_request(client):
    place = MunicipalityFactory(name="Altort")
    client.get("/mitmachen/")
    # Another worker renamed it: no signal here, only the row and the version.
    Municipality.objects.filter(pk=place.pk).update(name="Neuort")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('portal_content_version')")

    page = body(Client().get("/mitmachen/"))

    assert "Neuort" in page
    assert "Altort" not in page


def test_a_published_idea_shows_on_the_next_request(client):
    client.get("/mitmachen/")
    Idea.objects.create(
        title="Mehr Bänke",
        text="Am Markt",
        status="approved",
        email="x@example.org",
    )
    assert "Mehr Bänke" in body(Client().get("/mitmachen/"))


def test_a_new_maximum_a_full_or_a_closed_event_show_at_once(event):
    path = "/termine/forum/anmeldung/"
    first = body(Client().get(path))  # kept
    assert 'max="5"' in first
    assert "Warteliste" not in first

    event.capacity = 2
    event.save()
    changed = body(Client().get(path))
    assert 'max="2"' in changed
    assert "höchstens 2" in changed
    assert 'max="5"' not in changed

    Registration.objects.create(
        event=event,
        name="Voll",
        email="voll@example.org",
        persons=2,
        status=RegistrationStatus.CONFIRMED,
    )
    full = body(Client().get(path))
    assert "Warteliste" in full

    event.registration_deadline = timezone.now() - timedelta(hours=1)
    event.save()
    closed = body(Client().get(path))
    assert 'name="persons"' not in closed


def test_the_registration_pages_head_follows_the_event_at_once(event):
    path = "/termine/forum/anmeldung/"
    Client().get(path)  # the head (title, date, status) kept
    # Another worker renamed the event: no signal here, only the row and the version.
    Event.objects.filter(pk=event.pk).update(title="Kommunalforum Naundorf")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('portal_content_version')")

    page = body(Client().get(path))

    assert "Anmeldung zu Kommunalforum Naundorf" in page
    assert "Kommunalforum Mügeln" not in page


def test_two_events_never_share_their_registration_pages_head(event):
    EventFactory(slug="klein", title="Radtour Dahlen", takes_registrations=True, capacity=2)
    Client().get("/termine/forum/anmeldung/")

    page = body(Client().get("/termine/klein/anmeldung/"))

    assert "Anmeldung zu Radtour Dahlen</h1>" in page
    assert "Kommunalforum Mügeln" not in page


def test_the_language_is_part_of_the_key():
    request = _request()
    german = form_fields_html(request, ContactForm())
    with translation.override("en"):
        english = form_fields_html(request, ContactForm())
    assert "Ihr Name" in german
    assert "Your name" in english
    assert "Ihr Name" not in english


# --- Memory --------------------------------------------------------------------------------


def test_many_visitors_share_one_entry_per_form(event):
    for _ in range(20):
        Client().get("/mitmachen/")
        Client().get("/kontakt/")
        Client().get("/termine/forum/anmeldung/")
    assert len(kept_forms()) == 3
    assert sum(len(html) for html in kept_forms()) < 40_000


# --- Queries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "cold", "warm"),
    [
        # Measured on the code before: 5 and 4 (the menus' version, municipalities,
        # topics and the ideas on every request). Now warm: the content version only.
        ("/mitmachen/", 5, 1),
        # The same numbers as before on these.
        ("/kontakt/", 2, 1),
        ("/termine/forum/anmeldung/", 4, 3),
        ("/befragungen/codes/", 4, 2),
    ],
)
def test_queries_of_a_blank_form_page(path, cold, warm, event, code_survey):
    MunicipalityFactory()
    TopicFactory()
    with CaptureQueriesContext(connection) as first:
        Client().get(path)
    with CaptureQueriesContext(connection) as second:
        Client().get(path)
    assert (len(first), len(second)) == (cold, warm)
