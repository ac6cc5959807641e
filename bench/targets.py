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
    # "other": measured, no goal (e.g. /healthz).
    kind: str = "page"
    # Extra request headers, e.g. {"Cookie": "..."} for a variant.
    headers: dict = field(default_factory=dict)


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

PAGES = [
    Page("home", "/"),
    Page("municipalities", "/kommunen/"),
    Page("municipality oschatz", "/kommunen/oschatz/"),
    Page("topics", "/themen/"),
    Page("imprint page", "/impressum/"),
    Page("healthz", "/healthz", kind="other"),
    # After merging (the paths of the other branches):
    # Page("news", "/aktuelles/"),
    # Page("article", "/aktuelles/<slug of a seeded article>/"),
    # Page("events", "/termine/"),
    # Page("search", "/suche/?q=Radweg"),
    # Page("survey results", "/befragungen/<slug>/ergebnisse/"),
    # Page("survey results by age", "/befragungen/<slug>/ergebnisse/?nach=alter"),
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
    # After merging, the survey flow, e.g.:
    # Flow("flow: survey", steps=(Get("/befragungen/<slug>/teilnehmen/"),
    #      Post("/befragungen/<slug>/teilnehmen/", {"q1": "a", ...}),
    #      ..., Get("/befragungen/<slug>/danke/")),
    #      count_sql="SELECT count(*) FROM survey_response"),
]

# manage.py commands that put the bench data in place; each must be idempotent (the bench
# database is kept between runs).
SEED_COMMANDS = [
    ["seed_demo"],
]
