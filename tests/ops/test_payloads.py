"""Script and HTML payloads in every free-text field that is shown somewhere: never executed.

Data-driven: a field is one entry in FIELDS (how to store the payload, where it shows up
publicly, where in the admin).
"""

import html.parser
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    EventFactory,
    IdeaFactory,
    MunicipalityFactory,
    NewsArticleFactory,
    PageFactory,
    RegistrationFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">klick</a>',
    "</title><script>alert(1)</script>",
]


class LiveMarkup(html.parser.HTMLParser):
    """Finds what a browser would run: event-handler attributes, javascript: links, and
    scripts or elements that only a payload brings in."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag in ("svg", "img") and dict(attrs).get("src") == "x":
            self.found.append(f"<{tag} src=x>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append("<script>alert(…)</script>")


@dataclass(frozen=True)
class Field:
    label: str
    create: Callable[[str], object]  # stores the payload, returns the object
    public: Callable[[object], str] | None  # public URL that shows it
    admin: Callable[[object], str] | None  # admin URL that shows it


FIELDS = [
    Field(
        "page title and rich text",
        lambda p: PageFactory(title=f"Titel {p}", body=f"<p>Text</p>{p}", slug="nutzlast"),
        lambda o: o.get_absolute_url(),
        lambda o: reverse("admin:portal_page_changelist"),
    ),
    Field(
        "municipality name, portrait and mayor",
        lambda p: MunicipalityFactory(
            name=f"Ort {p}"[:100], portrait=p, head_name=f"Name {p}"[:100], slug="nutzlast"
        ),
        lambda o: o.get_absolute_url(),
        lambda o: reverse("admin:portal_municipality_changelist"),
    ),
    Field(
        "topic name and description",
        lambda p: TopicFactory(name=f"Thema {p}"[:100], description=p, slug="nutzlast"),
        lambda o: o.get_absolute_url(),
        lambda o: reverse("admin:portal_topic_changelist"),
    ),
    Field(
        "news title, teaser and rich text",
        lambda p: NewsArticleFactory(
            title=f"Beitrag {p}"[:200], teaser=p, body=f"<p>Text</p>{p}", slug="nutzlast"
        ),
        lambda o: o.get_absolute_url(),
        lambda o: reverse("admin:portal_newsarticle_changelist"),
    ),
    Field(
        "approved idea with name and staff reply",
        lambda p: IdeaFactory(
            title=f"Idee {p}"[:200], text=p, name=f"Name {p}"[:100], reply=p, status="approved"
        ),
        lambda o: reverse("portal:idea_list"),
        lambda o: reverse("admin:portal_idea_changelist"),
    ),
    Field(
        "event title and description",
        lambda p: EventFactory(title=f"Forum {p}"[:200], description=p, slug="nutzlast"),
        lambda o: o.get_absolute_url(),
        lambda o: reverse("admin:events_event_changelist"),
    ),
    Field(
        "event registration (name and needs, admin only)",
        lambda p: RegistrationFactory(name=f"Name {p}"[:100], accessibility_needs=p),
        None,
        lambda o: reverse("admin:events_registration_changelist"),
    ),
    Field(
        "search term",
        lambda p: p,
        lambda p: "/suche/?q=" + quote(p),
        None,
    ),
]


def assert_not_live(page: str, where: str):
    parser = LiveMarkup()
    parser.feed(page)
    assert parser.found == [], f"{where}: live markup {parser.found}"


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.label)
def test_payload_is_shown_as_text_never_executed(client, admin_user, field, payload):
    obj = field.create(payload)
    if field.public:
        response = client.get(field.public(obj))
        assert response.status_code == 200
        assert_not_live(response.content.decode(), f"public {field.label}")
    if field.admin:
        client.force_login(admin_user)
        for url in (field.admin(obj), f"{field.admin(obj)}{obj.pk}/change/"):
            response = client.get(url)
            assert response.status_code == 200
            assert_not_live(response.content.decode(), f"admin {field.label} {url}")


# --- Scanner input in every URL pattern ---------------------------------------------------
# Crawls the URL configuration itself, so a new route cannot be left out: every path and query
# parameter gets a NUL byte (which PostgreSQL refuses, 500 if it gets that far) and huge values.

NUL = "\x00"
HUGE = ["x" * 5000, "9" * 5000, "9" * 25, "-1"]
HUGE_QUERY = ["x" * 5000, "9" * 25]
# Every query parameter a view reads (grep request.GET), plus the admin's own. ("anzahl" and
# "ab" of the numbered questionnaire are POST fields now: tests/survey/test_scanning.py.)
QUERY_PARAMS = ["kommune", "thema", "art", "seite", "nach", "q", "schritt", "stapel", "vorschau"]
# The admin's own, on its lists (their filters: the next test).
ADMIN_QUERY_PARAMS = ["q", "o", "p", "e", "_to_field", "_popup"]


def _route_patterns(patterns=None, prefix=""):
    """Every (route with converters, full URL name) of the project, admin included."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # the admin's app-index regex; its app pages are reached via models
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _route_patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name or route


ROUTES = sorted(set(_route_patterns()))
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def crawl_data(admin_user):
    """One of each kind of object, so that valid path parameters lead to a real page whose
    query parameters are then attacked."""
    from survey.models import SurveyStatus
    from tests.factories import SurveyFactory

    event = EventFactory(slug="forum", takes_registrations=True, capacity=5)
    registration = RegistrationFactory(event=event)
    SurveyFactory(
        slug="befragung",
        status=SurveyStatus.PUBLISHED,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=30),
    )
    NewsArticleFactory(slug="beitrag")
    return {
        "slug": {
            "events": "forum",
            "survey": "befragung",
            "portal:news_detail": "beitrag",
            "portal:news_feed_filtered": "oschatz",
            "portal:news_feed_filtered_atom": "oschatz",
            "portal:municipality_detail": "oschatz",
            "portal:page_detail": "impressum",
        },
        "token": registration.cancel_token,
        "kind": "kommune",
        "year": "2019",
        "month": "5",
        "day": "3",
        "object_id": str(admin_user.pk),
    }


def test_crawl_sees_the_routes_of_every_app():
    names = {name for _route, name in ROUTES}
    expected = {"cancel", "confirm", "feed", "participate", "results", "news_detail", "search"}
    assert expected <= names
    assert "events_registration_changelist" in names  # the admin too
    assert len(ROUTES) > 150


def _fill(route, name, data, attacked=None, value=None) -> str:
    def replace(match):
        kwarg = match.group(2)
        if kwarg == attacked:
            return quote(value, safe="")
        if kwarg == "slug":
            slugs = data["slug"]
            return slugs.get(name) or slugs.get(name.split(":")[0]) or "themen"
        return quote(str(data.get(kwarg, "x")), safe="")

    return "/" + CONVERTER.sub(replace, route)


def _get(client, url):
    response = client.get(url)
    assert response.status_code < 500, f"{url[:120]} answered {response.status_code}"
    return response


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name for _route, name in ROUTES])
def test_scanner_input_in_every_route_never_reaches_the_database(
    client, admin_user, crawl_data, route, name
):
    if route.startswith("admin/"):
        client.force_login(admin_user)
    kwargs = [m.group(2) for m in CONVERTER.finditer(route)]
    for kwarg in kwargs:
        response = _get(client, _fill(route, name, crawl_data, kwarg, NUL))
        assert response.status_code in {400, 404}, f"NUL in <{kwarg}> of {route}"
        for value in HUGE:
            _get(client, _fill(route, name, crawl_data, kwarg, value))
    url = _fill(route, name, crawl_data)
    if not route.startswith("admin/"):
        params = QUERY_PARAMS
    elif name.endswith("_changelist"):
        params = ADMIN_QUERY_PARAMS
    else:
        params = ["_changelist_filters"]
    for param in params:
        response = _get(client, f"{url}?{param}=%00")
        assert response.status_code == 400, f"NUL in ?{param} of {url}"
        for value in HUGE_QUERY:
            _get(client, f"{url}?{param}={value}")


def test_scanner_input_in_every_admin_changelist_filter(client, admin_user, crawl_data):
    """The filters each admin list offers (status, event, municipality, …) by their names."""
    from django.contrib import admin
    from django.test import RequestFactory

    client.force_login(admin_user)
    request = RequestFactory().get("/")
    request.user = admin_user
    checked = 0
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        changelist = model_admin.get_changelist_instance(request)
        names = {p for spec in changelist.filter_specs for p in spec.expected_parameters()}
        for param in sorted(names):
            response = _get(client, f"{url}?{param}=%00")
            assert response.status_code == 400, f"NUL in ?{param} of {url}"
            for value in HUGE_QUERY:
                _get(client, f"{url}?{quote(param)}={value}")
            checked += 1
    assert checked > 20  # the crawl found the filters


def test_nul_byte_answers_a_german_400_page(client):
    response = client.get("/termine/kalender.ics?kommune=%00")

    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/termine/kalender.ics?kommune=%00",
        "/termine/forum/abmeldung/%00/",
        "/termine/forum/bestaetigung/%00/",
        "/aktuelles/?thema=%00",
        "/suche/?q=%00",
        "/befragungen/befragung/ergebnisse/?nach=%00",
    ],
)
def test_known_scanner_requests_are_refused(client, crawl_data, url):
    assert client.get(url).status_code in {400, 404}
