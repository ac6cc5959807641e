"""Settings come from the environment and are safe by default. Each case imports the
settings module in a fresh interpreter with exactly the environment under test."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_SECRET_KEY": "x" * 30 + "-production-like-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "oschatzerland.de",
    "PORTAL_SITE_URL": "https://oschatzerland.de",
}


def load_settings(env: dict, expr: str) -> object:
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE']='oschatzerland.settings';"
        "from django.conf import settings as s;"
        f"print(json.dumps({expr}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return RuntimeError(result.stderr)
    return json.loads(result.stdout)


def test_settings_debug_off_and_secret_key_required_by_default():
    outcome = load_settings({}, "s.DEBUG")
    assert isinstance(outcome, RuntimeError)
    assert "DJANGO_SECRET_KEY must be set" in str(outcome)


def test_settings_production_values_from_environment():
    values = load_settings(
        {**PROD_ENV, "DJANGO_CSRF_TRUSTED_ORIGINS": "https://oschatzerland.de"},
        "[s.DEBUG, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.SESSION_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT]",
    )
    assert values == [
        False,
        ["oschatzerland.de"],
        ["https://oschatzerland.de"],
        True,
        31536000,
        True,
    ]


def test_settings_sqlite_under_var_when_database_url_unset():
    engine, name = load_settings(
        PROD_ENV, "[s.DATABASES['default']['ENGINE'], str(s.DATABASES['default']['NAME'])]"
    )
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "db.sqlite3")


def test_settings_postgres_with_persistent_connections_from_database_url():
    db = load_settings(
        {**PROD_ENV, "DATABASE_URL": "postgres://portal:geheim@db.example:5433/portal"},
        "s.DATABASES['default']",
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.example",
        5433,
        "portal",
        "portal",
    )
    assert db["CONN_MAX_AGE"] > 0
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    ("cache_url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/1", "portal.cache_backend.RedisCache"),
    ],
)
def test_settings_cache_from_environment(cache_url, backend):
    assert (
        load_settings({**PROD_ENV, "DJANGO_CACHE_URL": cache_url}, "s.CACHES['default']['BACKEND']")
        == backend
    )


def test_settings_email_console_by_default_and_smtp_when_configured():
    assert load_settings(PROD_ENV, "s.EMAIL_BACKEND").endswith("console.EmailBackend")
    smtp = load_settings(
        {
            **PROD_ENV,
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "mail.oschatz.example",
            "DJANGO_EMAIL_PORT": "587",
            "DJANGO_EMAIL_USE_TLS": "true",
        },
        "[s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS]",
    )
    assert smtp == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.oschatz.example",
        587,
        True,
    ]


def check_deploy(**changes: str | None) -> subprocess.CompletedProcess:
    """``manage.py check --deploy`` under the production environment with ``changes``
    (None removes a variable); a warning fails it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env = {**clean, **PROD_ENV, "DATABASE_URL": os.environ["DATABASE_URL"], **changes}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={key: value for key, value in env.items() if value is not None},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("site_url", [None, "http://oschatzerland.de", "https://127.0.0.1"])
def test_check_deploy_warns_without_the_public_site_url(site_url):
    """Feeds, sitemap, canonical links and e-mails are built on PORTAL_SITE_URL alone."""
    result = check_deploy(PORTAL_SITE_URL=site_url)
    assert result.returncode != 0
    assert "portal.W001" in result.stdout + result.stderr


def test_check_deploy_warns_about_a_mixing_pool_too_small_to_hide_anyone():
    # A careless operator "speeds up the results" with SURVEY_POOL_SIZE=1: every response
    # is written right after its code is spent, as before the mixing pool.
    result = check_deploy(SURVEY_POOL_SIZE="1")
    assert result.returncode != 0
    assert "survey.W001" in result.stdout + result.stderr
