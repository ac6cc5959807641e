"""Shared fixtures. The suite runs against PostgreSQL only (see scripts/with-postgres.sh)."""

import contextlib
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
        if item.get_closest_marker("browser"):  # not a folder named "browser"
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


@pytest.fixture
def no_cache(settings):
    """As the bench's "uncached" server: Django's cache (the page cache too) stores nothing;
    only what each worker keeps in its memory (``portal.memo``) remains."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def clock(monkeypatch):
    """Move ``timezone.now`` forward, as if the site had been running until then (frozen at
    the start: on a busy machine the requests between two steps take seconds)."""
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now()
    offset = {"value": timedelta(0)}
    monkeypatch.setattr(timezone, "now", lambda: start + offset["value"])

    def advance(delta):
        offset["value"] += delta

    return advance


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


# The migrated test database, built once and copied. Migrating takes about 15 s of CPU
# per pytest process (plus PostgreSQL's share), and every xdist worker used to do it for
# its own database. Now the first process migrates a template database (under a
# PostgreSQL advisory lock, so the others wait for it) and every process gets a fresh copy
# (CREATE DATABASE … TEMPLATE, about a second). The template's name carries a hash of
# everything migrating depends on (the apps' code and data files, the settings, the lock
# file of the dependencies): any change there builds a new one, so a copy never lags
# behind the migrations; older templates of this database name are dropped.
TEMPLATE_SOURCES = ["portal", "survey", "events", "media", "bench", "oschatzerland"]
TEMPLATE_FILES = ["requirements-dev.lock"]


def _template_hash() -> str:
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    paths = [root / name for name in TEMPLATE_FILES]
    for source in TEMPLATE_SOURCES:
        paths += sorted(p for p in (root / source).rglob("*") if "__pycache__" not in p.parts)
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _copy_migrated_template(connection, base_name: str, name: str) -> None:
    """Create the database ``name`` as a copy of the migrated template of ``base_name``
    (built first if missing)."""
    from django.conf import settings as django_settings

    template = f"{base_name}_tpl_{_template_hash()}"
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        # Held until the template exists: the other workers wait here, then copy.
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [base_name])
        try:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [base_name.replace("_", r"\_") + r"\_tpl\_%"],
            )
            existing = {row[0] for row in cursor.fetchall()}
            for stale in existing - {template}:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
            if template not in existing:
                # Built under another name and renamed when complete: a run that breaks off
                # half-way leaves no half-migrated template behind.
                building = f"{template}_new"
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(building)}")
                test_settings = connection.settings_dict["TEST"]
                old_name = connection.settings_dict["NAME"]
                old_test_name = test_settings.get("NAME")
                test_settings["NAME"] = building
                try:
                    connection.creation.create_test_db(
                        verbosity=0, autoclobber=True, serialize=False
                    )
                finally:
                    connection.close()
                    connection.settings_dict["NAME"] = old_name
                    django_settings.DATABASES[connection.alias]["NAME"] = old_name
                    test_settings["NAME"] = old_test_name
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [base_name])


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """Replaces pytest-django's: every process gets a fresh copy of the migrated template
    (see above) instead of migrating a database of its own."""
    from django.conf import settings as django_settings
    from django.db import connection

    with django_db_blocker.unblock():
        original_name = connection.settings_dict["NAME"]
        name = connection.creation._get_test_db_name()
        worker = getattr(request.config, "workerinput", {}).get("workerid")
        base_name = name.removesuffix(f"_{worker}") if worker else name
        _copy_migrated_template(connection, base_name, name)
        connection.close()
        django_settings.DATABASES[connection.alias]["NAME"] = name
        connection.settings_dict["NAME"] = name
    yield
    with django_db_blocker.unblock():
        connection.creation.destroy_test_db(original_name, verbosity=0)


@pytest.fixture(scope="module")
def demo_content_for_module(django_db_setup, django_db_blocker):
    """``manage.py seed_demo`` once per module (and xdist worker), in a transaction rolled
    back after the module's last test. Each test's own transaction is then a savepoint inside
    it: whatever a test changes is undone before the next one, which sees the demo content
    exactly as seeded. For modules whose tests need the demo content but not the seeding
    itself (seeding costs seconds; tests of seed_demo call it themselves). Every test of the
    module that touches the database should ask for it: a test after the first one that did
    runs inside the transaction too. tests/test_demo_content_fixture.py holds it to this."""
    import io

    from django.core.management import call_command

    with seeded_for_module(django_db_blocker):
        call_command("seed_demo", stdout=io.StringIO())
        yield


@contextlib.contextmanager
def seeded_for_module(django_db_blocker):
    """The transaction of a module-scoped fixture that seeds data for its module's tests
    (see demo_content_for_module): seed inside it, yield inside it; rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
