"""Second review of the staff roles: attacks by a limited editor (Oschatz), a
full Redaktion member and an Auswertung analyst through the real admin and the test client.
Each test failed on the code before its fix."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import resolve, reverse

from portal.models import Municipality, NewsArticle, Page
from tests.factories import EventFactory, NewsArticleFactory, SurveyFactory
from tests.ops.test_limited_editor import unchanged_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited_editor(make_staff):
    return make_staff("redaktion-oschatz", group="Redaktion", limit="oschatz")


@pytest.fixture
def editor(make_staff):
    return make_staff("redaktion", group="Redaktion")


@pytest.fixture
def analyst(make_staff):
    return make_staff("auswertung", group="Auswertung")


@pytest.fixture
def dahlen_draft():
    article = NewsArticleFactory(
        slug="geheimer-entwurf-dahlen", title="Geheimer Entwurf Dahlen", draft=True
    )
    article.municipalities.add(Municipality.objects.get(slug="dahlen"))
    return article


def _view_on_site(client, obj):
    content_type = ContentType.objects.get_for_model(obj)
    return client.get(f"/admin/r/{content_type.pk}/{obj.pk}/")


# --- "view on site" (/admin/r/<type>/<id>/) ------------------------------------------------


@pytest.mark.parametrize("who", ["limited_editor", "analyst"])
def test_view_on_site_does_not_name_drafts_the_user_may_not_see(request, client, who, dahlen_draft):
    # Django's shortcut redirects any staff member to any object's address: counting up the
    # id reads the slugs (titles) of other municipalities' drafts.
    client.force_login(request.getfixturevalue(who))
    response = _view_on_site(client, dahlen_draft)
    assert response.status_code == 404
    assert "geheimer-entwurf" not in response.get("Location", "")


def test_view_on_site_does_not_name_draft_surveys_to_editors(client, editor):
    survey = SurveyFactory(slug="geheime-befragung", status="draft")
    client.force_login(editor)
    response = _view_on_site(client, survey)
    assert response.status_code == 404


def test_view_on_site_still_works_for_what_the_user_may_see(client, limited_editor, dahlen_draft):
    own = NewsArticleFactory(slug="entwurf-oschatz", draft=True)
    own.municipalities.add(Municipality.objects.get(slug="oschatz"))
    client.force_login(limited_editor)
    response = _view_on_site(client, own)
    assert response.status_code == 302
    assert response["Location"].endswith("/aktuelles/entwurf-oschatz/")
    assert _view_on_site(client, Municipality.objects.get(slug="oschatz")).status_code == 302
    # The admin's own links lead to the guarded view.
    path = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(own).pk, own.pk])
    assert resolve(path).url_name == "admin_view_on_site"
    content_type = ContentType.objects.get_for_model(NewsArticle)
    for bad in ("abc", "99999999"):
        assert client.get(f"/admin/r/{content_type.pk}/{bad}/").status_code == 404
    # A NUL byte is refused before any view (RequestLimitsMiddleware).
    assert client.get(f"/admin/r/{content_type.pk}/1%00/").status_code == 400


# --- legal pages ----------------------------------------------------------------------------


def _page_post(page, **changes):
    data = {
        "title": page.title,
        "slug": page.slug,
        "description": page.description,
        "body": page.body,
        "is_published": "on" if page.is_published else "",
        "position": page.position,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_editor_cannot_rename_the_impressum_and_then_delete_it(client, editor):
    # Only superusers delete the legal pages, recognised by their slug: renaming it first
    # must not turn the Impressum into an ordinary, deletable page.
    page = Page.objects.get(slug="impressum")
    client.force_login(editor)
    client.post(f"/admin/portal/page/{page.pk}/change/", _page_post(page, slug="impressum-alt"))
    client.post(f"/admin/portal/page/{page.pk}/delete/", {"post": "yes"})
    page.refresh_from_db()
    assert page.slug == "impressum"


@pytest.mark.parametrize("slug", ["impressum", "datenschutz", "barrierefreiheit"])
def test_editor_cannot_take_a_legal_page_offline(client, editor, slug):
    page = Page.objects.get(slug=slug)
    client.force_login(editor)
    client.post("/admin/portal/page/", {"action": "unpublish", "_selected_action": [page.pk]})
    client.post(f"/admin/portal/page/{page.pk}/change/", _page_post(page, is_published=""))
    page.refresh_from_db()
    assert page.is_published
    assert client.get(page.get_absolute_url()).status_code == 200


def test_editor_still_corrects_the_impressum_text(client, editor):
    page = Page.objects.get(slug="impressum")
    client.force_login(editor)
    data = unchanged_form(client, f"/admin/portal/page/{page.pk}/change/", "page_form")
    data["body"] = ["<p>Neue Anschrift der Kooperation</p>"]
    assert client.post(f"/admin/portal/page/{page.pk}/change/", data).status_code == 302
    page.refresh_from_db()
    assert "Neue Anschrift" in page.body
    assert page.is_published


# --- news list filter -----------------------------------------------------------------------


def test_author_filter_names_only_authors_the_editor_sees(
    client, django_user_model, limited_editor, dahlen_draft
):
    # The filter listed every user account (superusers included): a list of login names.
    django_user_model.objects.create_superuser("chefin-admin", "chefin@example.org", "x")
    dahlen_draft.author = django_user_model.objects.create_user("autor-dahlen", is_staff=True)
    dahlen_draft.save()
    client.force_login(limited_editor)
    body = client.get("/admin/portal/newsarticle/").content.decode()
    assert "chefin-admin" not in body
    assert "autor-dahlen" not in body


# --- shared articles ------------------------------------------------------------------------


def test_limited_editor_cannot_move_a_shared_article_to_another_address(client, limited_editor):
    # Other municipalities link to the regional article: a new slug breaks their links (404).
    article = NewsArticleFactory(slug="kommunalforen", title="Kommunalforen")
    article.municipalities.set(Municipality.objects.all())
    client.force_login(limited_editor)
    url = f"/admin/portal/newsarticle/{article.pk}/change/"
    data = unchanged_form(client, url, "newsarticle_form")
    data["slug"] = ["umbenannt"]
    client.post(url, data)
    article.refresh_from_db()
    assert article.slug == "kommunalforen"


# --- news preview ---------------------------------------------------------------------------


def test_preview_of_a_published_article_of_another_municipality_shows_the_public_page(
    client, limited_editor
):
    article = NewsArticleFactory(slug="oeffentlich-dahlen", title="Öffentlich in Dahlen")
    article.municipalities.add(Municipality.objects.get(slug="dahlen"))
    client.force_login(limited_editor)
    assert client.get("/aktuelles/oeffentlich-dahlen/?vorschau").status_code == 200


# --- autocomplete ---------------------------------------------------------------------------


def test_event_autocomplete_answers_and_stays_in_the_municipality(client, limited_editor):
    EventFactory(title="Forum Dahlen", municipality=Municipality.objects.get(slug="dahlen"))
    EventFactory(title="Forum Oschatz", municipality=Municipality.objects.get(slug="oschatz"))
    client.force_login(limited_editor)
    response = client.get(
        "/admin/autocomplete/?app_label=events&model_name=registration&field_name=event&term=Forum"
    )
    assert response.status_code == 200
    titles = [result["text"] for result in response.json()["results"]]
    assert titles == ["Forum Oschatz"]


# --- the own municipality -------------------------------------------------------------------


def test_limited_editor_keeps_the_address_of_their_municipality(client, limited_editor):
    # They keep the profile up to date; the slug is the address every page, filter and
    # other municipality links to (/kommunen/oschatz/).
    oschatz = Municipality.objects.get(slug="oschatz")
    url = f"/admin/portal/municipality/{oschatz.pk}/change/"
    client.force_login(limited_editor)
    data = unchanged_form(client, url, "municipality_form")
    data["slug"] = ["oschatz-neu"]
    data["head_name"] = ["Neue Oberbürgermeisterin"]
    assert client.post(url, data).status_code == 302
    oschatz.refresh_from_db()
    assert oschatz.slug == "oschatz"
    assert oschatz.head_name == "Neue Oberbürgermeisterin"


# --- former staff ---------------------------------------------------------------------------


def test_former_staff_with_a_live_session_sees_no_draft_survey(client, make_staff):
    # Access is taken away by removing the staff flag; the group (and an open session) may
    # stay. The news preview asked for the flag, the survey draft preview did not.
    user = make_staff("ehemals", group="Auswertung")
    survey = SurveyFactory(slug="entwurf-befragung", status="draft")
    client.force_login(user)
    user.is_staff = False
    user.save()
    assert client.get(f"/befragungen/{survey.slug}/").status_code == 404
    assert client.get(f"/befragungen/{survey.slug}/fragebogen/").status_code == 404


@pytest.mark.parametrize("bad", ["abc", "²", "1.5", ""])
def test_tampered_ids_in_an_admin_action_select_nothing(admin_client, bad):
    article = NewsArticleFactory()
    response = admin_client.post(
        reverse("admin:portal_newsarticle_changelist"),
        {"action": "delete_selected", "_selected_action": [bad]},
    )
    assert response.status_code in (200, 302)
    assert NewsArticle.objects.filter(pk=article.pk).exists()
