"""Site-wide behaviour: health check, robots.txt, security headers, error pages."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_away(client):
    with mock.patch("oschatzerland.views.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_database_outage_answers_503_page(client):
    with mock.patch(
        "portal.views.selectors.municipality_list", side_effect=OperationalError("gone")
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Kurz nicht erreichbar" in response.content.decode()


def test_robots_txt_names_sitemap_and_keeps_admin_out(client, settings):
    settings.SITE_URL = "https://oschatzerland.example"
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in body
    # On PORTAL_SITE_URL, never on the host the request named.
    assert "Sitemap: https://oschatzerland.example/sitemap.xml" in body


def test_sitemap_lists_the_section_pages_and_published_results(client):
    from survey.models import SurveyStatus
    from tests.factories import SurveyFactory

    SurveyFactory(slug="offen")
    SurveyFactory(slug="fertig", status=SurveyStatus.PUBLISHED)
    body = client.get("/sitemap.xml").content.decode()
    for path in ["/termine/", "/befragungen/", "/befragungen/fertig/ergebnisse/"]:
        assert f"{path}</loc>" in body
    assert "/befragungen/offen/ergebnisse/" not in body


def test_security_headers_on_every_response(client):
    for path in ["/", "/kommunen/", "/gibt-es-nicht/", "/healthz"]:
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]


def test_no_cookies_on_public_pages(client):
    for path in ["/", "/kommunen/", "/kommunen/oschatz/", "/impressum/"]:
        response = client.get(path)
        assert not response.cookies, f"{path} set {list(response.cookies)}"


def test_404_is_styled_and_german(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<title>Seite nicht gefunden – Oschatzer Land – Collmregion</title>" in body
    assert 'href="#main"' in body


@override_settings(DEBUG=False)
def test_500_page_is_standalone_and_german(client):
    client.raise_request_exception = False
    with mock.patch("portal.views.selectors.municipality_list", side_effect=RuntimeError):
        response = client.get("/")
    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.content.decode()
