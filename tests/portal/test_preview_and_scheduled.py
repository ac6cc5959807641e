"""Previews of pages and the other content types; "Geplant" as a status of its own."""

import pytest
from django.urls import reverse

from portal.models import Municipality, Page
from tests.factories import EventFactory, NewsArticleFactory

pytestmark = pytest.mark.django_db


def test_the_news_list_tells_scheduled_apart_and_filters_by_it(client, make_staff):
    NewsArticleFactory(title="Schon erschienen")
    NewsArticleFactory(title="Kommt nächste Woche", scheduled=True)
    NewsArticleFactory(title="Noch in Arbeit", draft=True)
    client.force_login(make_staff("erika", group="Redaktion"))
    changelist = reverse("admin:portal_newsarticle_changelist")
    body = client.get(changelist).content.decode()
    assert "Geplant" in body
    scheduled = client.get(changelist + "?status=scheduled").content.decode()
    assert "Kommt nächste Woche" in scheduled
    assert "Schon erschienen" not in scheduled
    assert "Noch in Arbeit" not in scheduled
    published = client.get(changelist + "?status=published").content.decode()
    assert "Schon erschienen" in published
    assert "Kommt nächste Woche" not in published
    # A value the filter does not know shows everything, never a 500.
    assert client.get(changelist + "?status=%00").status_code in (200, 400)


def test_an_unpublished_page_is_previewed_by_staff_only(client, make_staff):
    Page.objects.create(title="Ehrenamt im Entwurf", slug="ehrenamt", is_published=False)
    assert client.get("/ehrenamt/").status_code == 404
    assert client.get("/ehrenamt/?vorschau").status_code == 404
    client.force_login(make_staff("ohnerecht"))
    assert client.get("/ehrenamt/?vorschau").status_code == 404
    client.force_login(make_staff("erika", group="Redaktion"))
    response = client.get("/ehrenamt/?vorschau")
    assert response.status_code == 200
    assert "Vorschau – nicht veröffentlicht" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get("/ehrenamt/").status_code == 404  # only with ?vorschau


@pytest.mark.parametrize("kind", ["newsarticle", "page", "event", "municipality", "topic"])
def test_every_change_form_has_a_preview_button(client, make_staff, kind):
    objects = {
        "newsarticle": lambda: NewsArticleFactory(draft=True),
        "page": lambda: Page.objects.get(slug="impressum"),
        "event": lambda: EventFactory(),
        "municipality": lambda: Municipality.objects.get(slug="oschatz"),
        "topic": lambda: __import__("portal.models").models.Topic.objects.first(),
    }
    obj = objects[kind]()
    client.force_login(make_staff("erika", group="Redaktion"))
    app = "events" if kind == "event" else "portal"
    body = client.get(reverse(f"admin:{app}_{kind}_change", args=[obj.pk])).content.decode()
    assert f'href="{obj.get_absolute_url()}?vorschau"' in body
    assert ">Vorschau</a>" in body
    assert client.get(f"{obj.get_absolute_url()}?vorschau").status_code == 200
