"""Script and HTML payloads in every free-text field that is shown somewhere: never executed.

Data-driven: a field is one entry in FIELDS (how to store the payload, where it shows up
publicly, where in the admin).
"""

import html.parser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import reverse

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
