"""News as residents see them: only published, due articles anywhere public."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from PIL import Image

from portal import services
from portal.forms import NewsArticleAdminForm
from portal.models import Municipality, NewsArticle, Topic
from portal.sanitize import clean_html
from tests.factories import MunicipalityFactory, NewsArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_articles():
    return [
        NewsArticleFactory(title="Geheimer Entwurf", slug="geheimer-entwurf", draft=True),
        NewsArticleFactory(title="Geplanter Beitrag", slug="geplanter-beitrag", scheduled=True),
    ]


def png_bytes(size=(1600, 900), image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format=image_format)
    return buffer.getvalue()


def test_published_queryset_excludes_drafts_and_scheduled(hidden_articles):
    visible = NewsArticleFactory(title="Sichtbar")
    assert list(NewsArticle.objects.published()) == [visible]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/aktuelles/",
        "/aktuelles/feed/",
        "/aktuelles/feed/atom/",
        "/suche/?q=Geheimer+Geplanter",
        "/suche/?q=Beitrag",
        "/sitemap.xml",
    ],
)
def test_drafts_and_scheduled_never_leak(client, hidden_articles, url):
    NewsArticleFactory(title="Öffentlicher Beitrag", slug="oeffentlich")
    body = client.get(url).content.decode()
    assert "Geheimer Entwurf" not in body
    assert "geheimer-entwurf" not in body
    assert "Geplanter Beitrag" not in body
    assert "geplanter-beitrag" not in body


def test_draft_and_scheduled_detail_are_404_for_the_public(client, hidden_articles):
    assert client.get("/aktuelles/geheimer-entwurf/").status_code == 404
    assert client.get("/aktuelles/geplanter-beitrag/").status_code == 404
    assert client.get("/aktuelles/geheimer-entwurf/?vorschau").status_code == 404


def test_scheduled_article_appears_when_due(client):
    article = NewsArticleFactory(title="Bald da", slug="bald-da", scheduled=True)
    assert client.get("/aktuelles/bald-da/").status_code == 404
    NewsArticle.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    assert "Bald da" in client.get("/aktuelles/bald-da/").content.decode()


def test_staff_can_preview_a_draft(client, django_user_model, hidden_articles):
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_newsarticle"))
    client.force_login(editor)
    response = client.get("/aktuelles/geheimer-entwurf/?vorschau")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vorschau" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body


def test_staff_without_permission_gets_no_preview(client, django_user_model, hidden_articles):
    client.force_login(django_user_model.objects.create_user("nobody", is_staff=True))
    assert client.get("/aktuelles/geheimer-entwurf/?vorschau").status_code == 404


def test_article_page_shows_sanitised_body_and_related(client):
    topic = TopicFactory()
    article = NewsArticleFactory(
        title="Radweg fertig",
        body='<p onclick="alert(1)">Gut</p><script>alert(2)</script>'
        '<a href="javascript:alert(3)">Link</a>',
    )
    article.topics.add(topic)
    other = NewsArticleFactory(title="Noch ein Radweg")
    other.topics.add(topic)
    body = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>Radweg fertig</h1>" in body
    assert "<p>Gut</p>" in body
    assert "alert(" not in body
    assert "javascript:" not in body
    assert "Noch ein Radweg" in body  # related by topic


def test_clean_html_removes_scripts_handlers_and_javascript_links():
    dirty = (
        '<p style="color:red" onmouseover="x()">Hi<img src=x onerror=alert(1)></p>'
        '<script>evil()</script><a href="javascript:evil()">a</a><a href="https://x.de">b</a>'
    )
    cleaned = clean_html(dirty)
    assert "script" not in cleaned
    assert "onmouseover" not in cleaned
    assert "onerror" not in cleaned
    assert "style" not in cleaned
    assert "javascript" not in cleaned
    assert '<a href="https://x.de" rel="noopener noreferrer">b</a>' in cleaned


def test_news_list_filters_by_topic_and_municipality(client):
    topic, place = TopicFactory(slug="rad"), MunicipalityFactory(slug="ort")
    with_topic = NewsArticleFactory(title="Mit Thema")
    with_topic.topics.add(topic)
    in_place = NewsArticleFactory(title="Im Ort")
    in_place.municipalities.add(place)
    body = client.get("/aktuelles/?thema=rad").content.decode()
    assert "Mit Thema" in body
    assert "Im Ort" not in body
    body = client.get("/aktuelles/?kommune=ort").content.decode()
    assert "Im Ort" in body
    assert "Mit Thema" not in body
    # Unknown filter values and pages show the list, never an error.
    assert client.get("/aktuelles/?thema=gibtsnicht&seite=999").status_code == 200


def test_news_list_is_paginated(client):
    for number in range(12):
        NewsArticleFactory(title=f"Meldung {number:02d}")
    first = client.get("/aktuelles/").content.decode()
    second = client.get("/aktuelles/?seite=2").content.decode()
    assert first.count('class="news-card"') == 10
    assert second.count('class="news-card"') == 2
    assert "Seite 2 von 2" in second


@pytest.mark.parametrize("count", [10, 500])
def test_news_list_query_count_is_constant(client, django_assert_num_queries, count):
    topic = TopicFactory()
    articles = NewsArticle.objects.bulk_create(
        NewsArticle(
            title=f"Beitrag {n}",
            slug=f"masse-{n}",
            teaser="Kurz.",
            status="published",
            published_at=timezone.now() - timedelta(hours=n + 1),
        )
        for n in range(count)
    )
    NewsArticle.topics.through.objects.bulk_create(
        NewsArticle.topics.through(newsarticle_id=a.pk, topic_id=topic.pk) for a in articles
    )
    # Counted: the content version of the page cache (2: its counter and, as content
    # changed, the next due moment), topics and municipalities of the filter form (2), the
    # page count, the page of articles, the footer's pages. (The list shows no topics: no
    # prefetch of them since issue 18, one query less.)
    with django_assert_num_queries(7):
        response = client.get("/aktuelles/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 500])
def test_home_query_count_is_constant(client, django_assert_num_queries, count):
    NewsArticle.objects.bulk_create(
        NewsArticle(title=f"B {n}", slug=f"b-{n}", teaser="K.", status="published")
        for n in range(count)
    )
    # Counted: the content version of the page cache (2: its counter and, as content
    # changed, the next due moment), the three latest articles, the municipalities, the
    # topics, the next events, the open survey teaser, the footer's pages.
    with django_assert_num_queries(8):
        client.get("/")


def test_home_shows_the_latest_three_articles(client):
    for number in range(4):
        NewsArticleFactory(
            title=f"Neuigkeit {number}",
            published_at=timezone.now() - timedelta(days=10 - number),
        )
    body = client.get("/").content.decode()
    assert "Neuigkeit 3" in body
    assert "Neuigkeit 1" in body
    assert "Neuigkeit 0" not in body


def test_feeds_per_municipality_and_topic(client):
    place, topic = MunicipalityFactory(slug="dorf"), TopicFactory(slug="bus")
    in_place = NewsArticleFactory(title="Dorfnachricht")
    in_place.municipalities.add(place)
    on_topic = NewsArticleFactory(title="Busnachricht")
    on_topic.topics.add(topic)
    rss = client.get("/aktuelles/feed/kommune/dorf/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "Dorfnachricht" in rss.content.decode()
    assert "Busnachricht" not in rss.content.decode()
    atom = client.get("/aktuelles/feed/thema/bus/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "Busnachricht" in atom.content.decode()
    assert client.get("/aktuelles/feed/irgendwas/bus/").status_code == 404


def test_old_wordpress_links_redirect_permanently(client):
    NewsArticleFactory(slug="regionalforum")
    response = client.get("/2019/11/06/regionalforum/")
    assert response.status_code == 301
    assert response["Location"] == "/aktuelles/regionalforum/"
    response = client.get("/umfrage/")
    assert response.status_code == 301
    assert response["Location"] == "/befragungen/"


def test_staff_defined_redirect_works(client):
    from django.contrib.redirects.models import Redirect

    Redirect.objects.create(site_id=1, old_path="/alte-seite/", new_path="/kontakt/")
    response = client.get("/alte-seite/")
    assert response.status_code == 301
    assert response["Location"] == "/kontakt/"


def _form_data(**overrides):
    data = {
        "title": "Mit Bild",
        "slug": "mit-bild",
        "teaser": "Kurz.",
        "body": "<p>Text</p>",
        "status": "draft",
        "published_at_0": "01.01.2025",
        "published_at_1": "10:00",
        "published_at": "2025-01-01 10:00",
    }
    data.update(overrides)
    return data


def test_admin_form_sanitises_the_body():
    form = NewsArticleAdminForm(data=_form_data(body="<p>Hallo<script>x()</script></p>"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == "<p>Hallo</p>"


def test_publish_and_unpublish_services():
    article = NewsArticleFactory(draft=True)
    services.news_article_publish(article=article)
    assert NewsArticle.objects.published().filter(pk=article.pk).exists()
    services.news_article_unpublish(article=article)
    assert not NewsArticle.objects.published().filter(pk=article.pk).exists()


def test_bulk_status_service_counts_changes():
    NewsArticleFactory(draft=True)
    NewsArticleFactory(draft=True)
    NewsArticleFactory()
    changed = services.news_articles_set_status(
        articles=NewsArticle.objects.all(), status="published"
    )
    assert changed == 2


def test_municipality_and_topic_pages_gather_their_public_news(client, hidden_articles):
    oschatz, topic = Municipality.objects.get(slug="oschatz"), Topic.objects.get(slug="oepnv")
    for article in hidden_articles:
        article.municipalities.add(oschatz)
        article.topics.add(topic)
    public = NewsArticleFactory(title="Neuer Rufbus in Oschatz")
    public.municipalities.add(oschatz)
    public.topics.add(topic)
    for url in ["/kommunen/oschatz/", "/themen/oepnv/"]:
        body = client.get(url).content.decode()
        assert "Neuer Rufbus in Oschatz" in body
        assert "Geheimer Entwurf" not in body
        assert "Geplanter Beitrag" not in body
    assert "Aktuelles aus Oschatz" in client.get("/kommunen/oschatz/").content.decode()
