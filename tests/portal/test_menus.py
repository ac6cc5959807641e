"""The main navigation and the footer are edited by staff (MenuItem) and change at once."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from portal.models import MenuItem, Page

pytestmark = pytest.mark.django_db


def main_nav(body: str) -> list[tuple[str, str]]:
    nav = body[body.index('<nav class="site-nav"') : body.index("</nav>", body.index("site-nav"))]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


def test_the_seeded_main_navigation_is_the_old_one_plus_kontakt(client):
    assert main_nav(client.get("/").content.decode()) == [
        ("/aktuelles/", "Aktuelles"),
        ("/kommunen/", "Kommunen"),
        ("/themen/", "Themen"),
        ("/befragungen/", "Befragungen"),
        ("/termine/", "Termine"),
        ("/mitmachen/", "Mitmachen"),
        ("/kontakt/", "Kontakt"),
    ]


def test_the_current_section_is_marked(client):
    body = client.get("/kontakt/").content.decode()
    assert '<a href="/kontakt/" aria-current="page">Kontakt</a>' in body
    body = client.get("/termine/").content.decode()
    assert body.count('aria-current="page"') == 1


def test_staff_reorder_and_rename_and_every_next_request_shows_it(client, make_staff):
    visitor = Client()
    assert main_nav(visitor.get("/termine/").content.decode())[0][1] == "Aktuelles"
    visitor.get("/termine/")  # cached now
    events = MenuItem.objects.get(view_name="events:list")
    client.force_login(make_staff("erika", group="Redaktion"))
    changelist = reverse("admin:portal_menuitem_changelist")
    items = list(MenuItem.objects.order_by("menu", "position", "pk"))
    form = {
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
        "_save": "Sichern",
    }
    for index, item in enumerate(items):
        form[f"form-{index}-id"] = str(item.pk)
        form[f"form-{index}-position"] = "1" if item.pk == events.pk else str(item.position)
        if item.is_active:
            form[f"form-{index}-is_active"] = "on"
    assert client.post(changelist, form).status_code == 302
    assert main_nav(visitor.get("/termine/").content.decode())[0] == ("/termine/", "Termine")
    change = reverse("admin:portal_menuitem_change", args=[events.pk])
    response = client.post(
        change,
        {
            "menu": "main",
            "label": "Veranstaltungen",
            "page": "",
            "view_name": "events:list",
            "url": "",
            "position": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert main_nav(visitor.get("/termine/").content.decode())[0] == (
        "/termine/",
        "Veranstaltungen",
    )


def test_a_page_entry_follows_the_page(client):
    page = Page.objects.create(title="Ehrenamt", slug="ehrenamt")
    MenuItem.objects.create(menu="main", page=page, position=100)
    assert ("/ehrenamt/", "Ehrenamt") in main_nav(client.get("/").content.decode())
    page.title = "Ehrenamt im Oschatzer Land"
    page.save()
    assert ("/ehrenamt/", "Ehrenamt im Oschatzer Land") in main_nav(
        client.get("/").content.decode()
    )
    page.is_published = False
    page.save()
    assert "/ehrenamt/" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"label": "Nichts"},  # no target
        {"label": "Zwei", "url": "/a/", "view_name": "portal:contact"},  # two targets
        {"label": "Skript", "url": "javascript:alert(1)"},
        {"label": "Fremd", "url": "//evil.example/"},
        {"url": "/ohne-beschriftung/"},
        {"label": "Unbekannt", "view_name": "admin:index"},
    ],
)
def test_an_entry_needs_one_sound_target(client, make_staff, data):
    client.force_login(make_staff("erika", group="Redaktion"))
    form = {
        "menu": "main",
        "label": "",
        "page": "",
        "view_name": "",
        "url": "",
        "position": 5,
        "is_active": "on",
        **data,
    }
    response = client.post(reverse("admin:portal_menuitem_add"), form)
    assert response.status_code == 200  # the form again, with a German message
    assert "errornote" in response.content.decode()
    assert not MenuItem.objects.filter(position=5).exists()


def test_the_database_refuses_an_entry_without_a_target():
    with pytest.raises(IntegrityError):
        MenuItem.objects.create(menu="main", label="Leer")


def test_model_validation_names_the_problem_in_german():
    with pytest.raises(ValidationError) as error:
        MenuItem(menu="main", label="x", url="ftp://example.org/").full_clean()
    assert "Adresse" in str(error.value)


def test_a_limited_editor_cannot_change_the_menus(client, make_staff):
    client.force_login(make_staff("olga", group="Redaktion", limit="oschatz"))
    item = MenuItem.objects.first()
    assert client.get(reverse("admin:portal_menuitem_add")).status_code == 403
    response = client.post(
        reverse("admin:portal_menuitem_change", args=[item.pk]),
        {
            "menu": "main",
            "label": "Gehackt",
            "page": "",
            "view_name": "portal:contact",
            "url": "",
            "position": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 403
    assert not MenuItem.objects.filter(label="Gehackt").exists()


def test_rendering_the_menus_costs_one_query_per_page(client, django_assert_num_queries):
    client.get("/mitmachen/")
    # The content version only: the menus, the form's fields and the approved ideas are
    # kept under it (issue 18: before, the menus' version, municipalities, topics, ideas).
    with django_assert_num_queries(1):
        client.get("/mitmachen/")
