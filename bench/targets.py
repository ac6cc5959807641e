"""What `make bench` measures. Add a page: one line in PAGES; a multi-step form: one Flow.

Every page target is measured twice, each time against its own gunicorn instance:
- "uncached": the server runs with DJANGO_CACHE_URL=dummy://, so Django's cache framework
  (page cache, fragment cache, cached sessions) stores nothing and every request renders;
- "cached": the server runs with the real cache (Redis DB 4 when reachable, else local
  memory) after one warm-up request, which is what an anonymous visitor gets.
The two baselines are measured under both servers; ratios use the baselines of the same run.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    # "page": public page with the goals; "baseline": a reference view;
    # "results": the survey results page, a public page whose uncached goal is its own
    # (< 300 ms per request, measured with one connection: the time a visitor waits, not
    # the queue of 16 connections in front of a page that needs ~0.1–0.3 s of database work);
    # "other": measured, no goal (e.g. /healthz).
    kind: str = "page"
    # Extra request headers, e.g. {"Cookie": "..."} for a variant.
    headers: dict = field(default_factory=dict)
    # Requested with the cookies of a visitor who has started the survey (a real session:
    # bench.flow.survey_started_cookies), on the cached server only (issue 18: at least
    # 2 × Wagtail's home page with the production cache).
    session: bool = False
    # Many addresses instead of ``path``: the name of a list built from the bench database
    # (``bench.run.VARIED``); wrk takes the next one for every request (bench/paths.lua).
    varied: str = ""


@dataclass(frozen=True)
class Get:
    path: str
    expect: int = 200


@dataclass(frozen=True)
class Post:
    """POST the CSRF token of the page fetched last plus ``fields``.

    Field values may contain ``{n}``: the number of this run of the flow (unique per run),
    for forms that reject duplicates.
    """

    path: str
    fields: dict
    expect: int = 302


@dataclass(frozen=True)
class Wizard:
    """A multi-page form whose fields are not known in advance (a questionnaire).

    GET ``path``, fill every field of its ``<form method="post">`` with a valid value (see
    ``bench.flow.fill_form``), POST it with ``action=next`` and the CSRF token, follow the
    redirect (302) and repeat until a redirect leads to a path ending in ``done_suffix``,
    which is fetched last (200). More than ``max_pages`` pages, or a page answering the POST
    with 200 (the form came back with errors), fails the flow.
    """

    path: str
    done_suffix: str = "/danke/"
    max_pages: int = 10


@dataclass(frozen=True)
class Flow:
    label: str
    steps: tuple
    # Optional SQL returning one number; its change over the run must equal the number of
    # completed flows (nothing lost, nothing duplicated).
    count_sql: str = ""
    # "form": a public form flow with the goal (>= 50 % of the query baseline);
    # "other": measured, no throughput goal.
    kind: str = "form"


BASELINES = [
    Page("baseline: constant", "/_bench/constant/", kind="baseline"),
    Page("baseline: query+template", "/_bench/query/", kind="baseline"),
]

# Seeded by SEED_COMMANDS: the demo content and a published survey with 100,000 responses.
ARTICLE = "/aktuelles/kommunalforen-in-allen-sieben-kommunen/"
RESULTS = "/befragungen/bench-ergebnisse/ergebnisse/"
SURVEY = "mobilitaet-2026"
# seed_demo: an event taking registrations until January 2027.
EVENT = "/termine/kommunalforum-oschatz-2027/"

PAGES = [
    Page("home", "/"),
    Page("news", "/aktuelles/"),
    Page("article", ARTICLE),
    Page("municipalities", "/kommunen/"),
    Page("municipality oschatz", "/kommunen/oschatz/"),
    Page("topics", "/themen/"),
    Page("events", "/termine/"),
    Page("search", "/suche/?q=Radweg"),
    # Search terms that change with every request (words and word pairs of the public
    # titles, bench.run.SEARCH_TERMS_SQL): what the per-worker result memo cannot make
    # look better than it is (portal.search.search_page).
    Page("search varied", "/suche/?q=Radweg", varied="search"),
    Page("imprint page", "/impressum/"),
    Page("survey list", "/befragungen/"),
    # Pages with a form: each carries the visitor's CSRF token, so the page cache never
    # serves them (the blank form's fields are kept per worker: portal.form_html).
    Page("idea form", "/mitmachen/"),
    Page("contact form", "/kontakt/"),
    Page("event detail", EVENT),
    Page("event registration", EVENT + "anmeldung/"),
    Page("survey with code form", "/befragungen/nahversorgung-2026/"),
    # The demo survey's results (seed_demo: the 2019 survey, 1,200 responses), a public page
    # like any other (issue 18 measured it at 0.33 × Wagtail's home page uncached).
    Page("results 2019", "/befragungen/buergerbefragung-2019/ergebnisse/"),
    # 100,000 responses on 15 questions; uncached = computed from the database every time.
    Page("results 100k", RESULTS, kind="results"),
    Page("results 100k by municipality", RESULTS + "?nach=F1", kind="results"),
    Page("results 100k by age", RESULTS + "?nach=F2", kind="results"),
    Page("results 100k by channel", RESULTS + "?nach=kanal", kind="results"),
    Page("healthz", "/healthz", kind="other"),
    # A citizen in the middle of the survey browsing on (session and CSRF cookie).
    Page("home (session)", "/", session=True),
    Page("news (session)", "/aktuelles/", session=True),
    Page("events (session)", "/termine/", session=True),
    Page("results 100k (session)", RESULTS, session=True),
]
# A user the bench creates in its own database, for flows through the admin login.
BENCH_USER = ("bench", "Bench-Passwort-2026-nur-lokal")

FLOWS = [
    # GET the login form, POST name, password and CSRF token, get the redirect: one new
    # session row per login. Bound by password hashing (PBKDF2), not by page rendering.
    Flow(
        "flow: admin login",
        steps=(
            Get("/admin/login/"),
            Post("/admin/login/", {"username": BENCH_USER[0], "password": BENCH_USER[1]}),
        ),
        count_sql="SELECT count(*) FROM django_session",
        kind="other",
    ),
    # The open demo survey, page by page as a new visitor (fresh cookies): GET the
    # questionnaire, POST every page (display conditions decide which pages come), GET the
    # thank-you page. Every completed flow must store exactly one response: written, or
    # waiting in the mixing pool (README, "Zugangscodes").
    Flow(
        "flow: survey submission",
        steps=(Wizard(f"/befragungen/{SURVEY}/teilnehmen/"),),
        count_sql=(
            "SELECT (SELECT count(*) FROM survey_response r"
            f" JOIN survey_survey s ON s.id = r.survey_id WHERE s.slug = '{SURVEY}')"
            " + (SELECT count(*) FROM survey_pooledresponse p"
            f" JOIN survey_survey s ON s.id = p.survey_id WHERE s.slug = '{SURVEY}')"
        ),
    ),
]

# manage.py commands that put the bench data in place; each must be idempotent (the bench
# database is kept between runs).
SEED_COMMANDS = [
    ["seed_demo"],
    # Seeds the survey "bench-ergebnisse" once (100,000 responses, ~1 min), then reuses it;
    # also prints the results page's render time in-process (one round, uncached and cached).
    ["bench_results", "--responses", "100000", "--keep", "--reuse", "--repeat", "1"],
]
