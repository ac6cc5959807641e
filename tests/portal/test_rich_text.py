"""Every long text is edited with the rich-text editor and stored sanitised; old plain text
became paragraphs, so no editor ever sees raw tags and old line breaks survive."""

from importlib import import_module

import pytest

from events.models import Event
from portal.models import Municipality, Page, Topic
from tests.factories import EventFactory, PageFactory, TopicFactory

pytestmark = pytest.mark.django_db

portal_migration = import_module("portal.migrations.0011_media_library")
events_migration = import_module("events.migrations.0006_media_library")
HOSTILE = '<p>Gut<script>alert(1)</script><img src=x onerror="alert(2)"></p>'


@pytest.mark.parametrize("module", [portal_migration, events_migration])
def test_plain_text_becomes_paragraphs_and_keeps_its_line_breaks(module):
    text = "Erste Zeile\nzweite Zeile\n\nNeuer Absatz mit <Klammer> & Co."
    assert module._as_paragraphs(text) == (
        "<p>Erste Zeile<br>zweite Zeile</p>\n\n<p>Neuer Absatz mit &lt;Klammer&gt; &amp; Co.</p>"
    )
    assert module._as_paragraphs("<p>Schon HTML</p>") == "<p>Schon HTML</p>"
    assert module._as_paragraphs("") == ""


def test_seeded_portraits_and_topics_are_paragraphs_after_migrating():
    portrait = Municipality.objects.get(slug="oschatz").portrait
    assert portrait.startswith("<p>")
    assert all(t.description.startswith("<p>") for t in Topic.objects.exclude(description=""))


def _editor_fields(body: str) -> int:
    return body.count("data-django-prose-editor")


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/admin/portal/page/add/", 1),
        ("/admin/portal/topic/add/", 1),
        ("/admin/events/event/add/", 2),
    ],
)
def test_long_texts_use_the_rich_text_editor(admin_client, url, fields):
    response = admin_client.get(url)
    assert _editor_fields(response.content.decode()) == fields
    assert "'sha256-" in response["Content-Security-Policy"]  # the editor's import map


def test_municipality_portrait_uses_the_rich_text_editor(admin_client):
    municipality = Municipality.objects.get(slug="muegeln")
    body = admin_client.get(f"/admin/portal/municipality/{municipality.pk}/change/")
    assert _editor_fields(body.content.decode()) == 1


def test_page_text_is_stored_sanitised(admin_client):
    page = PageFactory(slug="verein", title="Verein")
    response = admin_client.post(
        f"/admin/portal/page/{page.pk}/change/",
        {
            "title": "Verein",
            "slug": "verein",
            "description": "",
            "body": HOSTILE,
            "is_published": "on",
            "position": "0",
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == "<p>Gut</p>"


def test_topic_description_is_stored_sanitised_and_shown_as_text_in_lists(admin_client, client):
    topic = TopicFactory(name="Radwege", slug="radwege")
    response = admin_client.post(
        f"/admin/portal/topic/{topic.pk}/change/",
        {
            "name": "Radwege",
            "slug": "radwege",
            "description": HOSTILE + "<p>Zweiter</p>",
            "position": "0",
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.description == "<p>Gut</p><p>Zweiter</p>"
    listing = client.get("/themen/").content.decode()
    assert "&lt;p&gt;" not in listing
    assert "<p>Gut</p>" not in listing
    detail = client.get("/themen/radwege/").content.decode()
    assert "<p>Gut</p><p>Zweiter</p>" in detail
    assert '<meta name="description" content="GutZweiter">' in detail


def test_event_texts_are_stored_sanitised(admin_client):
    event = EventFactory()
    assert Event.objects.filter(pk=event.pk).exists()
    form = admin_client.get(f"/admin/events/event/{event.pk}/change/").context["adminform"].form
    assert form.fields["description"].clean(HOSTILE) == "<p>Gut</p>"
    assert form.fields["results"].clean(HOSTILE) == "<p>Gut</p>"


def test_legal_page_renders_rich_text_without_raw_tags(client):
    Page.objects.filter(slug="impressum").update(body="<p>Erste<br>Zweite</p>")
    body = client.get("/impressum/").content.decode()
    assert "<p>Erste<br>Zweite</p>" in body
    assert "&lt;p&gt;" not in body
