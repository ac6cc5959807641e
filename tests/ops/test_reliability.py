"""Faults and several app servers, against real gunicorn and a PostgreSQL cluster of our own.

Slow (a cluster, migrations, gunicorn): `make test-ops ARGS="-m slow"` runs only these.
They use no pytest-django database; the servers talk to the throwaway cluster.
"""

import threading
import time

import psycopg2
import pytest
import redis

from bench.flow import Session, run
from bench.targets import BENCH_USER
from tests.ops.servers import Gunicorn, PostgresCluster, form_fields, get, manage, postgres_bin
from tests.ops.servers import production_env as env_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL server binaries missing"),
]

FRIENDLY_503 = "Kurz nicht erreichbar"
REDIS_URL = "redis://127.0.0.1:6379/4"  # DB 4 belongs to the operations tests


def redis_available() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(scope="module")
def cluster():
    cluster = PostgresCluster()
    cluster.create()
    env = env_for(cluster.url)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    username, password = BENCH_USER
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User;"
        f"User.objects.create_superuser({username!r}, password={password!r})",
    )
    yield cluster
    cluster.destroy()


@pytest.fixture
def shared_env(cluster):
    """Production settings; Redis as the shared cache when it runs here."""
    extra = {"DJANGO_AXES_FAILURE_LIMIT": "4"}
    if redis_available():
        redis.Redis.from_url(REDIS_URL).flushdb()
        extra["DJANGO_CACHE_URL"] = REDIS_URL
    return env_for(cluster.url, **extra)


def admin_login(port: int) -> Session:
    session = Session(port)
    status, page = session.request("GET", "/admin/login/")
    assert status == 200
    fields = form_fields(page.decode())
    fields.update(username=BENCH_USER[0], password=BENCH_USER[1])
    status, _ = session.post("/admin/login/", fields)
    assert status == 302
    return session


def count_sessions(cluster) -> int:
    with psycopg2.connect(cluster.url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_session")
        return cursor.fetchone()[0]


class Load(threading.Thread):
    """GETs the given paths in a loop and records every outcome with its time."""

    def __init__(self, port: int, paths: list[str]):
        super().__init__(daemon=True)
        self.port, self.paths = port, paths
        self.outcomes: list[tuple[float, object]] = []
        self.running = True

    def run(self):
        while self.running:
            for path in self.paths:
                try:
                    status, _ = get(self.port, path)
                except OSError as error:
                    status = type(error).__name__
                self.outcomes.append((time.monotonic(), status))

    def stop(self):
        self.running = False
        self.join()


UNCACHED = "/suche/?q=Oschatz"


def test_database_restart_under_load_gives_503_then_recovers(cluster, shared_env):
    with Gunicorn(shared_env) as server:
        logged_in = admin_login(server.port)
        # The search is never served from the page cache, so it needs the database.
        load = Load(server.port, ["/suche/?q=Oschatz", "/kommunen/oschatz/", "/healthz"])
        load.start()
        time.sleep(1)

        cluster.stop()
        try:
            time.sleep(1)
            status, body = get(server.port, UNCACHED)
            assert status == 503
            assert FRIENDLY_503 in body
            assert get(server.port, "/healthz") == (
                503,
                '{"status": "error", "database": "unavailable"}',
            )
            # The session of a logged-in editor cannot be loaded: the same page, no 500.
            status, body = logged_in.request("GET", "/admin/")
            assert status == 503
            assert FRIENDLY_503 in body.decode()
        finally:
            cluster.start()
        back = time.monotonic()

        recovered_after = None
        while time.monotonic() - back < 10:
            if get(server.port, UNCACHED)[0] == 200:
                recovered_after = time.monotonic() - back
                break
            time.sleep(0.1)
        time.sleep(0.5)
        load.stop()
        # The logged-in editor goes on without logging in again.
        assert logged_in.request("GET", "/admin/")[0] == 200

    assert recovered_after is not None
    assert recovered_after < 5
    statuses = [status for _, status in load.outcomes]
    assert set(statuses) <= {200, 503}, sorted(set(map(str, statuses)))
    assert statuses.count(503) > 0
    assert statuses[-1] == 200


def test_two_app_servers_share_sessions_and_see_staff_changes_at_once(cluster, shared_env):
    with Gunicorn(shared_env) as one, Gunicorn(shared_env) as two:
        # Pages may be cached on both before the change.
        for server in (one, two):
            assert "Feuerwehr" in get(server.port, "/themen/")[1]

        # Logged in on one, the session works on two.
        session = admin_login(one.port)
        session.port = two.port
        status, page = session.request("GET", "/admin/portal/topic/")
        assert status == 200
        assert "Themenfeld zur Änderung auswählen" in page.decode()

        # A change saved through the admin of two shows on both at once.
        with psycopg2.connect(cluster.url) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT id FROM portal_topic WHERE slug = 'feuerwehr'")
            [topic_id] = cursor.fetchone()
        path = f"/admin/portal/topic/{topic_id}/change/"
        status, page = session.request("GET", path)
        fields = form_fields(page.decode())
        fields["name"] = "Feuerwehr und Katastrophenschutz"
        status, _ = session.post(path, fields)
        assert status == 302
        for server in (one, two):
            assert "Feuerwehr und Katastrophenschutz" in get(server.port, "/themen/")[1]

        # Logged out on two, the session is gone on one.
        _, page = session.request("GET", "/admin/")
        status, _ = session.post("/admin/logout/", form_fields(page.decode()))
        assert status == 200
        session.port = one.port
        assert session.request("GET", "/admin/")[0] == 302


def test_login_lockout_holds_across_app_servers(cluster, shared_env):
    with Gunicorn(shared_env) as one, Gunicorn(shared_env) as two:
        statuses = []
        for server in (one, two, one, two):  # DJANGO_AXES_FAILURE_LIMIT=4 in total
            session = Session(server.port)
            _, page = session.request("GET", "/admin/login/")
            fields = form_fields(page.decode())
            fields.update(username="niemand", password="falsch-falsch")
            statuses.append(session.post("/admin/login/", fields)[0])
        assert statuses == [200, 200, 200, 429]

        for server in (one, two):
            session = Session(server.port)
            _, page = session.request("GET", "/admin/login/")
            fields = form_fields(page.decode())
            fields.update(username="niemand", password="falsch-falsch")
            status, body = session.post("/admin/login/", fields)
            assert status == 429
            assert "Anmeldung gesperrt" in body.decode()


def test_parallel_complete_flows_are_all_stored_once(cluster, shared_env):
    """N parallel complete flows store exactly N records (here: admin logins → sessions).

    After merging, the survey submission flow goes through the same driver (bench.flow)
    with its own count query; see bench/targets.py.
    """
    with Gunicorn(shared_env, workers=3) as server:
        before = count_sessions(cluster)
        result = run("flow: admin login", server.port, seconds=3, users=6)
        stored = count_sessions(cluster) - before
    assert result["failed"] == 0
    assert result["completed"] >= 6
    assert stored == result["completed"]
