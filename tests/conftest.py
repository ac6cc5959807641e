"""Shared fixtures. The suite runs against PostgreSQL only (see scripts/with-postgres.sh)."""

import os
import shutil
import tempfile

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Nothing may leave the machine: every host but the live server is unresolvable.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def pytest_configure(config):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise pytest.UsageError(
            "The test suite needs PostgreSQL: run `make test` or set DATABASE_URL."
        )
    # Logins in tests need no slow key derivation; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Most tests look at a response right after sending it: a pool of one writes each at
    # once. The tests of the mixing pool itself set the real size (settings fixture).
    settings.SURVEY_POOL_SIZE = 1
    # Uploads and the drawn demo images of the tests never land in var/media.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="osl-test-media-")
    # Scanned stacks and cut-outs likewise never land in var/private; the tests read a
    # stack themselves (or start the reading process on purpose).
    settings.PRIVATE_ROOT = tempfile.mkdtemp(prefix="osl-test-private-")
    settings.SURVEY_SCAN_SPAWN = False
    # Every test client builds the middleware again, and WhiteNoise would read every static
    # file's headers each time (a third of the suite's time); it looks a file up when it
    # is asked for instead. Production (and the server tests' gunicorn) keeps the scan.
    settings.WHITENOISE_AUTOREFRESH = True
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests must run in CI, but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def make_staff(django_user_model):
    """Make a staff account without a password: ``make_staff("erika", group="Redaktion",
    limit="oschatz")`` (``limit``: the municipality, or its slug, the account is limited to)."""
    from django.contrib.auth.models import Group

    from portal.models import EditorProfile, Municipality

    def make(username: str, *, group: str | None = None, limit=None):
        user = django_user_model.objects.create_user(username, is_staff=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        if limit is not None:
            if isinstance(limit, str):
                limit = Municipality.objects.get(slug=limit)
            EditorProfile.objects.create(user=user, municipality=limit)
        return user

    return make


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with an empty cache (cached pages, results) and computes the
    content version's next due moment anew, so query counts do not depend on test order."""
    from django.core.cache import cache

    from portal.caching import forget_due_memo
    from portal.memo import forget_memos
    from portal.selectors import forget_menus_memo

    cache.clear()
    forget_due_memo()
    forget_menus_memo()
    forget_memos()
    yield
    cache.clear()
    forget_memos()


# Data migrations whose rows the site needs (municipalities, topics, pages, staff groups).
# A transactional test (live server, threads, other processes) flushes the database
# afterwards, and Django's serialized_rollback cannot restore it under Playwright (its sync
# API switches the async context, so the connection that carries the serialized copy is not
# the one the next test uses). So every transactional test re-runs these data functions.
DATA_MIGRATIONS = [
    ("portal.migrations.0002_seed_municipalities_topics_pages", ["seed", "set_site"]),
    ("portal.migrations.0004_staff_groups", ["create_groups"]),
    ("survey.migrations.0002_analyst_permissions", ["grant"]),
    ("survey.migrations.0052_analyst_results_permissions", ["grant"]),
    ("survey.migrations.0057_analysts_delete_paper_responses", ["grant"]),
    ("survey.migrations.0061_label_sets", ["seed", "grant"]),
    ("events.migrations.0002_editor_permissions", ["grant"]),
    ("portal.migrations.0014_menu_items", ["seed_menus", "grant"]),
]


@pytest.fixture(autouse=True)
def _migration_data(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    for module_name, functions in DATA_MIGRATIONS:
        module = import_module(module_name)
        for name in functions:
            getattr(module, name)(apps, None)
