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


def pytest_collection_modifyitems(items):
    # The hook receives every item of the session, not only this folder's: mark ours only.
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)


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
