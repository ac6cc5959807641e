"""Accessibility sweep: every URL of the sitemap and every public form, also with errors.

With the demo content loaded, one browser page visits every ``<loc>`` of ``/sitemap.xml``
plus what a sitemap does not list: a search, a results breakdown, the survey questionnaire,
the event registration form, the 404 page, the phone's open menu, and the questionnaire,
registration, idea and contact forms sent empty (errors shown). Every page must have zero
axe-core WCAG 2.1 A/AA violations at both viewports (390 px and 1280 px), make no request to
another host, have one ``<h1>``, headings in order, a unique title "<Page> – Oschatzer Land –
Collmregion" and, on the phone, no horizontal scrolling (at 390 px and 320 px). All problems
of a run are collected into one assertion message, so one run shows everything.

Each page is loaded once, at the phone's width, checked, then laid out at the desktop's
width in the same document and checked again (axe-core included). That is what loading it
at 1280 px would show: the pages' layout is CSS media queries only, and their one script
(menu.js) reads no width when it loads. Half the page loads and axe-core injections of one
run per viewport.
"""

import io
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventStatus
from survey.models import AccessMode, Survey
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

SITEMAP_LOC = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
MISSING_PAGE = "/diese-seite-gibt-es-nicht/"
TITLE_SUFFIX = " – Oschatzer Land – Collmregion"
# Headings in order: a heading may go at most one level deeper than the one before it.
SKIPPED_HEADINGS = """() => {
    const found = [];
    let previous = 0;
    for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
        const level = Number(h.tagName[1]);
        if (previous && level > previous + 1) {
            found.push(`h${previous} → h${level} „${h.textContent.trim().slice(0, 40)}“`);
        }
        previous = level;
    }
    return found;
}"""
NARROW_WIDTH = 320  # WCAG 1.4.10 reflow: the phone run also checks the narrowest width


@pytest.fixture
def demo_content():
    call_command("seed_demo", stdout=io.StringIO())


VIEWPORTS = (PHONE, DESKTOP)


class Sweep:
    """Visits pages in one browser page and collects every problem it finds."""

    def __init__(self, page, live_server, check_accessible, foreign_requests):
        self.page = page
        self.base = live_server.url
        self.check_accessible = check_accessible
        self.foreign_requests = foreign_requests
        self.failures: list[str] = []
        self.titles: dict[str, str] = {}
        self.visited = 0

    def goto(self, path: str):
        """Load ``path`` at the phone's width (``check`` widens it afterwards)."""
        self.page.set_viewport_size(PHONE)
        return self.page.goto(self.base + path)

    def visit(self, path: str, *, status: int = 200) -> None:
        response = self.goto(path)
        self.check(path, status=response.status, expected_status=status)

    def menu_open(self, path: str) -> None:
        """The phone's navigation opened from its menu button (a state of its own, which
        only the phone has: wide screens show the navigation without a button)."""
        response = self.goto(path)
        self.page.locator("summary.site-menu__button").click()
        problems = []
        if not self.page.locator("details.site-menu[open]").count():
            problems.append("the menu button does not open the navigation")
        label = f"{path} (menu open)"
        self.check(
            label,
            status=response.status,
            expected_status=200,
            problems=problems,
            again=True,
            viewports=(PHONE,),
        )

    def submit_empty(self, path: str, button: str) -> None:
        """Send the form on ``path`` without typing anything; errors must be shown."""
        self.goto(path)
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button, exact=True).click()
        label = f"{path} (sent empty)"
        problems = []
        if not self.page.title().startswith("Fehler: "):
            problems.append(f"title does not start with 'Fehler: ': {self.page.title()!r}")
        if self.page.locator("[aria-invalid=true]").count() == 0:
            problems.append("no field is marked aria-invalid")
        self.check(label, status=navigation.value.status, expected_status=200, problems=problems)

    def check(
        self,
        label: str,
        *,
        status: int,
        expected_status: int,
        problems=None,
        again=False,
        viewports=VIEWPORTS,
    ) -> None:
        """The page as loaded, at each of ``viewports`` in turn. ``problems``: found
        before, at any width. ``again``: a visited page in another state (its title may
        repeat)."""
        problems = list(problems or [])
        if status != expected_status:
            problems.append(f"HTTP {status}, expected {expected_status}")
        title = self.page.title()
        if not title.endswith(TITLE_SUFFIX):
            problems.append(f"title does not end with {TITLE_SUFFIX!r}: {title!r}")
        elif status == 200 and title in self.titles and not again:
            problems.append(f"same title as {self.titles[title]}: {title!r}")
        self.titles.setdefault(title, label)
        for viewport in viewports:
            self.page.set_viewport_size(viewport)
            problems += [f"at {viewport['width']} px: {p}" for p in self.at_width(viewport)]
        problems += [f"request to another host: {url}" for url in self.foreign_requests]
        self.foreign_requests.clear()
        self.failures += [f"{label}: {problem}" for problem in problems]
        self.visited += 1

    def at_width(self, viewport) -> list[str]:
        """What is checked at each viewport: headings, reflow (phone), axe-core."""
        problems = []
        headings = self.page.locator("h1").count()
        if headings != 1:
            problems.append(f"{headings} <h1> elements")
        skipped = self.page.evaluate(SKIPPED_HEADINGS)
        if skipped:
            problems.append(f"heading levels skipped: {', '.join(skipped)}")
        if viewport == PHONE:
            problems += self.overflow()
        try:
            self.check_accessible(self.page)
        except AssertionError as error:
            # The fixture's message, without pytest's rewritten "assert not [...]" part.
            problems.append(str(error).split("\n", 1)[-1].split("\nassert ")[0].strip())
        return problems

    def overflow(self) -> list[str]:
        """Horizontal scrolling at 390 px and, re-laid out without a reload, at 320 px."""
        problems = []
        for width in (PHONE["width"], NARROW_WIDTH):
            self.page.set_viewport_size({**PHONE, "width": width})
            scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append(f"scrolls horizontally at {width} px: {scroll_width} px wide")
        self.page.set_viewport_size(PHONE)
        return problems


def sitemap_paths(page, live_server) -> list[str]:
    """Every <loc> of the sitemap, as a path on the live server."""
    response = page.request.get(live_server.url + "/sitemap.xml")
    assert response.ok, response.status
    paths = []
    for loc in ET.fromstring(response.body()).iter(SITEMAP_LOC):
        parts = urlsplit(loc.text.strip())
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def open_survey() -> Survey:
    return Survey.objects.open_now().filter(access_mode=AccessMode.OPEN).order_by("pk").first()


def event_taking_registrations() -> Event:
    now = timezone.now()
    events = Event.objects.upcoming(now).filter(
        takes_registrations=True, status=EventStatus.PLANNED
    )
    return next(event for event in events if event.registration_closes_at > now)


def test_every_public_page_and_form_is_accessible(
    page, live_server, demo_content, check_accessible, foreign_requests
):
    sweep = Sweep(page, live_server, check_accessible, foreign_requests)
    paths = sitemap_paths(page, live_server)
    assert len(paths) >= 50, paths  # the demo content: pages, news, surveys, events

    for path in [*paths, "/suche/?q=Radwege"]:
        sweep.visit(path)
    sweep.visit(MISSING_PAGE, status=404)

    published = Survey.objects.results_published().order_by("pk").first()
    results = reverse("survey:results", kwargs={"slug": published.slug})
    page.goto(live_server.url + results)
    breakdown = page.locator("select[name=nach] option:not([value=''])").first
    sweep.visit(f"{results}?nach={breakdown.get_attribute('value')}")

    survey = open_survey()
    questionnaire = reverse("survey:participate", kwargs={"slug": survey.slug})
    registration = event_taking_registrations().get_registration_url()
    sweep.visit(questionnaire)
    # Every question kind at once (information block, yes/no, date, ranking …): the print
    # version; pages 2 and 3 online are checked in test_survey's keyboard run.
    sweep.visit(reverse("survey:print", kwargs={"slug": survey.slug}))
    sweep.visit(reverse("survey:resume", kwargs={"slug": survey.slug}))  # continue later
    sweep.menu_open("/")
    sweep.visit(registration)
    sweep.submit_empty(questionnaire, "Weiter")
    sweep.submit_empty(registration, "Anmelden")
    sweep.submit_empty(reverse("portal:idea_list"), "Idee senden")
    sweep.submit_empty(reverse("portal:contact"), "Nachricht senden")

    assert not sweep.failures, (
        f"{len(sweep.failures)} problems on {sweep.visited} pages:\n" + "\n".join(sweep.failures)
    )
