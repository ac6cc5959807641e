"""Every gunicorn worker shows the same content, also without Redis (`make serve`).

Three workers with production settings and no DJANGO_CACHE_URL, each with its own
local-memory cache. A subscribed calendar must never see an event's SEQUENCE go backwards
because its next poll reached a worker that still holds the old page.
Slow (a PostgreSQL cluster of our own, migrations, gunicorn).
"""

import re
import threading
import time

import pytest

from tests.ops.servers import (
    Gunicorn,
    demo_cluster,
    get,
    manage,
    migrated_cluster,
    postgres_bin,
    prepared,
    static_files,
)
from tests.ops.servers import production_env as env_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.servers,
    pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL server binaries missing"),
]

CALENDAR = "/termine/kalender.ics"
CREATE_EVENT = """
from datetime import timedelta
from django.utils import timezone
from events.models import Event
start = timezone.now() + timedelta(days=10)
Event.objects.create(title="Regionalforum", slug="regionalforum", kind="forum",
                     starts_at=start, ends_at=start + timedelta(hours=2), publication="published")
"""
# What staff do in the admin when they move an event (EventAdmin.save_model), here from a
# process of its own, like any other app server would.
MOVE_EVENT = """
from datetime import timedelta
from events import services
from events.models import Event
event = Event.objects.get(slug="regionalforum")
event.starts_at += timedelta(days=1)
event.ends_at += timedelta(days=1)
services.event_save(event=event, changed_fields=["starts_at", "ends_at"])
"""


# A scheduled article, due a few seconds after the process that writes it has started.
SCHEDULE_ARTICLE = """
from datetime import timedelta
from django.utils import timezone
from portal.models import NewsArticle
article = NewsArticle.objects.create(
    title="Punkt zwölf", slug="punkt-zwoelf", teaser="Geplant.", body="<p>Geplant.</p>",
    status="published", published_at=timezone.now() + timedelta(seconds=DELAY))
print(article.published_at.timestamp())
"""
SCHEDULED_PAGES = ["/", "/aktuelles/", "/aktuelles/feed/", "/sitemap.xml"]


@pytest.fixture(scope="module")
def env(request):
    static = prepared(static_files)  # collected while the cluster migrates
    cluster = migrated_cluster()
    if any("cluster" in item.fixturenames for item in request.session.items):
        # test_reliability.py's seeded cluster, made while these tests wait for servers.
        prepared(demo_cluster)
    env = env_for(cluster.url)  # no DJANGO_CACHE_URL: every worker has its own cache
    manage(env, "shell", "-c", CREATE_EVENT)
    static.result()
    yield env
    cluster.destroy()


def in_parallel(poll, threads: int = 6) -> None:
    workers = [threading.Thread(target=poll) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def sequences(port: int, path: str, *, rounds: int = 12, threads: int = 6) -> list[int]:
    """The event's SEQUENCE in many calendar requests, sent in parallel so that every
    worker answers some of them."""
    found: list[int] = []

    def poll():
        for _ in range(rounds):
            status, body = get(port, path)
            assert status == 200
            found.extend(int(value) for value in re.findall(r"^SEQUENCE:(\d+)", body, re.M))

    in_parallel(poll, threads)
    return found


def test_a_moved_event_has_its_new_sequence_on_every_worker(env):
    with Gunicorn(env, workers=3) as server:
        before = sequences(server.port, CALENDAR)
        assert before
        assert set(before) == {0}  # every worker has the calendar cached now
        manage(env, "shell", "-c", MOVE_EVENT)
        after = sequences(server.port, CALENDAR)
    assert len(after) == len(before)
    assert set(after) == {1}, f"{after.count(0)} of {len(after)} answers still had SEQUENCE 0"


def test_a_scheduled_article_appears_on_every_worker_at_its_time(env):
    """Nothing is saved when the article falls due; every worker's cached lists, feed and
    sitemap must still show it from that moment, not up to PORTAL_PAGE_CACHE_SECONDS later."""
    with Gunicorn(env, workers=3) as server:
        due = float(manage(env, "shell", "-c", SCHEDULE_ARTICLE.replace("DELAY", "8")).split()[-1])
        before: list[tuple[str, bool]] = []

        def poll_before():
            for path in SCHEDULED_PAGES:
                if time.time() < due - 0.5:
                    shown = "punkt-zwoelf" in get(server.port, path)[1]
                    # Only answers given before the moment count: on a busy machine a request
                    # sent in time may be answered after it, rightly with the article.
                    if time.time() < due:
                        before.append((path, shown))

        in_parallel(poll_before)  # now every worker has these pages cached without it
        assert before
        assert not any(shown for _, shown in before)
        time.sleep(max(due - time.time(), 0) + 0.1)
        missing: list[str] = []

        def poll_after():
            for path in SCHEDULED_PAGES * 3:
                if "punkt-zwoelf" not in get(server.port, path)[1]:
                    missing.append(path)

        in_parallel(poll_after)
    assert missing == []
