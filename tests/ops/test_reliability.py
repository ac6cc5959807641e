"""Faults and several app servers, against real gunicorn and a PostgreSQL cluster of our own.

Slow (a cluster, migrations, gunicorn): `make test-ops ARGS="-m slow"` runs only these.
They use no pytest-django database; the servers talk to the throwaway cluster.
"""

import os
import secrets
import threading
import time
from urllib.parse import urlencode

import psycopg2
import pytest
import redis

from bench.flow import Session, fill_form, run, run_wizard
from bench.targets import BENCH_USER, SURVEY, Wizard
from tests.ops.servers import (
    Gunicorn,
    demo_cluster,
    form_fields,
    get,
    manage,
    postgres_bin,
    prepared,
    running,
    static_files,
    wait_for,
)
from tests.ops.servers import production_env as env_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.servers,
    pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL server binaries missing"),
]

FRIENDLY_503 = "Kurz nicht erreichbar"
# DB 4 belongs to the operations tests; OPS_REDIS_URL moves them elsewhere (e.g. when
# several checkouts run their suites on one machine at once).
REDIS_URL = os.environ.get("OPS_REDIS_URL", "redis://127.0.0.1:6379/4")
PARTICIPATE = f"/befragungen/{SURVEY}/teilnehmen/"


def redis_available() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(scope="module")
def cluster():
    """Migrated, seeded (seed_demo, the bench's superuser): prepared in the background
    while test_one_truth.py runs, when it runs before."""
    static = prepared(static_files)
    cluster = prepared(demo_cluster).result()
    static.result()
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

    def statuses(self, since: float = 0.0) -> list:
        return [status for at, status in list(self.outcomes) if at > since]


UNCACHED = "/suche/?q=Oschatz"
# How long a step may take on a loaded machine before the test gives up. The test waits for
# what it needs to see (answers, refusals, recovery), never for a fixed time, so this is
# only reached when something is wrong.
PATIENCE = 90


def test_database_restart_under_load_gives_503_then_recovers(cluster, shared_env):
    with Gunicorn(shared_env) as server:
        logged_in = admin_login(server.port)
        # The search is never served from the page cache, so it needs the database.
        load = Load(server.port, [UNCACHED, "/kommunen/oschatz/", "/healthz"])
        load.start()
        # The load runs: every path answered once.
        wait_for(lambda: load.statuses().count(200) >= 3, PATIENCE, "load answered")

        cluster.stop()
        try:
            stopped = time.monotonic()
            # The load meets the outage: a friendly 503, no 500, no hanging worker.
            wait_for(lambda: 503 in load.statuses(stopped), PATIENCE, "503 under load")
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

        # Back without a restart of gunicorn: the page answers again, and then every
        # request of the load does (each worker has dropped its broken connection).
        wait_for(lambda: get(server.port, UNCACHED)[0] == 200, PATIENCE, "recovery")
        recovered = time.monotonic()
        wait_for(lambda: load.statuses(recovered)[-10:].count(200) == 10, PATIENCE, "steady load")
        load.stop()
        # The logged-in editor goes on without logging in again.
        assert logged_in.request("GET", "/admin/")[0] == 200

    statuses = load.statuses()
    assert set(statuses) <= {200, 503}, sorted(set(map(str, statuses)))
    assert statuses.count(503) > 0
    assert statuses[-1] == 200


def test_two_app_servers_share_sessions_and_see_staff_changes_at_once(cluster, shared_env):
    with running(Gunicorn(shared_env), Gunicorn(shared_env)) as (one, two):
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
    with running(Gunicorn(shared_env), Gunicorn(shared_env)) as (one, two):
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


def count_responses(cluster) -> int:
    """Questionnaires stored: written as responses or waiting in the mixing pool."""
    with psycopg2.connect(cluster.url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM survey_response r"
            " JOIN survey_survey s ON s.id = r.survey_id WHERE s.slug = %s)"
            " + (SELECT count(*) FROM survey_pooledresponse p"
            " JOIN survey_survey s ON s.id = p.survey_id WHERE s.slug = %s)",
            [SURVEY, SURVEY],
        )
        return cursor.fetchone()[0]


def flush_pool(env: dict) -> None:
    """Write all that waits in the mixing pool, today's too, so answers can be inspected."""
    manage(env, "survey_flush_pool", "--include-today")


def max_response_id(cluster) -> int:
    with psycopg2.connect(cluster.url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM survey_response")
        return cursor.fetchone()[0]


def required_answers(cluster, after_id: int) -> dict[int, dict[str, int]]:
    """Answer rows per required, always shown question, for each response with id > after_id
    (a matrix question has one row per item)."""
    with psycopg2.connect(cluster.url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, q.code, count(a.id) FROM survey_response r"
            " JOIN survey_survey s ON s.id = r.survey_id"
            " JOIN survey_question q ON q.survey_id = s.id"
            " JOIN survey_section sec ON sec.id = q.section_id"
            " LEFT JOIN survey_answer a ON a.response_id = r.id AND a.question_id = q.id"
            " WHERE s.slug = %s AND r.id > %s AND q.required"
            " AND q.condition_question_id IS NULL AND sec.condition_question_id IS NULL"
            " GROUP BY r.id, q.code",
            [SURVEY, after_id],
        )
        found: dict[int, dict[str, int]] = {}
        for response_id, code, answers in cursor.fetchall():
            found.setdefault(response_id, {})[code] = answers
        return found


# The required questions of the demo survey "mobilitaet-2026" as the flow answers them: one
# municipality (M1), one means of transport (M4), one scale value (M5), four matrix items (M7).
COMPLETE = {"M1": 1, "M4": 1, "M5": 1, "M7": 4}


def take_survey(ports: list[int]) -> bool:
    """One new visitor fills in the whole survey; page n is fetched and posted on
    ``ports[n % len(ports)]`` (the same cookies on every server)."""
    session = Session(ports[0])
    path = PARTICIPATE
    try:
        for page in range(10):
            session.port = ports[page % len(ports)]
            status, content = session.request("GET", path)
            assert status == 200, (path, status)
            action, fields = fill_form(content.decode())
            status, _, location = session.request_full(
                "POST", action, urlencode([*fields, ("action", "next")]).encode()
            )
            assert status == 302, (action, status)
            path = location
            if path.endswith("/danke/"):
                return session.request("GET", path)[0] == 200
        return False
    finally:
        session.close()


@pytest.fixture
def survey_env(shared_env):
    """Production settings and a per-client submission limit the tests do not reach."""
    return {
        **shared_env,
        "SURVEY_SUBMISSIONS_PER_HOUR": "1000",
        "SURVEY_SUBMISSIONS_PER_DAY": "1000",
        "SURVEY_SUBMISSIONS_PER_ADDRESS": "1000",
    }


def test_parallel_complete_survey_submissions_store_each_exactly_once(cluster, survey_env):
    visitors = 8
    flush_pool(survey_env)
    before, last_id = count_responses(cluster), max_response_id(cluster)
    start = threading.Barrier(visitors)
    outcomes: list[bool] = []

    def visitor(port: int) -> None:
        session = Session(port)
        start.wait()
        try:
            outcomes.append(run_wizard(session, Wizard(PARTICIPATE), lambda seconds: None))
        finally:
            session.close()

    with Gunicorn(survey_env, workers=3) as server:
        threads = [threading.Thread(target=visitor, args=(server.port,)) for _ in range(visitors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = count_responses(cluster) - before

        # The same through the driver of `make bench`, for 2 s: what it counts is stored.
        before_driver = count_responses(cluster)
        result = run("flow: survey submission", server.port, seconds=2, users=4)
        stored_by_driver = count_responses(cluster) - before_driver

    flush_pool(survey_env)
    assert outcomes == [True] * visitors
    assert stored == visitors
    answers = required_answers(cluster, last_id)
    assert len(answers) == visitors + stored_by_driver
    # No partial response: each has every required answer, none twice.
    assert all(found == COMPLETE for found in answers.values()), answers
    assert result["failed"] == 0
    assert result["completed"] >= 4
    assert stored_by_driver == result["completed"]


def test_survey_started_on_one_app_server_is_finished_on_the_other(cluster, survey_env):
    flush_pool(survey_env)
    before, last_id = count_responses(cluster), max_response_id(cluster)
    with running(Gunicorn(survey_env), Gunicorn(survey_env)) as (one, two):
        # Pages 1, 3, … on one, pages 2, 4, … and the thank-you page on two.
        assert take_survey([one.port, two.port])
    assert count_responses(cluster) - before == 1
    flush_pool(survey_env)
    assert list(required_answers(cluster, last_id).values()) == [COMPLETE]


def test_survey_submission_limit_holds_across_app_servers(cluster, shared_env):
    if "DJANGO_CACHE_URL" not in shared_env:
        pytest.skip("the limit is shared through Redis, which does not run here")
    env = {
        **shared_env,
        "SURVEY_SUBMISSIONS_PER_HOUR": "2",
        # A key of our own: the limit counts per hashed client address, and other test runs
        # on this machine may submit from 127.0.0.1 to the same Redis.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    before = count_responses(cluster)
    with running(Gunicorn(env), Gunicorn(env)) as (one, two):
        assert take_survey([one.port])
        assert take_survey([two.port])
        for server in (one, two):
            # The third and fourth questionnaire from this address: refused at the last page.
            session = Session(server.port)
            path, status = PARTICIPATE, 302
            while status == 302:
                assert not path.endswith("/danke/"), "stored beyond the limit"
                _, content = session.request("GET", path)
                action, fields = fill_form(content.decode())
                body = urlencode([*fields, ("action", "next")]).encode()
                status, content, path = session.request_full("POST", action, body)
            session.close()
            assert status == 429
            assert "Zu viele Einsendungen" in content.decode()
    assert count_responses(cluster) - before == 2


def test_double_click_on_the_last_page_stores_one_response(cluster, survey_env):
    """The final page posted twice at the same moment (a double click; two connections,
    one session, possibly two workers) stores one response, also without a shared cache:
    the submission lock is a database row (survey.participation.submission_lock)."""
    env = {key: value for key, value in survey_env.items() if key != "DJANGO_CACHE_URL"}
    before = count_responses(cluster)
    with Gunicorn(env, workers=3) as server:
        session = Session(server.port)
        path = PARTICIPATE
        while True:
            _, content = session.request("GET", path)
            page = content.decode()
            action, fields = fill_form(page)
            body = urlencode([*fields, ("action", "next")]).encode()
            if "Antworten absenden" in page:
                break
            status, _, path = session.request_full("POST", action, body)
            assert status == 302
        clicks = [Session(server.port) for _ in range(2)]
        for click in clicks:
            click.cookies = dict(session.cookies)
        start = threading.Barrier(len(clicks))
        statuses: list[int] = []
        pages: list[str] = []

        def click_send(click: Session) -> None:
            start.wait()
            status, content, _path = click.request_full("POST", action, body)
            statuses.append(status)
            if status == 200:
                pages.append(content.decode())

        threads = [threading.Thread(target=click_send, args=(click,)) for click in clicks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # The second click either waits for the lock and goes to the thank-you page (302), or
    # arrives after the first is stored and is told so (200).
    assert sorted(statuses) in ([302, 302], [200, 302])
    assert all("Sie haben bereits teilgenommen" in page for page in pages)
    assert count_responses(cluster) - before == 1
