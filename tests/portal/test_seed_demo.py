"""seed_demo in demo mode: one login per staff role, idempotent, printed for anyone to try."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from portal.management.commands.seed_demo import DEMO_PASSWORD
from portal.models import EditorProfile

pytestmark = pytest.mark.django_db


def _seed(settings) -> str:
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_mode_creates_and_prints_one_login_per_role(settings):
    output = _seed(settings)

    for username in ("demo", "demo-redaktion", "demo-oschatz", "demo-auswertung"):
        assert f"Benutzername: {username}" in output
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)
    users = get_user_model().objects
    assert users.get(username="demo").is_superuser
    assert list(users.get(username="demo-redaktion").groups.values_list("name", flat=True)) == [
        "Redaktion"
    ]
    limited = users.get(username="demo-oschatz")
    assert not limited.is_superuser
    assert EditorProfile.objects.get(user=limited).municipality.slug == "oschatz"
    assert list(users.get(username="demo-auswertung").groups.values_list("name", flat=True)) == [
        "Auswertung"
    ]


def test_the_limited_demo_editor_sees_only_oschatz(client, settings):
    _seed(settings)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "demo-oschatz", "password": DEMO_PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    body = client.get("/admin/events/registration/").content.decode()
    assert client.get("/admin/portal/newsarticle/").status_code == 200
    # The demo has registrations for events in other municipalities; none of them shows.
    from events.models import Registration

    others = Registration.objects.exclude(event__municipality__slug="oschatz")
    assert others.exists()
    for registration in others:
        assert registration.email not in body


def test_a_second_run_changes_nothing(settings):
    _seed(settings)
    users = {u.username: u.password for u in get_user_model().objects.all()}
    profiles = EditorProfile.objects.count()
    _seed(settings)
    assert {u.username: u.password for u in get_user_model().objects.all()} == users
    assert EditorProfile.objects.count() == profiles


def test_without_demo_mode_no_login_is_created(settings):
    settings.DEMO_MODE = False
    call_command("seed_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_demo_logins_point_to_the_site_url(settings):
    # A demo server announces its own address, not the developer's machine.
    settings.SITE_URL = "https://demo.oschatzerland.de"
    output = _seed(settings)
    assert "https://demo.oschatzerland.de/admin/" in output
    assert "127.0.0.1" not in output
