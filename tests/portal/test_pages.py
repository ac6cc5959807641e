"""The foundation's public pages, as a resident meets them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import MenuItem, Municipality, Page
from tests.factories import MunicipalityFactory, PageFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_seven_municipalities_and_topics(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in body
    assert "<title>Startseite – Oschatzer Land – Collmregion</title>" in body
    for name in [
        "Cavertitz",
        "Dahlen",
        "Liebschützberg",
        "Mügeln",
        "Naundorf",
        "Oschatz",
        "Wermsdorf",
    ]:
        assert name in body
    assert "Döllnitzbahn" in body  # one of the 14 topics


def test_base_layout_has_skip_link_landmarks_and_navigation(client):
    body = client.get("/").content.decode()
    assert body.index('class="skip-link"') < body.index("<header")
    assert body.count("<main") == 1
    assert '<nav class="site-nav" aria-label="Hauptnavigation">' in body
    for label in ["Aktuelles", "Kommunen", "Themen", "Befragungen", "Termine", "Mitmachen"]:
        assert f">{label}</a>" in body
    assert 'role="search"' in body
    for label in ["Kontakt", "Impressum", "Datenschutz", "Barrierefreiheit"]:
        assert f">{label}</a>" in body


def test_municipality_list_shows_facts_with_umlauts(client):
    response = client.get("/kommunen/")
    body = response.content.decode()
    assert "Liebschützberg" in body
    assert "14.707" in body  # Oschatz, German thousands separator
    assert 'aria-current="page"' in body


def test_municipality_detail_shows_profile(client):
    response = client.get("/kommunen/oschatz/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Oschatz</h1>" in body
    assert "Oberbürgermeister" in body
    assert "Andreas Kretschmar" in body
    assert "Neumarkt 1, 04758 Oschatz" in body
    assert "Zschöllau" in body


def test_unknown_municipality_is_404(client):
    assert client.get("/kommunen/leipzig/").status_code == 404


@pytest.mark.parametrize(
    ("slug", "heading", "phrase"),
    [
        ("impressum", "Impressum", "Neumarkt 1"),
        ("datenschutz", "Datenschutzerklärung", "ohne IP-Adresse"),
        ("barrierefreiheit", "Erklärung zur Barrierefreiheit", "BITV 2.0"),
        ("kooperation", "Die Kooperation", "seit 2016"),
        ("leichte-sprache", "Leichte Sprache", "Sieben Orte arbeiten zusammen"),
    ],
)
def test_required_pages_exist_from_the_migration(client, slug, heading, phrase):
    response = client.get(f"/{slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in body
    assert phrase in body


def test_accessibility_statement_names_legal_basis_feedback_and_enforcement(client):
    body = client.get("/barrierefreiheit/").content.decode()
    for phrase in ["BfWebG", "WCAG", "EN 301 549", "Barrieren melden", "Durchsetzungsverfahren"]:
        assert phrase in body


def test_unpublished_page_is_404(client):
    PageFactory(slug="entwurf", title="Entwurf", is_published=False)
    assert client.get("/entwurf/").status_code == 404


def test_page_body_is_sanitised_when_shown(client):
    PageFactory(
        slug="test-html",
        body='<p onclick="alert(1)">Hallo</p><script>alert(2)</script>'
        '<a href="javascript:alert(3)">Link</a><img src=x onerror=alert(4)>',
    )
    body = client.get("/test-html/").content.decode()
    assert "<p>Hallo</p>" in body
    assert "alert(" not in body
    assert "<script>alert" not in body


def test_topic_pages(client):
    assert "Radverkehr" in client.get("/themen/").content.decode()
    detail = client.get(reverse("portal:topic_detail", kwargs={"slug": "radverkehr"}))
    assert "<h1>Radverkehr</h1>" in detail.content.decode()


def test_query_counts_stay_constant_as_data_grows(client, django_assert_num_queries):
    # Counted: the latest news (1), the municipality list (1), the topic list (1), the
    # next events (1) and the open survey teaser (1) on the home page; the municipality list
    # page runs the list (1) and the population sum (1); a profile (1) with its news (1), its
    # next events (1) and the published surveys with results for it (1).
    # Each page also reads the content version of the page cache (1); the first page after a
    # change of content (here always "/") also its next due moment (1) and the menu entries
    # (1; kept under that content version for the other pages).
    pages = {"/": 8, "/kommunen/": 3, "/kommunen/oschatz/": 5, "/impressum/": 2, "/themen/": 2}
    for path, queries in pages.items():
        with django_assert_num_queries(queries):
            client.get(path)
    MunicipalityFactory.create_batch(40)
    PageFactory.create_batch(40)
    assert Municipality.objects.count() == 47
    assert Page.objects.count() >= 45
    for path, queries in pages.items():
        with django_assert_num_queries(queries):
            client.get(path)


def test_navigation_marks_the_section_of_each_page_and_the_search_keeps_its_term(client):
    """Header and footer are rendered once per section; each page still marks its own."""
    for path, label in [("/kommunen/", "Kommunen"), ("/aktuelles/", "Aktuelles"), ("/", None)]:
        body = client.get(path).content.decode()
        marked = re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', body)
        assert marked == ([label] if label else [])
    assert 'value="Radweg"' in client.get("/suche/?q=Radweg").content.decode()
    assert 'value="Radweg"' not in client.get("/themen/").content.decode()


def _footer_links(body: str) -> list[tuple[str, str]]:
    footer = body[body.index('<footer class="site-footer">') :]
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer)


def test_footer_links_contact_legal_pages_and_the_pages_marked_for_it(client):
    # The seeded pages (migrations 0002 and 0010): the footer as it always was.
    assert _footer_links(client.get("/").content.decode()) == [
        ("/kontakt/", "Kontakt"),
        ("/impressum/", "Impressum"),
        ("/datenschutz/", "Datenschutz"),
        ("/barrierefreiheit/", "Barrierefreiheit"),
        ("/leichte-sprache/", "Leichte Sprache"),
        ("/kooperation/", "Die Kooperation"),
    ]


def test_footer_follows_the_menu_entries_position_and_publication(client):
    ehrenamt = PageFactory(slug="ehrenamt", title="Ehrenamt")
    MenuItem.objects.create(menu="footer", page=ehrenamt, position=1)
    draft = PageFactory(slug="entwurf", title="Entwurf", is_published=False)
    MenuItem.objects.create(menu="footer", page=draft, position=2)
    MenuItem.objects.create(menu="footer", label="Verborgen", url="/x/", is_active=False)
    PageFactory(slug="nicht-verlinkt", title="Nicht verlinkt")
    links = _footer_links(client.get("/themen/").content.decode())
    assert [title for _, title in links][4:] == ["Ehrenamt", "Leichte Sprache", "Die Kooperation"]


def test_an_editor_hides_a_footer_entry_and_it_leaves_the_footer_at_once(client, make_staff):
    visitor = Client()  # anonymous, no cookies: served from the page cache
    item = MenuItem.objects.get(page__slug="leichte-sprache")
    home = visitor.get("/").content.decode()
    assert ("/leichte-sprache/", "Leichte Sprache") in _footer_links(home)
    assert visitor.get("/").content.decode() == home  # now cached
    client.force_login(make_staff("erika.redaktion", group="Redaktion"))
    response = client.post(
        reverse("admin:portal_menuitem_change", args=[item.pk]),
        {
            "menu": "footer",
            "label": "",
            "page": item.page_id,
            "view_name": "",
            "url": "",
            "position": item.position,
        },  # "is_active" unticked
    )
    assert response.status_code == 302
    titles = [title for _, title in _footer_links(visitor.get("/").content.decode())]
    assert "Leichte Sprache" not in titles
    assert "Die Kooperation" in titles


def test_municipality_facts_have_a_real_date_and_come_first(client):
    body = client.get("/kommunen/naundorf/").content.decode()
    # The source (municipalities.csv) gives the population of Naundorf as of 31.12.2022.
    assert '(Stand <time datetime="2022-12-31">31. Dezember 2022</time>)' in body
    # The facts come right after the heading (near the top on phones), before the news.
    assert (
        body.index("<h1>") < body.index('id="facts-heading"') < body.index('id="municipality-news"')
    )


def test_population_date_is_a_date_in_the_admin(admin_client):
    from portal.models import Municipality

    municipality = Municipality.objects.get(slug="dahlen")
    response = admin_client.get(f"/admin/portal/municipality/{municipality.pk}/change/")
    assert 'name="population_as_of" value="31.12.2019"' in response.content.decode()
