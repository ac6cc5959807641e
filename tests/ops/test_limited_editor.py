"""An editor limited to Oschatz, tried the way a careless or hostile person would.

Everything goes through the Django test client and the real admin forms: the unchanged
change form is read from the page and sent back as a browser would, ids are tampered with
by hand. The demo content provides the regional article "Kommunalforen in allen sieben
Kommunen" and the seven municipalities of the data migration.
"""

import html.parser
import io
from collections import Counter

import pytest
from django.contrib.redirects.models import Redirect
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import EventStatus, Registration, RegistrationStatus
from portal import demo
from portal.models import EditorProfile, Municipality, NewsArticle, NewsStatus, Page
from tests.factories import EventFactory, NewsArticleFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

REGIONAL = "kommunalforen-in-allen-sieben-kommunen"


class FormFields(html.parser.HTMLParser):
    """What a browser sends when the form ``form_id`` is submitted unchanged with "Sichern"."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.data: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = attrs.get("id") == self.form_id
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self.data.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, "".join(self._text)))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def unchanged_form(client, url: str, form_id: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormFields(form_id)
    parser.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    data["_save"] = ["Sichern"]
    return data


@pytest.fixture
def oschatz():
    return Municipality.objects.get(slug="oschatz")


@pytest.fixture
def dahlen():
    return Municipality.objects.get(slug="dahlen")


@pytest.fixture
def regional_article():
    demo.seed(stdout=io.StringIO())
    return NewsArticle.objects.get(slug=REGIONAL)


@pytest.fixture
def limited_editor(make_staff, oschatz):
    return make_staff("redaktion-oschatz", group="Redaktion", limit=oschatz)


@pytest.fixture
def editor_client(client, limited_editor):
    client.force_login(limited_editor)
    return client


# --- news -----------------------------------------------------------------------------------


def test_unchanged_save_of_the_regional_article_keeps_all_seven_municipalities(
    editor_client, regional_article
):
    assert regional_article.municipalities.count() == 7
    url = f"/admin/portal/newsarticle/{regional_article.pk}/change/"
    data = unchanged_form(editor_client, url, "newsarticle_form")
    # The widget offers the editor only Oschatz; the browser sends what it shows.
    assert len(data["municipalities"]) == 1

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert regional_article.municipalities.count() == 7


def test_an_edit_of_the_regional_article_keeps_it_shared(editor_client, regional_article):
    url = f"/admin/portal/newsarticle/{regional_article.pk}/change/"
    data = unchanged_form(editor_client, url, "newsarticle_form")
    data["teaser"] = ["Korrigierter Anreißer aus Oschatz."]
    data["status"] = ["draft"]  # not offered to them (read-only), sent by hand

    assert editor_client.post(url, data).status_code == 302

    regional_article.refresh_from_db()
    assert regional_article.teaser == "Korrigierter Anreißer aus Oschatz."
    assert regional_article.municipalities.count() == 7
    assert regional_article.status == NewsStatus.PUBLISHED


def test_the_change_form_names_the_municipalities_the_editor_cannot_choose(
    editor_client, regional_article
):
    body = editor_client.get(
        f"/admin/portal/newsarticle/{regional_article.pk}/change/"
    ).content.decode()
    for name in ("Cavertitz", "Dahlen", "Liebschützberg", "Mügeln", "Wermsdorf"):
        assert name in body


def test_limited_editor_cannot_delete_the_regional_article(editor_client, regional_article):
    url = f"/admin/portal/newsarticle/{regional_article.pk}/delete/"
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    editor_client.post(
        "/admin/portal/newsarticle/",
        {"action": "delete_selected", "_selected_action": [regional_article.pk], "post": "yes"},
    )
    assert NewsArticle.objects.filter(pk=regional_article.pk).exists()


def test_limited_editor_cannot_unpublish_the_regional_article(editor_client, regional_article):
    editor_client.post(
        "/admin/portal/newsarticle/",
        {"action": "unpublish", "_selected_action": [regional_article.pk]},
    )
    regional_article.refresh_from_db()
    assert regional_article.status == NewsStatus.PUBLISHED


def test_bulk_actions_skip_articles_of_other_municipalities(editor_client, dahlen):
    other = NewsArticleFactory(title="Nur Dahlen")
    other.municipalities.add(dahlen)
    editor_client.post(
        "/admin/portal/newsarticle/", {"action": "unpublish", "_selected_action": [other.pk]}
    )
    editor_client.post(
        "/admin/portal/newsarticle/",
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    other.refresh_from_db()
    assert other.status == NewsStatus.PUBLISHED


def test_the_change_form_asks_each_scope_question_once(editor_client, oschatz):
    """The admin asks about a dozen times per page whether the object is the editor's and
    whether it is shared; on a GET the answers cannot change, so each is one query."""
    article = NewsArticleFactory(slug="nur-oschatz")
    article.municipalities.add(oschatz)

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(f"/admin/portal/newsarticle/{article.pk}/change/")

    assert response.status_code == 200
    counts = Counter(query["sql"] for query in queries.captured_queries)
    assert [sql for sql, count in counts.items() if count > 1] == []


def test_limited_editor_may_delete_an_article_of_only_their_municipality(editor_client, oschatz):
    own = NewsArticleFactory(title="Nur Oschatz")
    own.municipalities.add(oschatz)
    response = editor_client.post(f"/admin/portal/newsarticle/{own.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not NewsArticle.objects.filter(pk=own.pk).exists()


def test_draft_preview_of_another_municipality_is_not_shown(editor_client, dahlen, oschatz):
    other = NewsArticleFactory(slug="entwurf-dahlen", title="Geheimer Entwurf Dahlen", draft=True)
    other.municipalities.add(dahlen)
    own = NewsArticleFactory(slug="entwurf-oschatz", title="Entwurf Oschatz", draft=True)
    own.municipalities.add(oschatz)

    response = editor_client.get("/aktuelles/entwurf-dahlen/?vorschau")

    assert response.status_code == 404
    assert "Geheimer Entwurf Dahlen" not in response.content.decode()
    assert editor_client.get("/aktuelles/entwurf-oschatz/?vorschau").status_code == 200


# --- events and registrations ---------------------------------------------------------------


@pytest.fixture
def dahlen_event(dahlen):
    event = EventFactory(
        slug="forum-dahlen",
        title="Kommunalforum Dahlen",
        municipality=dahlen,
        takes_registrations=True,
        capacity=10,
    )
    RegistrationFactory(
        event=event,
        name="Gerda Geheim",
        email="gerda@example.org",
        accessibility_needs="Rollstuhl, Diabetes",
    )
    return event


@pytest.fixture
def oschatz_event(oschatz):
    event = EventFactory(
        slug="forum-oschatz",
        title="Kommunalforum Oschatz",
        municipality=oschatz,
        takes_registrations=True,
        capacity=10,
    )
    RegistrationFactory(event=event, name="Otto Oschatzer", email="otto@example.org")
    return event


def test_event_of_another_municipality_is_not_listed_nor_opened(editor_client, dahlen_event):
    assert "Kommunalforum Dahlen" not in editor_client.get("/admin/events/event/").content.decode()
    response = editor_client.get(f"/admin/events/event/{dahlen_event.pk}/change/", follow=True)
    assert "Kommunalforum Dahlen" not in response.content.decode()
    assert "Gerda Geheim" not in response.content.decode()


def test_event_of_another_municipality_cannot_be_changed_by_a_tampered_url(
    editor_client, dahlen_event, oschatz_event
):
    # The editor's own, valid change form, sent to the other event's address.
    data = unchanged_form(
        editor_client, f"/admin/events/event/{oschatz_event.pk}/change/", "event_form"
    )
    data["title"] = ["Übernommen"]
    editor_client.post(f"/admin/events/event/{dahlen_event.pk}/change/", data)
    editor_client.post(f"/admin/events/event/{dahlen_event.pk}/delete/", {"post": "yes"})

    dahlen_event.refresh_from_db()
    assert dahlen_event.title == "Kommunalforum Dahlen"


def test_history_of_other_municipalities_objects_is_not_shown(editor_client, dahlen_event):
    registration = dahlen_event.registrations.get()
    for url in (
        f"/admin/events/event/{dahlen_event.pk}/history/",
        f"/admin/events/registration/{registration.pk}/history/",
    ):
        response = editor_client.get(url, follow=True)
        assert "Kommunalforum Dahlen" not in response.content.decode(), url
        assert "Gerda Geheim" not in response.content.decode(), url


def test_event_bulk_actions_skip_other_municipalities(editor_client, dahlen_event):
    mail.outbox.clear()
    editor_client.post(
        "/admin/events/event/",
        {"action": "mark_cancelled", "_selected_action": [dahlen_event.pk]},
    )
    editor_client.post(
        "/admin/events/event/",
        {"action": "delete_selected", "_selected_action": [dahlen_event.pk], "post": "yes"},
    )
    dahlen_event.refresh_from_db()
    assert dahlen_event.status == EventStatus.PLANNED
    assert mail.outbox == []


def test_event_form_offers_only_the_own_municipality(editor_client, oschatz):
    form = editor_client.get("/admin/events/event/add/").context["adminform"].form
    assert list(form.fields["municipality"].queryset) == [oschatz]


def test_regional_events_without_municipality_are_not_shown(editor_client):
    online = EventFactory(slug="online-forum", title="Online-Regionalforum", municipality=None)
    assert "Online-Regionalforum" not in editor_client.get("/admin/events/event/").content.decode()
    response = editor_client.get(f"/admin/events/event/{online.pk}/change/", follow=True)
    assert "Online-Regionalforum" not in response.content.decode()


def test_registrations_of_other_events_are_neither_listed_nor_opened(
    editor_client, dahlen_event, oschatz_event
):
    body = editor_client.get("/admin/events/registration/").content.decode()
    assert "Otto Oschatzer" in body
    assert "Gerda Geheim" not in body
    registration = dahlen_event.registrations.get()
    response = editor_client.get(
        f"/admin/events/registration/{registration.pk}/change/", follow=True
    )
    assert "gerda@example.org" not in response.content.decode()


def test_registration_export_with_tampered_ids_has_no_other_event(
    editor_client, dahlen_event, oschatz_event
):
    ids = list(Registration.objects.values_list("pk", flat=True))
    response = editor_client.post(
        "/admin/events/registration/", {"action": "export_csv", "_selected_action": ids}
    )
    content = response.content.decode()
    assert "Otto Oschatzer" in content
    assert "Gerda Geheim" not in content
    assert "Diabetes" not in content

    response = editor_client.post(
        "/admin/events/event/",
        {
            "action": "export_registrations",
            "_selected_action": [dahlen_event.pk, oschatz_event.pk],
        },
    )
    content = response.content.decode()
    assert "Otto Oschatzer" in content
    assert "Gerda Geheim" not in content


def test_registrations_of_other_events_cannot_be_cancelled(editor_client, dahlen_event):
    registration = dahlen_event.registrations.get()
    editor_client.post(
        "/admin/events/registration/",
        {"action": "cancel_registrations", "_selected_action": [registration.pk]},
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


# --- global objects -------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://x.test"])
@pytest.mark.parametrize("who", ["limited", "editor"])
def test_no_editor_creates_a_redirect_to_another_site(
    client, make_staff, limited_editor, who, target
):
    user = limited_editor
    if who == "editor":
        user = make_staff("redaktion", group="Redaktion")
    client.force_login(user)

    response = client.post(
        "/admin/redirects/redirect/add/",
        {"site": 1, "old_path": "/angebot/", "new_path": target},
    )

    assert not Redirect.objects.exists()
    if who == "editor":
        assert response.status_code == 200
        assert "nur Adressen dieser Website" in response.content.decode()


def test_editor_creates_a_local_redirect(client, make_staff):
    client.force_login(make_staff("redaktion", group="Redaktion"))
    response = client.post(
        "/admin/redirects/redirect/add/",
        {"site": 1, "old_path": "/alt/", "new_path": "/aktuelles/"},
    )
    assert response.status_code == 302
    assert Redirect.objects.get().new_path == "/aktuelles/"


def test_superuser_may_redirect_to_another_site(admin_client):
    response = admin_client.post(
        "/admin/redirects/redirect/add/",
        {"site": 1, "old_path": "/amt/", "new_path": "https://www.oschatz.de/"},
    )
    assert response.status_code == 302
    assert Redirect.objects.get().new_path == "https://www.oschatz.de/"


def test_limited_editor_cannot_change_the_impressum(editor_client):
    page = Page.objects.get(slug="impressum")
    editor_client.post(
        f"/admin/portal/page/{page.pk}/change/",
        {
            "title": "Impressum",
            "slug": "impressum",
            "description": page.description,
            "body": "<p>Verantwortlich: jemand anderes</p>",
            "is_published": "on",
            "position": page.position,
        },
    )
    editor_client.post(f"/admin/portal/page/{page.pk}/delete/", {"post": "yes"})
    page.refresh_from_db()
    assert "jemand anderes" not in page.body


def test_limited_editor_cannot_change_another_municipality(editor_client, dahlen):
    editor_client.post(f"/admin/portal/municipality/{dahlen.pk}/delete/", {"post": "yes"})
    assert Municipality.objects.filter(pk=dahlen.pk).exists()
    # Deleting the own municipality would drop the editor's limit (and make them unlimited).
    oschatz = Municipality.objects.get(slug="oschatz")
    editor_client.post(f"/admin/portal/municipality/{oschatz.pk}/delete/", {"post": "yes"})
    assert Municipality.objects.filter(pk=oschatz.pk).exists()
    assert EditorProfile.objects.filter(municipality=oschatz).exists()


def test_limited_editor_cannot_edit_their_own_editor_limit(editor_client, limited_editor):
    # The limit lives on the user, which only superusers edit.
    response = editor_client.get(f"/admin/auth/user/{limited_editor.pk}/change/")
    assert response.status_code in (302, 403)
    assert "Redaktionseinstellung" not in response.content.decode()
