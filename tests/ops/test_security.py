"""Admin login brute force, passwords, open redirects, CSRF, production cookies."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from tests.test_settings import PROD_ENV, load_settings

pytestmark = pytest.mark.django_db

PASSWORD = "Kooperation-Collm-2026"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "redakteurin", password=PASSWORD, is_staff=True, is_superuser=True
    )


def login(client, username, password, ip="198.51.100.1", next_url=None):
    data = {"username": username, "password": password}
    path = "/admin/login/" + (f"?next={next_url}" if next_url else "")
    if next_url:
        data["next"] = next_url
    return client.post(path, data, REMOTE_ADDR=ip)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_locked_after_failures_per_user_and_client(client, staff):
    for _ in range(2):
        assert login(client, staff.username, "falsch").status_code == 200
    assert login(client, staff.username, "falsch").status_code == 429  # the third failure

    response = login(client, staff.username, PASSWORD)  # right password, still locked
    assert response.status_code == 429
    body = response.content.decode()
    assert "<title>Anmeldung gesperrt – Oschatzer Land – Collmregion</title>" in body
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in body
    assert "_auth_user_id" not in client.session

    # The same user from another client, and another user from this client, can log in.
    other_client = Client()
    assert login(other_client, staff.username, PASSWORD, ip="203.0.113.9").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_lockout_does_not_block_other_users_on_the_same_client(
    client, staff, django_user_model
):
    django_user_model.objects.create_user("kollege", password=PASSWORD, is_staff=True)
    for _ in range(3):
        login(client, staff.username, "falsch")
    assert login(Client(), "kollege", PASSWORD).status_code == 302


def test_admin_login_success_resets_the_failure_count(client, staff):
    for _ in range(4):
        login(client, staff.username, "falsch")
    assert login(client, staff.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, staff.username, "falsch")
    assert login(client, staff.username, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password",
    ["kurz", "Elf-Zeichen", "123456789012345", "password1234", "redakteurin2026"],
)
def test_staff_passwords_rejected_when_short_common_numeric_or_like_the_name(
    password, django_user_model
):
    user = django_user_model(username="redakteurin2026")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_staff_password_of_twelve_good_characters_accepted(django_user_model):
    validate_password("Wermsdorf-26", django_user_model(username="redakteurin"))


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "https:evil.example", "/\\evil.example"],
)
def test_admin_login_next_to_another_host_is_ignored(client, staff, next_url):
    response = login(client, staff.username, PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_admin_login_next_on_this_site_is_followed(client, staff):
    response = login(client, staff.username, PASSWORD, next_url="/admin/auth/user/")
    assert response["Location"] == "/admin/auth/user/"


def test_admin_logout_next_to_another_host_is_ignored(client, staff):
    client.force_login(staff)
    response = client.post("/admin/logout/?next=https://evil.example/")
    assert "evil.example" not in response.get("Location", "")


def test_csrf_enforced_on_admin_login(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session

    page = client.get("/admin/login/")
    token = page.context["csrf_token"]
    response = client.post(
        "/admin/login/",
        {"username": staff.username, "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302


def test_csrf_failure_page_is_german(staff):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x"})
    body = response.content.decode()
    assert "<title>Formular abgelaufen – Oschatzer Land – Collmregion</title>" in body
    assert "Bitte laden Sie die Seite neu" in body


def test_production_cookies_secure_httponly_and_hsts():
    values = load_settings(
        PROD_ENV,
        "[s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE,"
        " s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_PROXY_SSL_HEADER]",
    )
    assert values == [True, True, True, True, True, True, ["HTTP_X_FORWARDED_PROTO", "https"]]
