"""A database outage anywhere in the request gives the friendly 503 page, never a 500.

The real thing (PostgreSQL stopped under load) is in test_reliability.py; these cover the
places an outage can surface, by making each of them fail.
"""

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError

pytestmark = pytest.mark.django_db


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Kurz nicht erreichbar" in body
    assert "<title>Kurz nicht erreichbar – Oschatzer Land – Collmregion</title>" in body


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_outage_while_loading_the_session_in_a_view(client, admin_user, error):
    client.force_login(admin_user)
    client.raise_request_exception = False
    with mock.patch.object(SessionStore, "load", side_effect=error("gone")):
        assert_friendly_503(client.get("/admin/"))


def test_outage_inside_session_middleware(client):
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=OperationalError("connection refused"),
    ):
        assert_friendly_503(client.get("/kommunen/"))


def test_outage_while_saving_the_session_after_the_view(client, admin_user):
    client.raise_request_exception = False
    with mock.patch.object(SessionStore, "save", side_effect=OperationalError("gone")):
        response = client.post(
            "/admin/login/", {"username": admin_user.username, "password": "password"}
        )
    assert_friendly_503(response)


def test_other_errors_still_give_the_500_page(client):
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=RuntimeError,
    ):
        response = client.get("/kommunen/")
    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.content.decode()


def test_pages_already_in_the_page_cache_are_served_during_an_outage(client):
    client.get("/kommunen/")  # an anonymous visit puts the page in the cache
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_request",
        side_effect=OperationalError("connection refused"),
    ):
        cached = client.get("/kommunen/")
        assert_friendly_503(client.get("/themen/"))  # not cached yet: needs the database
    assert cached.status_code == 200
    assert "Liebschützberg" in cached.content.decode()
