"""Draft and scheduled events: nothing public shows them until they are due; staff preview
them at the public address with ?vorschau (never cached, noindex)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from events.models import Event, EventPublication
from portal.models import Municipality, Topic
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_events():
    """A draft and a scheduled event in Oschatz on a topic, with registration: the places
    a public event would show up."""
    municipality = Municipality.objects.get(slug="oschatz")
    topic = Topic.objects.order_by("pk").first()
    draft = EventFactory(
        title="Geheimer Entwurfstermin",
        slug="geheimer-entwurf",
        municipality=municipality,
        publication=EventPublication.DRAFT,
        takes_registrations=True,
        capacity=10,
    )
    scheduled = EventFactory(
        title="Geplanter Zukunftstermin",
        slug="geplanter-termin",
        municipality=municipality,
        publish_at=timezone.now() + timedelta(hours=1),
        takes_registrations=True,
        capacity=10,
    )
    for event in (draft, scheduled):
        event.topics.add(topic)
    return {"draft": draft, "scheduled": scheduled, "municipality": municipality, "topic": topic}


def public_pages(hidden):
    municipality, topic = hidden["municipality"], hidden["topic"]
    return [
        "/",
        "/termine/",
        "/termine/kalender.ics",
        f"/termine/kalender.ics?kommune={municipality.slug}",
        f"/kommunen/{municipality.slug}/",
        f"/themen/{topic.slug}/",
        "/sitemap.xml",
        "/suche/?q=Entwurfstermin",
        "/suche/?q=Zukunftstermin",
    ]


def test_drafts_and_scheduled_events_appear_nowhere_public(client, hidden_events):
    leaks = []
    for url in public_pages(hidden_events):
        body = client.get(url).content.decode()
        # The full titles: the search page repeats the query word.
        words = ("Geheimer Entwurfstermin", "Geplanter Zukunftstermin")
        leaks += [(url, word) for word in words if word in body]
        leaks += [(url, slug) for slug in ("geheimer-entwurf", "geplanter-termin") if slug in body]
    assert leaks == []


@pytest.mark.parametrize("slug", ["geheimer-entwurf", "geplanter-termin"])
@pytest.mark.parametrize(
    "path", ["/termine/{}/", "/termine/{}.ics", "/termine/{}/anmeldung/", "/termine/{}/?vorschau"]
)
def test_their_own_addresses_answer_404(client, hidden_events, slug, path):
    assert client.get(path.format(slug)).status_code == 404


def test_a_registration_for_a_draft_is_refused(client, hidden_events):
    response = client.post(
        "/termine/geheimer-entwurf/anmeldung/",
        {"name": "Eva", "email": "eva@example.org", "persons": 1},
    )
    assert response.status_code == 404
    assert not hidden_events["draft"].registrations.exists()


def test_a_scheduled_event_appears_everywhere_at_its_time(client, clock, hidden_events):
    """Nobody saves anything when it falls due: the cached pages must change by the clock."""
    pages = [url for url in public_pages(hidden_events) if "Entwurf" not in url]
    for url in pages:
        assert "geplanter-termin" not in client.get(url).content.decode(), url  # now cached
    clock(timedelta(minutes=59))  # (the fixture ran a moment ago: keep a margin)
    assert "Zukunftstermin" not in client.get("/termine/").content.decode()
    clock(timedelta(minutes=1))
    missing = [url for url in pages if "geplanter-termin" not in client.get(url).content.decode()]
    assert missing == []
    assert client.get("/termine/geplanter-termin/").status_code == 200
    # The draft stays hidden.
    assert "Entwurfstermin" not in client.get("/termine/").content.decode()


def test_publishing_a_draft_shows_it_at_once(client, hidden_events):
    assert "Entwurfstermin" not in client.get("/termine/").content.decode()  # cached
    draft = hidden_events["draft"]
    draft.publication = EventPublication.PUBLISHED
    draft.save()
    assert "Entwurfstermin" in client.get("/termine/").content.decode()
    assert "Entwurfstermin" in client.get("/termine/kalender.ics").content.decode()


def test_unpublishing_takes_an_event_off_at_once(client):
    event = EventFactory(title="Bald zurückgezogen", slug="zurueckgezogen")
    assert "Bald zurückgezogen" in client.get("/termine/").content.decode()
    assert client.get("/termine/zurueckgezogen/").status_code == 200
    event.publication = EventPublication.DRAFT
    event.save()
    assert "Bald zurückgezogen" not in client.get("/termine/").content.decode()
    assert client.get("/termine/zurueckgezogen/").status_code == 404


# --- preview ------------------------------------------------------------------------------


def test_staff_preview_a_draft_marked_and_never_cached(client, make_staff, hidden_events):
    client.force_login(make_staff("erika", group="Redaktion"))
    response = client.get("/termine/geheimer-entwurf/?vorschau")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Geheimer Entwurfstermin" in body
    assert "Vorschau – nicht veröffentlicht" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    # No registration form in a preview: nobody could send it.
    assert "/termine/geheimer-entwurf/anmeldung/" not in body
    client.logout()
    assert client.get("/termine/geheimer-entwurf/?vorschau").status_code == 404


def test_a_public_event_with_vorschau_shows_no_banner(client, make_staff):
    EventFactory(slug="oeffentlich")
    client.force_login(make_staff("erika", group="Redaktion"))
    body = client.get("/termine/oeffentlich/?vorschau").content.decode()
    assert "Vorschau – nicht veröffentlicht" not in body


def test_staff_without_the_view_permission_get_no_preview(client, make_staff, hidden_events):
    client.force_login(make_staff("ohnerecht"))
    assert client.get("/termine/geheimer-entwurf/?vorschau").status_code == 404


def test_a_resident_with_the_permission_but_not_staff_gets_no_preview(
    client, django_user_model, hidden_events
):
    user = django_user_model.objects.create_user("bewohner")
    user.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(user)
    assert client.get("/termine/geheimer-entwurf/?vorschau").status_code == 404


def test_a_limited_editor_previews_only_their_municipality(client, make_staff, hidden_events):
    client.force_login(make_staff("dahlen", group="Redaktion", limit="dahlen"))
    assert client.get("/termine/geheimer-entwurf/?vorschau").status_code == 404
    client.force_login(make_staff("oschatz", group="Redaktion", limit="oschatz"))
    assert client.get("/termine/geheimer-entwurf/?vorschau").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/termine/geheimer-entwurf%00/?vorschau",
        "/termine/gibt-es-nicht/?vorschau",
        "/termine/geheimer-entwurf/?vorschau=%00",
        "/termine/" + "x" * 500 + "/?vorschau",
    ],
)
def test_tampered_preview_addresses_never_500(client, make_staff, hidden_events, path):
    client.force_login(make_staff("erika", group="Redaktion"))
    assert client.get(path).status_code in (400, 404)


def test_a_preview_is_never_served_to_the_public_from_the_cache(client, make_staff, hidden_events):
    staff = make_staff("erika", group="Redaktion")
    client.force_login(staff)
    assert client.get("/termine/geheimer-entwurf/?vorschau").status_code == 200
    client.logout()
    client.cookies.clear()
    assert client.get("/termine/geheimer-entwurf/?vorschau").status_code == 404
    assert client.get("/termine/geheimer-entwurf/").status_code == 404


def test_new_events_start_as_drafts():
    event = Event(title="Neu", slug="neu")
    assert event.publication == EventPublication.DRAFT
    assert not event.is_public


@pytest.fixture
def clock(monkeypatch):
    """Move ``timezone.now`` forward, as if the site had been running until then."""
    real_now = timezone.now
    offset = {"value": timedelta(0)}
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset["value"])

    def advance(delta):
        offset["value"] += delta

    return advance
