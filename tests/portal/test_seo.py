"""Sitemap, titles, descriptions and Open Graph tags."""

import pytest

from portal.sitemaps import SITEMAPS
from tests.factories import NewsArticleFactory

pytestmark = pytest.mark.django_db


def test_sitemap_lists_every_public_url(client):
    NewsArticleFactory(slug="oeffentlich")
    body = client.get("/sitemap.xml").content.decode()
    for path in [
        "/aktuelles/oeffentlich/",
        "/aktuelles/",
        "/kommunen/oschatz/",
        "/themen/radverkehr/",
        "/impressum/",
        "/mitmachen/",
        "/kontakt/",
    ]:
        assert f"{path}</loc>" in body
    assert {"portal", "news", "pages", "municipalities", "topics"} <= set(SITEMAPS)


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/aktuelles/", "Aktuelles"),
        ("/mitmachen/", "Mitmachen: Idee einreichen"),
        ("/kontakt/", "Kontakt"),
        ("/suche/", "Suchen"),
    ],
)
def test_pages_have_unique_titles(client, url, title):
    body = client.get(url).content.decode()
    assert f"<title>{title} – Oschatzer Land – Collmregion</title>" in body
    assert body.count("<h1") == 1


def test_article_has_description_and_open_graph(client):
    article = NewsArticleFactory(title="Forum", teaser="Alles zum Forum.")
    body = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Alles zum Forum.">' in body
    assert '<meta property="og:title" content="Forum">' in body
    assert '<meta property="og:type" content="article">' in body
