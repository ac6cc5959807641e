"""The search on the zero-setup SQLite database (``make run`` without DATABASE_URL).

The suite runs on PostgreSQL, so this test migrates a fresh SQLite file in a separate
``manage.py`` process and searches it through the test client there. SQLite's LIKE folds
ASCII letters only ("MÜGELN" found nothing); the search folds both sides in Python.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, re
from django.test import Client
from portal.models import Idea, IdeaStatus, NewsArticle, NewsStatus
from django.utils import timezone

NewsArticle.objects.create(title="Neuer Radweg nach Mügeln", slug="radweg", body="<p>Fertig.</p>",
    status=NewsStatus.PUBLISHED, published_at=timezone.now())
NewsArticle.objects.create(title="Einladung zum Regionalforum", slug="forum",
    status=NewsStatus.PUBLISHED, published_at=timezone.now())
NewsArticle.objects.create(title="Geheimplan", slug="entwurf", status=NewsStatus.DRAFT,
    published_at=timezone.now())
Idea.objects.create(title="Bänke am See", text="Zum Ausruhen.", name="Hildegard Sommerfeld",
    email="hildegard@example.org", status=IdeaStatus.APPROVED)
Idea.objects.create(title="Hängebrücke", text="Noch nicht geprüft.", status=IdeaStatus.NEW)

client = Client()
link = re.compile(r'<li class="search-result">\s*<h2 class="h5"><a href="([^"]+)"')
out = {}
for query in ["MÜGELN", "Muegeln", "RADWEG mügeln", "Radweg Oschatz", '"Radweg nach"',
              '"nach Radweg"', "Radweg -Mügeln", "Wermsdorf Ortsteile", "Geheimplan",
              "Hildegard", "hildegard@example.org", "Hängebrücke", "Regionalform", "%", "_"]:
    response = client.get("/suche/", {"q": query})
    body = response.content.decode()
    suggestion = re.search(r'class="search-suggestion">.*?href="([^"]+)"', body)
    out[query] = {
        "status": response.status_code,
        "urls": link.findall(body),
        "suggestion": suggestion.group(1) if suggestion else None,
    }
# The sources searched one by one (the fallback of the single statement) find what the
# providers of before found (tests/portal/search_reference.py).
from portal.search import search
from tests.portal.search_reference import reference_search
def rows(results):
    return [(r.title, r.url, str(r.snippet), r.kind, r.rank, str(r.date)) for r in results]
terms = ["MÜGELN", "Radweg", "Oschatz", "Ortsteile", "Straße", "Bänke", "x" * 10000, "\x00"]
out["same_as_before"] = [t[:20] for t in terms if rows(search(t)) != rows(reference_search(t))]
out["compared"] = sum(len(reference_search(t)) for t in terms)
print("RESULT" + json.dumps(out))
"""


@pytest.mark.slow
def test_sqlite_search_folds_case_and_umlauts_and_keeps_every_promise(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_CACHE_URL": "",
        # As `make run`: demo mode (static files straight from the app folders).
        "DJANGO_DEBUG": "true",
        "DJANGO_DEMO_MODE": "true",
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    migrated = manage("migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    searched = manage("shell", "-c", SCRIPT)
    assert searched.returncode == 0, searched.stderr[-3000:]
    output = searched.stdout
    results = json.loads(output.split("RESULT", 1)[1])

    assert results.pop("same_as_before") == []
    assert results.pop("compared") > 10
    assert {query: result["status"] for query, result in results.items()} == dict.fromkeys(
        results, 200
    )
    radweg = "/aktuelles/radweg/"
    assert radweg in results["MÜGELN"]["urls"]
    assert results["MÜGELN"]["urls"][0] == "/kommunen/muegeln/"  # the title that is the query
    assert radweg in results["Muegeln"]["urls"]
    assert results["RADWEG mügeln"]["urls"] == [radweg]
    assert results["Radweg Oschatz"]["urls"] == []
    assert results['"Radweg nach"']["urls"] == [radweg]
    assert results['"nach Radweg"']["urls"] == []
    assert radweg not in results["Radweg -Mügeln"]["urls"]
    assert results["Wermsdorf Ortsteile"]["urls"] == ["/kommunen/wermsdorf/"]
    for query in ["Geheimplan", "Hildegard", "hildegard@example.org", "Hängebrücke", "%", "_"]:
        assert results[query]["urls"] == [], query
    assert results["Regionalform"]["suggestion"] == "/suche/?q=Regionalforum"
