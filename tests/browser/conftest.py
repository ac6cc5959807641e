"""Browser journeys: Playwright drives Debian's chromium against pytest-django's live server.

Every page a journey visits is checked with axe-core (WCAG 2.1 A/AA) and for requests to
other hosts.
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


# The longest browser tests (about 90 and 40 s; the others take 5–20 s), handed out first:
# last in the list, as they came by name, they finished alone after everything else.
LONGEST_FIRST = ["test_sweep.py", "test_studio_journey.py"]


def pytest_collection_modifyitems(items):
    # The hook receives every item of the session, not only this folder's: mark ours only.
    here = str(Path(__file__).parent)
    ours = [i for i, item in enumerate(items) if str(item.path).startswith(here)]
    for i in ours:
        items[i].add_marker(pytest.mark.browser)
    if not ours:
        return
    # Moved to where this folder's tests begin, so they stay among the tests that flush the
    # database (pytest-django's order: these come after the others).
    longest = [
        item for item in items if item.path.name in LONGEST_FIRST and item.path.parent == Path(here)
    ]
    longest.sort(key=lambda item: LONGEST_FIRST.index(item.path.name))
    first = items[ours[0]]
    rest = [item for item in items if item not in longest]
    at = rest.index(first) if first in rest else ours[0]
    items[:] = rest[:at] + longest + rest[at:]


def delete_rows_flush(truncate):
    """PostgreSQL's ``sql_flush`` emptying the tables with DELETE instead of one TRUNCATE of
    all of them. Django flushes the database after every test with a live server; TRUNCATE
    makes new files for each of the ~70 tables and their indexes, which took 2.5–3.5 s per
    test on the shared machine, DELETE of the few rows a browser test leaves 0.1–0.3 s.
    Same result: every table empty (the foreign keys are deferred, so the order does not
    matter), sequences as they were (flush does not restart them either)."""

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED;",
            *(f"DELETE FROM {self.quote_name(table)};" for table in tables),
        ]

    return sql_flush


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    """Browser tests' flush (the transactional_db fixture's teardown) with DELETE: around
    this folder's teardowns only, so no other test's flush changes."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    DatabaseOperations.sql_flush = delete_rows_flush(truncate)
    try:
        return (yield)
    finally:
        DatabaseOperations.sql_flush = truncate


@pytest.fixture
def foreign_requests(page, live_server):
    """Collects every request the page makes to a host other than the live server."""
    own = urlsplit(live_server.url).netloc
    seen = []

    def record(request):
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != own:
            seen.append(request.url)

    page.on("request", record)
    return seen


# axe-core's full result lists every node of every passed rule too; only the violations
# are checked, so only they are asked for and sent back from the browser.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
AXE_RUN = f"axe.run(document, {json.dumps(AXE_OPTIONS)}).then(results => results.violations)"
AXE_SCRIPT = Axe().axe_script
AXE_LOADED = "typeof window.axe !== 'undefined' && typeof window.axe.run === 'function'"


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now. axe-core (570 kB) is
    put into each document once: a check of the same document again (another viewport,
    another state) runs it without sending it anew."""
    if not page.evaluate(AXE_LOADED):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(AXE_RUN)


@pytest.fixture
def check_accessible():
    """Run axe-core on the current page and fail with a readable list of violations."""

    def check(page):
        violations = axe_violations(page)
        report = [
            f"{v['id']} ({v['impact']}): {v['help']} – "
            + "; ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in violations
        ]
        assert not violations, f"axe-core violations on {page.url}:\n" + "\n".join(report)

    return check


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-base-url's fixture (deprecated form); pages use live_server.url."""
    return None
