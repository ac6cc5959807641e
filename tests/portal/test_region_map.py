"""The map of the region: drawn on the server from the shipped boundaries, links to the
seven profiles (with a list of the same links), the event page's locator."""

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse

from portal.maps import GEOJSON, region_map
from portal.models import Municipality
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_the_shipped_boundaries_name_their_source_and_licence():
    readme = (GEOJSON.parent / "README.md").read_text(encoding="utf-8")
    assert "© GeoBasis-DE / BKG 2021" in readme
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in readme
    names = {area.name for area in region_map().areas}
    assert names == set(Municipality.objects.values_list("name", flat=True))


def test_home_map_links_every_municipality_and_lists_them(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        body = client.get("/").content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    for municipality in Municipality.objects.all():
        url = municipality.get_absolute_url()
        assert f'<a href="{url}" class="region-map__area" aria-label="{municipality.name}">' in svg
        # … and the same link as text outside the picture.
        assert body.count(f'href="{url}"') >= 2
    assert "© GeoBasis-DE / BKG 2021" in body
    assert "http" not in svg  # nothing loaded from anywhere


def test_marker_only_inside_the_region():
    assert region_map(position=(Decimal("51.2361"), Decimal("13.0469"))).marker is not None
    assert region_map(position=(Decimal("52.52"), Decimal("13.40"))).marker is None  # Berlin
    assert region_map(position=(Decimal("-90"), Decimal("180"))).marker is None


def test_event_page_shows_directions_and_locator(client):
    muegeln = Municipality.objects.get(slug="muegeln")
    event = EventFactory(
        slug="forum",
        municipality=muegeln,
        venue_name="Rathaus",
        address="Markt 1, 04769 Mügeln",
        transit_stop="Mügeln, Markt",
        venue_accessibility="Aufzug vorhanden",
        latitude=Decimal("51.2361"),
        longitude=Decimal("13.0469"),
    )
    body = client.get(reverse("events:detail", kwargs={"slug": event.slug})).content.decode()
    assert '<h2 id="directions-title">Anfahrt</h2>' in body
    assert "Mit Bus und Bahn: Mügeln, Markt." in body
    assert "Aufzug vorhanden" in body
    assert 'role="img"' in body
    assert "Karte des Oschatzer Landes: Mügeln hervorgehoben, Rathaus markiert" in body
    assert "region-map__marker" in body
    # Coordinates in SVG attributes never take the German decimal comma.
    marker = body[body.index('class="region-map__marker"') :][:120]
    assert "," not in marker.split("translate(")[1].split(")")[0]


def test_online_event_has_no_map(client):
    event = EventFactory(slug="online", municipality=None, kind="online", venue_name="")
    body = client.get(reverse("events:detail", kwargs={"slug": event.slug})).content.decode()
    assert "region-map" not in body


def test_half_a_position_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        EventFactory(latitude=Decimal("51.2"), longitude=None)
